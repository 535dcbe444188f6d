# mGANprior on the SynthFaces StyleGAN2 for tools/invert.py: 20 codes
# composed after the second 16x16 layer, the best setting for reconstruction
# and super-resolution in the evaluation (README.md). Any task:
#   python tools/invert.py \
#       configs/mganprior/mganprior_stylegan2-c64_synthfaces32.py \
#       FACES/ --out work_dirs/invert_faces --task colorization
_base_ = ['../_base_/inversion/synthfaces32.py']

model = dict(
    type='MultiCodeInverter',
    generator=dict(
        config='configs/stylegan2/stylegan2-c64_1xb32_synthfaces32.py',
        checkpoint='work_dirs/stylegan2-c64_1xb32_synthfaces32/'
        'iter_4000.pth'),
    layer='synthesis.layer4',
    num_codes=20,
    fuse='mean',
    # Adam, not the official SGD at lr 1: SGD barely moves the codes of
    # this small generator in 300 steps (README.md, the SGD row).
    optimizer=dict(type='Adam', lr=0.05),
    num_iters=300,
    loss={{_base_.loss}})

# Single-code inversion in wp (one w per synthesis layer) of the SynthFaces
# StyleGAN2, for tools/invert.py: 300 Adam steps from the average w, pixel
# MSE plus the attribute predictor's features.
#   python tools/invert.py \
#       configs/inversion/latent-wp_stylegan2-c64_synthfaces32.py \
#       FACES/ --out work_dirs/invert_wp
# Other spaces: --cfg-options model.space=w (or z with model.init=random).
_base_ = ['../_base_/inversion/synthfaces32.py']

model = dict(
    type='LatentInverter',
    generator=dict(
        config='configs/stylegan2/stylegan2-c64_1xb32_synthfaces32.py',
        checkpoint='work_dirs/stylegan2-c64_1xb32_synthfaces32/'
        'iter_4000.pth'),
    space='wp',
    init='mean',
    optimizer=dict(type='Adam', lr=0.05),
    num_iters=300,
    loss={{_base_.loss}})

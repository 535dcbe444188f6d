# Hybrid inversion of the SynthFaces StyleGAN2: the trained encoder's wp
# codes (configs/inversion/encoder_stylegan2-c64_synthfaces32.py), then
# 300 Adam steps. --cfg-options model.num_iters=0 gives the encoder alone.
_base_ = ['./latent-wp_stylegan2-c64_synthfaces32.py']

model = dict(
    init='encoder',
    encoder=dict(
        config='configs/inversion/encoder_stylegan2-c64_synthfaces32.py',
        checkpoint='work_dirs/encoder_stylegan2-c64_synthfaces32/'
        'iter_5000.pth'))

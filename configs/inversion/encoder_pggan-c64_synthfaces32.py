# The latent encoder of the SynthFaces PGGAN (z space: PGGAN has no w).
# Same recipe as the StyleGAN2 encoder; needs the PGGAN trained by
# configs/pggan (iter_4000.pth). Train with
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/inversion/encoder_pggan-c64_synthfaces32.py
_base_ = ['./encoder_stylegan2-c64_synthfaces32.py']

model = dict(
    generator=dict(
        config='configs/pggan/pggan-c64_1xb32_synthfaces32.py',
        checkpoint='work_dirs/pggan-c64_1xb32_synthfaces32/iter_4000.pth'),
    # z codes are N(0, I): the encoder's code_mean stays zero
    encoder=dict(space='z', num_layers=1))
# max_iters 5000 as for StyleGAN2: the same cost per iteration (measured).

# mGANprior on the SynthFaces PGGAN for tools/invert.py: 20 z codes
# composed after the second 16x16 layer (the official l = 6). See
# README.md for the evaluation and configs/mganprior/
# mganprior_stylegan2-c64_synthfaces32.py for a command.
_base_ = ['./mganprior_stylegan2-c64_synthfaces32.py']

model = dict(
    generator=dict(
        config='configs/pggan/pggan-c64_1xb32_synthfaces32.py',
        checkpoint='work_dirs/pggan-c64_1xb32_synthfaces32/iter_4000.pth'),
    layer=6)

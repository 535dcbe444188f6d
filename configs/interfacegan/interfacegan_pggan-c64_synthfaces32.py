# InterFaceGAN on the SynthFaces PGGAN (z space only, as the paper's PGGAN
# results): the same semantics as the StyleGAN2 config; the conditions are
# this generator's most entangled pairs (from its boundary cosines).
# Needs the PGGAN trained by configs/pggan (see README.md).
_base_ = ['./interfacegan_stylegan2-c64_synthfaces32.py']

model = dict(
    generator=dict(
        config='configs/pggan/pggan-c64_1xb32_synthfaces32.py',
        checkpoint='work_dirs/pggan-c64_1xb32_synthfaces32/iter_4000.pth'),
    spaces=('z', ),
    truncation_psi=None,  # PGGAN has no w to truncate
    truncation_layers=None)

probe_cfg = dict(conditions=[
    ('eyeglasses', ['hair_color']),
    ('eyeglasses', ['hair_color', 'age']),
    ('hair_color', ['eyeglasses']),
    ('age', ['hair_color']),
    ('hair_color', ['age']),
    ('smile', ['yaw']),
    ('yaw', ['smile']),
])

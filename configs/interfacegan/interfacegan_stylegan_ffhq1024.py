# Editing the official StyleGAN FFHQ 1024 with InterFaceGAN's released
# boundaries (pose, smile, age, gender, eyeglasses; z and w). No predictor:
# this config edits with given boundaries, it does not fit new ones.
# Weights: genforce's stylegan_ffhq1024.pth (converted from NVIDIA's, the
# same latent space InterFaceGAN's boundaries were fitted in); boundaries:
# genforce/interfacegan's boundaries/ folder. Nothing is downloaded.
default_scope = 'gankd'

model = dict(
    type='LinearBoundaryProbe',
    generator=dict(
        config='configs/stylegan/stylegan_8xb4_ffhq1024.py',
        checkpoint='checkpoints/stylegan_ffhq1024.pth',
        converter='genforce-stylegan'),
    predictor=None,
    spaces=('z', 'w'),
    # InterFaceGAN's StyleGAN settings: psi 0.7 on the first 8 of 18
    # layers, fixed noise, z rescaled to norm sqrt(512).
    truncation_psi=0.7,
    truncation_layers=8,
    noise_mode='const',
    renormalize_z=True,
    batch_size=4)

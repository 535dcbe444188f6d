# Editing the official PGGAN CelebA-HQ 1024 with InterFaceGAN's released z
# boundaries (pose, smile, age, gender, eyeglasses, quality). No predictor:
# this config edits with given boundaries, it does not fit new ones.
# Weights: genforce's pggan_celebahq1024.pth (converted from NVIDIA's);
# boundaries: genforce/interfacegan's boundaries/ folder. Nothing is
# downloaded.
default_scope = 'gankd'

model = dict(
    type='LinearBoundaryProbe',
    generator=dict(
        config='configs/pggan/pggan_8xb4_celebahq1024.py',
        checkpoint='checkpoints/pggan_celebahq1024.pth',
        converter='genforce-pggan'),
    predictor=None,
    spaces=('z', ),
    renormalize_z=True,  # InterFaceGAN's pre-processing: |z| = sqrt(512)
    batch_size=4)

# FaceFeat-GAN at 128x128, stage 2b (real and generated features 1:1),
# from stage 2a. For GPU users; not run by the gankd team.
_base_ = ['./facefeat-gan-stage2a_8xb8_celeba128.py']
model = dict(stage='render_mixed')
load_from = 'work_dirs/facefeat-gan-stage2a_8xb8_celeba128/iter_100000.pth'

# FaceFeat-GAN at 128x128, stage 2a (renderer on real features), from
# stage 1. For GPU users; not run by the gankd team.
_base_ = ['./facefeat-gan-stage1_8xb8_celeba128.py']
model = dict(stage='render_real')
load_from = 'work_dirs/facefeat-gan-stage1_8xb8_celeba128/iter_50000.pth'
optim_wrapper = dict(discriminator=dict(lazy_reg_interval=16))
train_cfg = dict(max_iters=100000)
custom_hooks = [dict(type='GANSampleGridHook', interval=5000,
                     num_samples=64, before_train=False)]

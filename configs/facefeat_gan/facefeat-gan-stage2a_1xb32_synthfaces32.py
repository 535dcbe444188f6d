# FaceFeat-GAN stage 2a: the renderer R and image discriminator D_I on the
# real-feature path (features of the real image: reconstruction L1 +
# perceptual, identity, feature consistency, adversarial). Starts from the
# stage-1 checkpoint (same modules; G_k stay as trained).
_base_ = ['./facefeat-gan-stage1_1xb32_synthfaces32.py']
model = dict(stage='render_real')
load_from = 'work_dirs/facefeat-gan-stage1_1xb32_synthfaces32/iter_2000.pth'
# D_I: StyleGAN2's lazy-R1 Adam adjustment
optim_wrapper = dict(discriminator=dict(lazy_reg_interval=16))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2000)
default_hooks = dict(checkpoint=dict(interval=500))
# Sample i shows bank identity i % 10: with 10 per row, each column is one
# person (EMA generator, fixed seeds). Not before training: the
# single-stage run starts with an empty identity bank.
custom_hooks = [dict(type='GANSampleGridHook', interval=500, num_samples=80,
                     nrow=10, before_train=False)]

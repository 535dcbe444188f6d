# StyleGAN2's training schedule (config F, Karras et al. 2020) for GPU users:
# batch 32 (8 GPUs x 4), Adam lr 0.002 betas (0, 0.99) with the
# lazy-regularisation adjustment (R1 every 16 iterations for D, path length
# every 4 for G), 25M images, separate DDP wrappers for G and D.
r1_interval, pl_interval = 16, 4
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.002, betas=(0.0, 0.99)),
                   lazy_reg_interval=pl_interval),
    discriminator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.0, 0.99)),
                       lazy_reg_interval=r1_interval))
param_scheduler = []
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=False)

# 25,000 kimg at batch 32; FID every 320 kimg.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=781250,
                 val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

custom_hooks = [dict(type='GANSampleGridHook', interval=5000, num_samples=16)]
log_processor = dict(by_epoch=False)

# ENTED at 32x32 (spec 6's toy size): semantic map at 8x8, channels <= 64,
# NTED's textures at 8x8 (kernel 1) and 16x16 (kernel 3), a codebook of 64
# codes of 32 numbers, one refinement block of 4 heads.
model = dict(
    type='ENTEDRestorer',
    resolution=32,
    semantic_size=8,
    lq_encoder=dict(channels={32: 32, 16: 64, 8: 64}),
    ref_encoder=dict(channels={32: 32, 16: 64, 8: 64},
                     num_labels={8: 8, 16: 16}, match_kernels={8: 1}),
    decoder=dict(channels={8: 64, 16: 64, 32: 32}, w_dim=64,
                 modulated=True),
    quantizer=dict(num_codes=64, dim=32, beta=0.25),
    residual='gated',
    latent_refiner=dict(num_heads=4, num_blocks=1, enabled=True),
    losses=dict(l1=1.0, attention=15.0, vq=1.0, adversarial=0.1),
    discriminator=dict(type='StyleGAN2Discriminator', resolution=32,
                       fmaps_base=512, fmaps_max=64),
    r1_gamma=10.0,
    r1_interval=16,
)
# G and D in their own DDP wrappers when distributed (the restorer's
# train_step runs; gankd's runner adds device_ids=None on CPU).
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=True)
# NTED's optimisers: G Adam 0.002 (0, 0.99); D the same with StyleGAN2's
# lazy-R1 adjustment (-> 0.001882, (0, 0.9905), NTED's config values).
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.002, betas=(0.0, 0.99))),
    discriminator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.0, 0.99)),
                       lazy_reg_interval=16))
param_scheduler = []

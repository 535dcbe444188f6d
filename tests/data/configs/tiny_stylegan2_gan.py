# A tiny StyleGAN2 on 16x16 SynthFaces: a few iterations in seconds, for
# tests of GAN training through the generic tools (train, resume, torchrun,
# sample grids, the Fréchet metric). The recipe: gankd/models/gans/README.md.
_base_ = ['../../../configs/_base_/default_runtime.py']

model = dict(
    type='UnconditionalGAN',
    generator=dict(type='StyleGAN2Generator', resolution=16, z_space_dim=16,
                   w_space_dim=16, mapping_layers=2, mapping_fmaps=16,
                   fmaps_base=128, fmaps_max=16),
    discriminator=dict(type='StyleGAN2Discriminator', resolution=16,
                       fmaps_base=128, fmaps_max=16),
    r1_gamma=1.0, r1_interval=2,
    pl_weight=2.0, pl_interval=2,
    ema_half_life_kimg=0.05)
# uint8 BGR -> [-1, 1] RGB (UnconditionalGAN's default, written out)
data_preprocessor = dict(mean=[127.5] * 3, std=[127.5] * 3, to_rgb=True)
# G and D in their own DDP wrappers (gankd's runner adds device_ids=None on
# CPU); unused in one process.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=False)

data = dict(type='SynthFaces', img_size=16, num_identities=8,
            pipeline=[dict(type='mmpretrain.PackInputs')])
train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(data, split='train', num_samples=64))
val_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(data, split='val', num_samples=8))
val_evaluator = dict(
    type='FrechetDistanceMetric',
    feature_extractor=dict(
        type='ClassifierFeatureExtractor',
        config='tests/data/configs/tiny_face_classifier.py'))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

r1_interval, pl_interval = 2, 2
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.002, betas=(0.0, 0.99)),
                   lazy_reg_interval=pl_interval),
    discriminator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.0, 0.99)),
                       lazy_reg_interval=r1_interval))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = []

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=4))
custom_hooks = [dict(type='GANSampleGridHook', interval=2, num_samples=4)]
log_processor = dict(by_epoch=False)
randomness = dict(seed=0, diff_rank_seed=True)

# ENTED at 16x16 in seconds: stage B (degraded input + reference, with the
# adversarial loss and lazy R1), its LQ encoder and frozen dictionary from
# a stage-A checkpoint given with
# --cfg-options model.init_from.checkpoint=<work_dir>/iter_3.pth
_base_ = ['../../../configs/_base_/default_runtime.py']

model = dict(
    type='ENTEDRestorer', resolution=16, semantic_size=4, stage='B',
    lq_encoder=dict(channels={16: 8, 8: 8, 4: 8}),
    ref_encoder=dict(channels={16: 8, 8: 8, 4: 8},
                     num_labels={4: 2, 8: 4}, match_kernels={4: 1}),
    decoder=dict(channels={4: 8, 8: 8, 16: 8}, w_dim=8),
    quantizer=dict(num_codes=16, dim=4, frozen=True),
    latent_refiner=dict(num_heads=2),
    discriminator=dict(type='StyleGAN2Discriminator', resolution=16,
                       fmaps_base=64, fmaps_max=8),
    r1_interval=2,
    init_from=dict(checkpoint=None, parts=('lq_encoder', 'quantizer')))
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.002,
                                  betas=(0.0, 0.99))),
    discriminator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.0, 0.99)),
                       lazy_reg_interval=2))

faces = dict(type='SynthFaces', img_size=16, num_identities=4, seed=0,
             paired=True)
degradations = [
    dict(type='RandomGaussianBlur', sigma_range=(0.1, 3.0)),
    dict(type='RandomDownsample', scale_range=(1.0, 4.0)),
    dict(type='RandomGaussianNoise', std_range=(0.0, 20.0)),
    dict(type='RandomJPEG', quality_range=(60, 100)),
]
tail = [dict(type='ResizeLike'), dict(type='PackRestorationInputs')]
train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='ReferencePairDataset',
                 dataset=dict(faces, split='train', num_samples=16),
                 pipeline=degradations + tail))
val_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ReferencePairDataset', seed=0, test_mode=True,
                 dataset=dict(faces, split='val', num_samples=4),
                 pipeline=[dict(step, seed=0) for step in degradations]
                 + tail))
test_dataloader = val_dataloader
val_evaluator = dict(type='ImageQualityMetric')
test_evaluator = val_evaluator

train_cfg = dict(type='IterBasedTrainLoop', max_iters=3, val_interval=3)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = []
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=3))
log_processor = dict(by_epoch=False)

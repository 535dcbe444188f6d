# ENTED at 16x16 in seconds: stage A (the VQ auto-encoder of clean faces),
# for the end-to-end test of both stages through tools/train.py.
_base_ = ['../../../configs/_base_/default_runtime.py']

model = dict(
    type='ENTEDRestorer', resolution=16, semantic_size=4, stage='A',
    lq_encoder=dict(channels={16: 8, 8: 8, 4: 8}),
    ref_encoder=dict(channels={16: 8, 8: 8, 4: 8},
                     num_labels={4: 2, 8: 4}, match_kernels={4: 1}),
    decoder=dict(channels={4: 8, 8: 8, 16: 8}, w_dim=8),
    quantizer=dict(num_codes=16, dim=4),
    latent_refiner=dict(num_heads=2))
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.002,
                                  betas=(0.0, 0.99))))

faces = dict(type='SynthFaces', img_size=16, num_identities=4, seed=0)
pack = [dict(type='PackRestorationInputs', degraded_key='img',
             reference_key=None)]
train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(faces, split='train', num_samples=16, pipeline=pack))
val_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(faces, split='val', num_samples=4, pipeline=pack,
                 test_mode=True))
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

# A restorer through the Runner's train, val and test loops on 32x32
# SynthFaces pairs with the blind degradations (training: random draws;
# val/test: fixed by seed). The model is registered by the test that loads
# this config (tests/test_base_restorer.py), so any restorer can stand in.
_base_ = ['../../../configs/_base_/default_runtime.py']

model = dict(type='ToyRestorerForTest')

faces = dict(type='SynthFaces', img_size=32, num_identities=4, paired=True)
train_pipeline = [
    dict(type='RandomGaussianBlur', sigma_range=(0.1, 3)),
    dict(type='RandomDownsample', scale_range=(1, 4)),
    dict(type='RandomGaussianNoise', std_range=(0, 10)),
    dict(type='RandomJPEG', quality_range=(60, 100)),
    dict(type='ResizeLike'),
    dict(type='PackRestorationInputs'),
]
# the same steps with their draws fixed by (seed, sample)
test_pipeline = [
    dict(step, seed=0) if step['type'].startswith('Random') else step
    for step in train_pipeline
]


train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='ReferencePairDataset',
                 dataset=dict(faces, split='train', num_samples=16),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ReferencePairDataset', seed=0, test_mode=True,
                 dataset=dict(faces, split='val', num_samples=8),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='ImageQualityMetric')
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.5))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=6, val_interval=6)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = []

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=6))
log_processor = dict(by_epoch=False)

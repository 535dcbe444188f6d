# A tiny mmpretrain classifier on 10 SynthShapes classes: seconds per epoch,
# deterministic, for tests of the generic tools (resume, torchrun, test).
_base_ = ['../../../configs/_base_/default_runtime.py']

model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(num_classes=10, mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], to_rgb=True),
    backbone=dict(type='ResNet_CIFAR', depth=18, base_channels=4,
                  stem_channels=4),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=32,
              loss=dict(type='CrossEntropyLoss')))

data = dict(type='SynthShapes', num_classes=10,
            pipeline=[dict(type='mmpretrain.PackInputs')])
train_dataloader = dict(
    batch_size=32, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(data, split='train', num_samples=512))
val_dataloader = dict(
    batch_size=128, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(data, split='val', num_samples=256))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=3)
train_cfg = dict(by_epoch=True, max_epochs=3, val_interval=3)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(type='LoggerHook', interval=2),
                     checkpoint=dict(type='CheckpointHook', interval=1,
                                     max_keep_ckpts=-1))
# deterministic=True made CPU training 15x slower for identical results.
randomness = dict(seed=0)

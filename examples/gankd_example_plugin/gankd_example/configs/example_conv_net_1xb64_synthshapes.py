# ExampleConvNet on 10 SynthShapes classes: a plugin's component used by an
# mmpretrain classifier, trained by gankd's generic tools/train.py with no
# custom_imports. Standalone (no _base_) so it works wherever it is installed.
default_scope = 'gankd'

model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        num_classes=10,
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5],
        to_rgb=True),
    backbone=dict(type='gankd.ExampleConvNet', width=8),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=32,
        loss=dict(type='mmpretrain.CrossEntropyLoss')))

data = dict(type='gankd.SynthShapes', num_classes=10,
            pipeline=[dict(type='mmpretrain.PackInputs')])
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(data, split='train', num_samples=1024))
val_dataloader = dict(
    batch_size=128,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(data, split='val', num_samples=512))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))
train_cfg = dict(by_epoch=True, max_epochs=2, val_interval=1)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(type='LoggerHook', interval=8))
randomness = dict(seed=0)

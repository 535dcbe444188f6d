# gankd's CIFAR resnet32x4 (the distillation literature's), GAP, 100-way head.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='gankd.CIFARResNet', arch='resnet32x4'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=100,
        in_channels=256,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

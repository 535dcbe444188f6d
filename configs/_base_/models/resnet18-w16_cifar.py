# The SynthShapes teacher: mmpretrain's CIFAR ResNet-18 (3x3 stem, no
# max-pool) at a quarter of its width (16-32-64-128 channels), unchanged
# otherwise. 0.71 M parameters, 70 MFLOPs per 32x32 image.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(
        type='mmpretrain.ResNet_CIFAR',
        depth=18,
        stem_channels=16,
        base_channels=16,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=100,
        in_channels=128,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

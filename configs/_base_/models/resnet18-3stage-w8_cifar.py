# The SynthShapes student: mmpretrain's CIFAR ResNet-18 cut to its first
# three stages (2+2+2 basic blocks, a ResNet-14 in CIFAR terms) at 8-16-32
# channels. About 1/16 of the teacher's parameters.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(
        type='mmpretrain.ResNet_CIFAR',
        depth=18,
        stem_channels=8,
        base_channels=8,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, ),
        style='pytorch'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=100,
        in_channels=32,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

# A tiny classifier on 16x16 SynthFaces: the feature extractor of the GAN
# tests' Fréchet distance (untrained there; real use: the attribute
# predictor, configs/attribute_predictor/).
_base_ = ['../../../configs/_base_/default_runtime.py']

model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(num_classes=8, mean=[130.0, 135.0, 129.0],
                           std=[66.0, 50.0, 49.0], to_rgb=True),
    backbone=dict(type='ResNet_CIFAR', depth=18, base_channels=4,
                  stem_channels=4),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=8, in_channels=32,
              loss=dict(type='CrossEntropyLoss')))

test_dataloader = dict(
    batch_size=16, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SynthFaces', num_samples=16, split='test', seed=0,
                 img_size=16, num_identities=8,
                 pipeline=[dict(type='mmpretrain.PackInputs')]))

# mmpretrain's CIFAR ResNet-18 (11.2 M params) on CIFAR-100, unchanged, with
# the distillation literature's 240-epoch schedule. Put cifar-100-python/
# under data/cifar100 (never downloaded). GPU-sized: ~15 min/epoch on 2 CPUs.
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_bs128.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, num_stages=4,
                  out_indices=(3, ), style='pytorch'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=100,
              in_channels=512,
              loss=dict(type='mmpretrain.CrossEntropyLoss',
                        loss_weight=1.0)))

train_dataloader = dict(batch_size=128)

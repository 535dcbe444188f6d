# Residual KD between tiny CIFAR ResNets on 10 SynthShapes classes (seconds):
# teacher 8-16-32 channels, student S 4-8-16, assistant A 2-4-8, matched at
# the last stage (8x8, 32 channels) through 1x1 conv + BN connectors.
# 3 epochs: progressive = 1 student + 1 assistant + 1 head; the tests switch
# to end2end with --cfg-options. The tests pass model.teacher_ckpt.
_base_ = ['./tiny_synthshapes.py']

_tiny = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=4,
                  stem_channels=4, num_stages=3, strides=(1, 2, 2),
                  dilations=(1, 1, 1), out_indices=(2, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=16,
              loss=dict(type='mmpretrain.CrossEntropyLoss')))
teacher = dict(_tiny, backbone=dict(_tiny['backbone'], base_channels=8,
                                    stem_channels=8),
               head=dict(_tiny['head'], in_channels=32))

model = dict(
    _delete_=True,
    type='ResidualKDDistiller',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                           num_classes=10, mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], to_rgb=True),
    teacher=teacher,
    teacher_ckpt=None,
    teacher_layer='backbone.layer3',
    student=_tiny,
    assistant=dict(_tiny['backbone'], base_channels=2, stem_channels=2),
    schedule='progressive',
    phase_epochs=dict(student=1, assistant=1, head=1))
custom_hooks = [dict(type='PhaseScheduleHook')]
train_dataloader = dict(dataset=dict(num_samples=256))
val_dataloader = dict(dataset=dict(num_samples=128))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=3, val_interval=3)
param_scheduler = [
    dict(type='CosineRestartLR', by_epoch=True, begin=b, end=b + 1,
         periods=[1], restart_weights=[1.0], eta_min=1e-3,
         convert_to_iter_based=True) for b in range(3)
]

# KD between two tiny CIFAR ResNets on 10 SynthShapes classes (seconds).
# The tests pass model.teacher_ckpt (a saved random teacher).
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
student = _tiny

model = dict(
    _delete_=True,
    type='KDDistiller',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                           num_classes=10, mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], to_rgb=True),
    teacher=teacher,
    teacher_ckpt=None,
    student=student,
    distill_loss=dict(type='KLDivergenceLoss', tau=4.0, loss_weight=0.9),
    student_loss_weight=0.1)
train_cfg = dict(max_epochs=2, val_interval=2)
param_scheduler = dict(T_max=2)

# Tiny two-phase student for the knowledge-points tool tests.
_base_ = [
    '../../../../configs/_base_/datasets/synth_shapes_kp.py',
    '../../../../configs/_base_/schedules/synth_shapes_quick.py',
    '../../../../configs/_base_/default_runtime.py',
]
_net = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=4,
                  stem_channels=4, num_stages=2, strides=(1, 2),
                  dilations=(1, 1), out_indices=(1, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=4, in_channels=8,
              loss=dict(type='mmpretrain.CrossEntropyLoss')))
model = dict(type='StageByStageDistiller', teacher=_net, student=_net,
             teacher_ckpt=None, mode='two_phase',
             stages=[dict(student='backbone.layer2',
                          teacher='backbone.layer2')],
             stage_epochs=2, head_epochs=1,
             phase_optim=dict(lr=0.05, eta_min=1e-4))
param_scheduler = []
custom_hooks = [dict(type='PhaseScheduleHook')]
data_preprocessor = dict(num_classes=4)
_data = dict(num_samples=64, num_classes=4, img_size=16)
train_dataloader = dict(batch_size=16, num_workers=0,
                        persistent_workers=False, dataset=_data)
val_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,
                      dataset=dict(_data, num_samples=16))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=3, val_interval=3)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1),
                     logger=dict(interval=1))

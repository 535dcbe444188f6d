# Knowledge points, network S: distilled from T's features at the diagnosed
# top conv layer (backbone.layer3), then trained above it on labels (spec
# §2.1's two phases). This is StageByStageDistiller's 'two_phase' mode
# (plugins/gankd_sskd) with one stage: phase 1 trains the stem and stages
# 1-3 on MSE(f_S, f_T) at layer3 only (no cross-entropy, teacher frozen in
# eval mode), phase 2 freezes them and trains the layers above (neck and
# head) with cross-entropy. The knowledge-points analysis reads phase-1
# checkpoints: phase 1 lasts as long as B's whole run (10 epochs), so the
# same epoch list applies. The command sets teacher_ckpt to T's final
# weights of the same seed.
_base_ = [
    '../_base_/datasets/synth_shapes_kp.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='StageByStageDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet18-3stage-w8_cifar.py',
                 head=dict(num_classes=20)),
    teacher_ckpt=None,  # set by tools/knowledge_points.py
    student=dict(cfg_path='gankd::_base_/models/resnet18-3stage-w8_cifar.py',
                 head=dict(num_classes=20)),
    mode='two_phase',
    # same architecture: no connector, the maps match
    stages=[dict(student='backbone.layer3', teacher='backbone.layer3')],
    stage_epochs=10,
    head_epochs=3,
    phase_optim=dict(lr=0.05, eta_min=1e-4),
    mimic_loss=dict(type='FeatureMSELoss'),
)
# PhaseScheduleHook sets the LR per phase: no LR scheduler.
param_scheduler = []
train_cfg = dict(max_epochs=13, val_interval=13)
custom_hooks = [dict(type='PhaseScheduleHook')]
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1),
                     logger=dict(interval=10))

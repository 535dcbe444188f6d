# Residual KD on SynthShapes, end-to-end variant: the same teacher, S and A
# as residual-kd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py, but
# one phase of 15 epochs where S, A and the head train together on
#   L = w_S * L_S + w_A * L_A + w_cls * L_cls   (w_S = w_A = w_cls = 1)
# with F_S detached inside the residual target, so L_A never pulls S away
# from the teacher. The baselines' schedule (1-epoch warm-up + cosine).
#
# Train the teacher first:
#   python tools/train.py configs/baselines/resnet18-w16_1xb64_synthshapes.py
# Widths (S 6/12/24, A 4/8/16 channels; 85.2 % of the given FLOPs) from
#   python tools/analysis/split_student_assistant.py \
#       configs/_base_/models/resnet18-3stage-w8_cifar.py \
#       --width-student 0.8 --width-assistant auto --divisor 2 \
#       --target-channels 64
_base_ = [
    '../_base_/datasets/synth_shapes_bs64.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='ResidualKDDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet18-w16_cifar.py'),
    teacher_ckpt='work_dirs/resnet18-w16_1xb64_synthshapes/epoch_15.pth',
    # Teacher layer3: 64 ch at 8x8, the resolution of the student's last
    # stage (the teacher's last stage is 4x4).
    teacher_layer='backbone.layer3',
    student=dict(cfg_path='gankd::_base_/models/resnet18-3stage-w8_cifar.py'),
    separation=dict(width_student=0.8, width_assistant=0.5, divisor=2),
    schedule='end2end',
    phase_epochs=dict(end2end=15),
    mimic_loss=dict(type='FeatureMSELoss', loss_weight=1.0),  # w_S
    residual_loss=dict(type='FeatureMSELoss', loss_weight=1.0),  # w_A
    cls_loss_weight=1.0,  # w_cls
)
custom_hooks = [dict(type='PhaseScheduleHook')]

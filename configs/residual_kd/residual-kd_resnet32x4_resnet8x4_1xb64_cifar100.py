# Residual KD, the CIFAR-100 resnet32x4 -> resnet8x4 pair of the CRD
# benchmark: student S and assistant A derived from resnet8x4
# (gankd.CIFARResNet), matched at the last stage (256 ch at 8x8 for both).
# GPU-sized; not run here. Teacher: train
#   configs/baselines/resnet32x4_1xb64_cifar100.py
# Widths: S 0.8 -> 24/48 stem/base channels, A 'auto' -> 0.625 = 24/40;
# S + A + connectors + head: 353.3 MFLOPs, 99.8 % of resnet8x4's 354.1, from
#   python tools/analysis/split_student_assistant.py \
#       configs/residual_kd/residual-kd_resnet32x4_resnet8x4_1xb64_cifar100.py \
#       --width-assistant auto
# Schedule (the paper's is not available; gankd's proposal): each phase
# runs the CRD recipe (batch 64, SGD 0.05, x0.1 at 150/180/210 of 240
# epochs), the head phase the same at 10 % length: 240 + 240 + 24 = 504.
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_bs128.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='ResidualKDDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet32x4_cifar100.py'),
    teacher_ckpt='work_dirs/resnet32x4_1xb64_cifar100/epoch_240.pth',
    teacher_layer='backbone',  # layer3, the input of the head
    # The given resnet8x4; S and A are derived from it.
    student=dict(cfg_path='gankd::_base_/models/resnet8x4_cifar100.py'),
    separation=dict(width_student=0.8, width_assistant=0.625, divisor=8),
    schedule='progressive',
    phase_epochs=dict(student=240, assistant=240, head=24),
)
custom_hooks = [dict(type='PhaseScheduleHook')]


# Each phase restarts the recipe: a CosineRestartLR with one 1-epoch period
# sets the LR back to the base value at the phase's first epoch (mmengine's
# step schedulers only multiply the current LR), then MultiStepLR decays it.
def _phase(begin, end, milestones):
    return [
        dict(type='CosineRestartLR', periods=[1], restart_weights=[1.0],
             eta_min=0.0, by_epoch=True, begin=begin, end=begin + 1),
        dict(type='MultiStepLR', milestones=milestones, gamma=0.1,
             by_epoch=True, begin=begin, end=end),
    ]


param_scheduler = _phase(0, 240, [150, 180, 210]) + \
    _phase(240, 480, [150, 180, 210]) + _phase(480, 504, [15, 18, 21])
train_cfg = dict(by_epoch=True, max_epochs=504, val_interval=5)
auto_scale_lr = dict(base_batch_size=64)

# Residual KD, the paper's ImageNet pair: ResNet-34 teacher, student S and
# assistant A derived from ResNet-18 (mmpretrain's ImageNet ResNets), matched
# at the last stage (512 ch at 7x7 for both). GPU-sized; not run here.
#
# Teacher: mmpretrain's ResNet-34 checkpoint (the model zoo file
# resnet34_8xb32_in1k_20210831-f257d4e6.pth; gankd never downloads: put it
# at the path below or pass --cfg-options model.teacher_ckpt=PATH).
# Widths: S 0.8 -> 48 stem/base channels, A 'auto' -> 0.625 = 40; S + A +
# connectors + head: 3593 MFLOPs, 99.0 % of ResNet-18's 3628, from
#   python tools/analysis/split_student_assistant.py \
#       configs/residual_kd/residual-kd_resnet34_resnet18_8xb32_in1k.py \
#       --width-assistant auto
# Schedule (the paper's is not available; gankd's proposal): each phase
# runs mmpretrain's ResNet-18 recipe (SGD 0.1, momentum 0.9, wd 1e-4,
# batch 256, x0.1 at 30/60/90 of 100 epochs), the head phase the same recipe
# at 10 % length: 100 + 100 + 10 = 210 epochs.
# Phased schedules run on several processes (tools/dist_train.sh CONFIG
# 8; tested on CPU processes): see "Several processes" in
# configs/residual_kd/README.md.
_base_ = [
    '../_base_/datasets/imagenet_bs32.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='ResidualKDDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet34_in1k.py'),
    teacher_ckpt='checkpoints/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    teacher_layer='backbone',  # layer4, the input of the head
    # The given ResNet-18; S and A are derived from it.
    student=dict(cfg_path='gankd::_base_/models/resnet18_in1k.py'),
    separation=dict(width_student=0.8, width_assistant=0.625, divisor=8),
    schedule='progressive',
    phase_epochs=dict(student=100, assistant=100, head=10),
    probe_size=224,
)
custom_hooks = [dict(type='PhaseScheduleHook')]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))


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


param_scheduler = _phase(0, 100, [30, 60, 90]) + \
    _phase(100, 200, [30, 60, 90]) + _phase(200, 210, [3, 6, 9])
train_cfg = dict(by_epoch=True, max_epochs=210, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)

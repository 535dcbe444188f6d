# Stage-by-stage KD, CIFAR-100 resnet32x4 -> resnet8x4 (same stage widths,
# 64/128/256: no connectors, the paper's "without any processing"). The
# spec's proposed budget: 40 epochs per stage, then 80 for the head (200
# in all), SGD 0.05 with a cosine cycle per phase. GPU-sized; not run here.
# Teacher: train configs/baselines/resnet32x4_1xb64_cifar100.py
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_bs128.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='StageByStageDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet32x4_cifar100.py'),
    teacher_ckpt='work_dirs/resnet32x4_1xb64_cifar100/epoch_240.pth',
    student=dict(cfg_path='gankd::_base_/models/resnet8x4_cifar100.py'),
    mode='sskd',
    # layer1 also trains the stem (it comes first in the backbone).
    stages=[dict(student=f'backbone.layer{k}', teacher=f'backbone.layer{k}')
            for k in (1, 2, 3)],
    stage_epochs=40,
    head_epochs=80,
)
param_scheduler = dict(
    _delete_=True, type='CosineRestartLR', periods=[40, 40, 40, 80],
    restart_weights=[1, 1, 1, 1], eta_min=0, by_epoch=True)
train_cfg = dict(max_epochs=200)
custom_hooks = [dict(type='PhaseScheduleHook')]
auto_scale_lr = dict(base_batch_size=64)

# Stage-by-stage KD on ImageNet, ResNet-34 -> ResNet-18 (same stage widths:
# no connectors). The spec's proposed budget: 20 epochs per stage (4
# stages), then 30 for the head (110 in all), SGD 0.1, wd 1e-4, a cosine
# cycle per phase. GPU-sized; not run here. Teacher: mmpretrain's ResNet-34
# checkpoint at the path below (gankd never downloads).
# Phased schedules run on several processes (tools/dist_train.sh CONFIG
# 8; tested on CPU processes): see "Several processes" in
# configs/sskd/README.md.
_base_ = [
    '../_base_/datasets/imagenet_bs32.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='StageByStageDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet34_in1k.py'),
    teacher_ckpt='checkpoints/resnet34_8xb32_in1k_20210831-f257d4e6.pth',
    student=dict(cfg_path='gankd::_base_/models/resnet18_in1k.py'),
    mode='sskd',
    stages=[dict(student=f'backbone.layer{k}', teacher=f'backbone.layer{k}')
            for k in (1, 2, 3, 4)],
    stage_epochs=20,
    head_epochs=30,
)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='CosineRestartLR', periods=[20, 20, 20, 20, 30],
                       restart_weights=[1, 1, 1, 1, 1], eta_min=0,
                       by_epoch=True)
train_cfg = dict(by_epoch=True, max_epochs=110, val_interval=5)
val_cfg = dict()
test_cfg = dict()
custom_hooks = [dict(type='PhaseScheduleHook')]
auto_scale_lr = dict(base_batch_size=256)

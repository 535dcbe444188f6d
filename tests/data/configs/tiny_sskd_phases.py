# Stage-by-stage KD in three 1-epoch phases (stage1, stage2, head) with
# per-phase optimiser settings, sized for the distributed tests: 128 images,
# batch 16 per process (2 processes) or 32 (one), 4 iterations per epoch.
# The student uses GroupNorm: BatchNorm normalises each process's batch
# alone, so 2 x 16 images would not train like 32 (SyncBN needs a GPU).
# Teacher and student have the same widths (no connectors); the frozen
# teacher keeps BatchNorm (eval mode) and its seeded random initialisation.
_base_ = ['./tiny_synthshapes.py']

_backbone = dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=4,
                 stem_channels=4, num_stages=3, strides=(1, 2, 2),
                 dilations=(1, 1, 1), out_indices=(2, ))
_classifier = dict(
    type='mmpretrain.ImageClassifier', backbone=_backbone,
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=16,
              loss=dict(type='mmpretrain.CrossEntropyLoss')))

model = dict(
    _delete_=True,
    type='StageByStageDistiller',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                           num_classes=10, mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], to_rgb=True),
    teacher=_classifier,
    teacher_ckpt=None,
    student=dict(_classifier, backbone=dict(
        _backbone, norm_cfg=dict(type='GN', num_groups=2))),
    stages=[dict(student=f'backbone.layer{k}', teacher=f'backbone.layer{k}')
            for k in (1, 2)],
    stage_epochs=1,
    head_epochs=1,
    # Every setting differs between phases, so a phase that used another's
    # would show: LR peak and shape, warm-up, weight decay, momentum.
    phase_optim=dict(
        lr=[0.1, 0.05, 0.2], eta_min=0.001,
        stage1=dict(warmup_epochs=0.5, warmup_factor=0.5),
        stage2=dict(lr_shape='linear', momentum=0.5),
        head=dict(lr_shape='constant', weight_decay=0.0)),
)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=0.01))
param_scheduler = []
custom_hooks = [dict(type='PhaseScheduleHook')]
train_dataloader = dict(batch_size=16, dataset=dict(num_samples=128))
val_dataloader = dict(dataset=dict(num_samples=64))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=3, val_interval=100)  # validates once, at the end

# Progressive Residual KD in three 1-epoch phases (student, assistant, head)
# with per-phase optimiser settings, sized for the distributed tests: 128
# images, batch 16 per process (2 processes) or 32 (one), 4 iterations per
# epoch. S and A keep their BatchNorm layers in eval mode (norm_eval): in
# train mode BN normalises each process's batch alone, so 2 x 16 images
# would not train like 32 (SyncBN needs a GPU), and GroupNorm does not
# build inside Residual KD's scope-qualified configs. No connectors: S, A
# and the teacher's layer3 all give 16 channels at 8x8. The frozen teacher
# keeps its seeded random initialisation.
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
    type='ResidualKDDistiller',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                           num_classes=10, mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], to_rgb=True),
    teacher=_classifier,
    teacher_ckpt=None,
    teacher_layer='backbone.layer3',
    student=dict(_classifier, backbone=dict(_backbone, norm_eval=True)),
    assistant=dict(_backbone, norm_eval=True),
    student_connector=None,
    assistant_connector=None,
    zero_init_assistant=False,  # it zeroes a connector's BN
    schedule='progressive',
    phase_epochs=dict(student=1, assistant=1, head=1),
    # Every setting differs between phases: LR peak and shape, warm-up,
    # weight decay, momentum.
    phase_optim=dict(
        lr=0.05, eta_min=0.001,
        student=dict(warmup_epochs=0.5, warmup_factor=0.5),
        assistant=dict(lr=0.1, lr_shape='linear', momentum=0.5),
        head=dict(lr=0.2, lr_shape='constant', weight_decay=0.0)),
)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=0.01))
param_scheduler = []
custom_hooks = [dict(type='PhaseScheduleHook')]
train_dataloader = dict(batch_size=16, dataset=dict(num_samples=128))
val_dataloader = dict(dataset=dict(num_samples=64))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=3, val_interval=100)  # validates once, at the end

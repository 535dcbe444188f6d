# Residual KD between tiny CIFAR ResNets on 10 SynthShapes classes (seconds):
# teacher 8-16-32 channels, student S 4-8-16, assistant A 2-4-8, matched at
# the last stage (8x8, 32 channels) through 1x1 conv + BN connectors.
# 3 epochs: progressive = 1 student + 1 assistant + 1 head; the tests switch
# to end2end with --cfg-options. The tests pass model.teacher_ckpt.
_base_ = ['./tiny_kd.py']

model = dict(
    _delete_=True,
    type='ResidualKDDistiller',
    data_preprocessor={{_base_.model.data_preprocessor}},
    teacher={{_base_.teacher}},
    teacher_ckpt=None,
    teacher_layer='backbone.layer3',
    student={{_base_.student}},
    assistant=dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=2,
                   stem_channels=2, num_stages=3, strides=(1, 2, 2),
                   dilations=(1, 1, 1), out_indices=(2, )),
    schedule='progressive',
    phase_epochs=dict(student=1, assistant=1, head=1))
custom_hooks = [dict(type='PhaseScheduleHook')]
train_dataloader = dict(dataset=dict(num_samples=256))
val_dataloader = dict(dataset=dict(num_samples=128))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=3, val_interval=3)
param_scheduler = [
    dict(type='CosineRestartLR', by_epoch=True, begin=b, end=b + 1,
         periods=[1], restart_weights=[1.0], eta_min=1e-3,
         convert_to_iter_based=True) for b in range(3)
]

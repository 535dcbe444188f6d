# Stage-by-stage KD between the tiny KD pair: 3 stages of 1 epoch, then the
# head for 1 epoch (4 epochs of 512 images, seconds).
_base_ = ['./tiny_kd.py']

model = dict(
    _delete_=True,
    type='StageByStageDistiller',
    data_preprocessor={{_base_.model.data_preprocessor}},
    teacher={{_base_.teacher}},
    teacher_ckpt=None,
    student={{_base_.student}},
    stages=[
        dict(student=f'backbone.layer{k}', teacher=f'backbone.layer{k}',
             connector=dict(type='ConvBNConnector', in_channels=4 * 2**k // 2,
                            out_channels=8 * 2**k // 2))
        for k in (1, 2, 3)
    ],
    stage_epochs=1,
    head_epochs=1)
param_scheduler = dict(
    _delete_=True, type='CosineRestartLR', periods=[1, 1, 1, 1],
    restart_weights=[1, 1, 1, 1], eta_min=1e-4, by_epoch=True)
train_cfg = dict(max_epochs=4, val_interval=4)
custom_hooks = [dict(type='PhaseScheduleHook')]

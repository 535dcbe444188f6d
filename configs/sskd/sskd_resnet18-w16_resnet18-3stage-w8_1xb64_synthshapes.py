# Stage-by-stage KD on SynthShapes, same pair, data and 15-epoch budget as
# configs/kd: stages 1-3 of the student each mimic the teacher's stage at
# the same resolution for 4 epochs (connectors map 8/16/32 to 16/32/64
# channels), then the head learns from labels for 3 epochs. Train the
# teacher first:
#   python tools/train.py configs/baselines/resnet18-w16_1xb64_synthshapes.py
_base_ = [
    '../_base_/datasets/synth_shapes_bs64.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='StageByStageDistiller',
    teacher=dict(cfg_path='gankd::_base_/models/resnet18-w16_cifar.py'),
    teacher_ckpt='work_dirs/resnet18-w16_1xb64_synthshapes/epoch_15.pth',
    student=dict(
        cfg_path='gankd::_base_/models/resnet18-3stage-w8_cifar.py',
        # BatchNorm between the pooling and the FC: the head trains on frozen
        # features whose scale the mimic phases left (the connectors' BN
        # absorbs it); the BN makes the head independent of that scale. The
        # export folds it into the FC: the deployed student is the plain
        # mmpretrain classifier.
        neck=dict(type='gankd.PooledBatchNormNeck', in_channels=32)),
    mode='sskd',
    stages=[
        dict(student='backbone.layer1', teacher='backbone.layer1',
             connector=dict(type='ConvBNConnector', in_channels=8,
                            out_channels=16)),
        dict(student='backbone.layer2', teacher='backbone.layer2',
             connector=dict(type='ConvBNConnector', in_channels=16,
                            out_channels=32)),
        dict(student='backbone.layer3', teacher='backbone.layer3',
             connector=dict(type='ConvBNConnector', in_channels=32,
                            out_channels=64)),
    ],
    stage_epochs=4,
    head_epochs=3,
    # Per-phase optimiser settings (README, "Per-phase settings"): in every
    # phase the LR follows its own cosine from lr down to eta_min, per
    # iteration, restarting because each phase trains parts not trained
    # before. A scalar applies to every phase; a list gives one value per
    # phase (stage1, stage2, stage3, head). The values come from the sweep
    # configs/sskd/sweep_quick.py (README, "How the defaults were found"):
    # the mimic phases peak at 50 x the baseline's LR after a 1-epoch
    # warm-up (without it, 5.0 diverges in the first iterations), the
    # head at 0.5.
    phase_optim=dict(lr=[2.5, 2.5, 2.5, 0.5], eta_min=1e-4,
                     warmup_epochs=[1, 1, 1, 0], warmup_factor=0.1),
    # MSE over the teacher feature's variance: the loss (and so the LR that
    # suits it) does not depend on each stage's feature magnitude.
    mimic_loss=dict(type='FeatureMSELoss', normalize=True),
)
# PhaseScheduleHook sets the LR from the phases: no LR scheduler.
param_scheduler = []
train_cfg = dict(max_epochs=15)
custom_hooks = [dict(type='PhaseScheduleHook')]

# The sweep that chose the stage-by-stage KD defaults (README, "How the
# defaults were found"): each variant changes the shipped config
# (BN neck, normalised mimic loss, mimic-phase LR 2.5 with a 1-epoch
# warm-up, head LR 0.5) in one or two settings, on the benchmark's quick
# preset (20 classes, 2,800 images, 15 epochs, seed 0). Run with
#   python tools/analysis/sweep_distillation.py configs/sskd/sweep_quick.py
# (about 2.5 min per variant on 2 cores; done variants are read back).
config = 'configs/sskd/sskd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py'

NO_WARMUP = {'model.phase_optim.warmup_epochs': 0}


def lr(mimic, head):
    """Peak LR of the three mimic phases and of the head phase."""
    return {'model.phase_optim.lr': [mimic, mimic, mimic, head]}


variants = [
    dict(name='shipped', options={}),
    dict(name='mimic LR 5', options=lr(5.0, 0.5)),
    dict(name='no warm-up', options=NO_WARMUP),
    dict(name='no warm-up, mimic LR 5', options=dict(NO_WARMUP, **lr(5.0, 0.5))),
    dict(name='no warm-up, mimic LR 1', options=dict(NO_WARMUP, **lr(1.0, 0.5))),
    dict(name='no warm-up, mimic LR 1, head LR 0.05',
         options=dict(NO_WARMUP, **lr(1.0, 0.05))),
    dict(name='no warm-up, mimic MSE not normalised',
         options=dict(NO_WARMUP, **{'model.mimic_loss.normalize': False})),
    dict(name='3 epochs per stage, 6 for the head',
         options={'model.stage_epochs': 3, 'model.head_epochs': 6}),
    dict(name='previous defaults, with the BN neck',
         options=dict(NO_WARMUP, **{'model.phase_optim.lr': 0.05,
                                    'model.mimic_loss.normalize': False})),
    # mmpretrain's plain global average pooling instead of the BN neck
    dict(name='no BN neck',
         options={'model.student.neck._delete_': True,
                  'model.student.neck.type': 'mmpretrain.GlobalAveragePooling'}),
]

# Residual KD on the full preset (100 classes, 10,000 images, seed 0),
# where the shipped defaults tie the baseline student (README, "Results
# here"): the phase lengths and the mimic LRs, the settings the quick
# sweep (sweep_quick.py) found to matter, once more at full size.
#   python tools/analysis/sweep_distillation.py configs/residual_kd/sweep_full.py
# (about 12 min per variant on 2 cores; done variants are read back;
# --only NAME runs some of them, e.g. two processes at once).
config = ('configs/residual_kd/residual-kd_resnet18-w16_resnet18-3stage-w8_'
          '1xb64_synthshapes.py')
preset = 'full'
seeds = [0]


def epochs(student, assistant, head):
    return {'model.phase_epochs.student': student,
            'model.phase_epochs.assistant': assistant,
            'model.phase_epochs.head': head}


variants = [
    dict(name='shipped', options={}, seeds=[0, 1, 2]),
    dict(name='epochs 8 + 4 + 3', options=epochs(8, 4, 3), seeds=[0, 1, 2]),
    dict(name='epochs 4 + 4 + 7', options=epochs(4, 4, 7)),
    dict(name='mimic LRs halved (0.5 / 1.25 / 1.0)',
         options={'model.phase_optim.lr': [0.5, 1.25, 1.0]}),
]

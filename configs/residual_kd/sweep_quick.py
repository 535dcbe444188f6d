# The sweep that chose the Residual KD defaults (README, "How the defaults
# were found"): each variant changes the shipped config (BN neck, normalised
# mimic loss, residual in the teacher's units, peak LR 1.0 / 2.5 / 1.0 for
# student / assistant / head, 6 + 6 + 3 epochs) in one or a few settings, on
# the benchmark's quick preset (20 classes, 2,800 images, 15 epochs, seed 0).
# Run with
#   python tools/analysis/sweep_distillation.py configs/residual_kd/sweep_quick.py
# (about 3 min per variant on 2 cores; done variants are read back).
config = ('configs/residual_kd/residual-kd_resnet18-w16_resnet18-3stage-w8_'
          '1xb64_synthshapes.py')


def lr(*peaks):
    """Peak LR per phase: student, assistant, head [, finetune]."""
    return {'model.phase_optim.lr': list(peaks)}


def epochs(student, assistant, head, finetune=0):
    return {'model.phase_epochs.student': student,
            'model.phase_epochs.assistant': assistant,
            'model.phase_epochs.head': head,
            'model.phase_epochs.finetune': finetune}


variants = [
    dict(name='shipped', options={}),
    dict(name='head LR 0.5', options=lr(1.0, 2.5, 0.5)),
    dict(name='assistant LR 1, head LR 0.5', options=lr(1.0, 1.0, 0.5)),
    dict(name='raw residual, assistant LR 1, head LR 0.5',
         options=dict(lr(1.0, 1.0, 0.5), **{'model.residual_target': 'raw'})),
    dict(name='student LR 2.5, head LR 0.5', options=lr(2.5, 2.5, 0.5)),
    dict(name="LR 0.05 (the baseline's) in every phase",
         options={'model.phase_optim.lr': 0.05}),
    dict(name='previous defaults, with the BN neck',
         options={'model.phase_optim.lr': 0.05, 'model.residual_target': 'raw',
                  'model.mimic_loss.normalize': False}),
    dict(name='head LR 0.5, epochs 5 + 4 + 6',
         options=dict(lr(1.0, 2.5, 0.5), **epochs(5, 4, 6))),
    dict(name='head LR 0.5, epochs 5 + 4 + 2, then 4 of fine-tuning',
         options=dict(lr(1.0, 2.5, 0.5, 0.05), **epochs(5, 4, 2, 4))),
]

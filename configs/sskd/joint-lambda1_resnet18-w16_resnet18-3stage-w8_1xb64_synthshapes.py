# Ablation of stage-by-stage KD: classic joint feature KD, cross-entropy +
# lambda * (sum of the three stage losses), one 15-epoch run with the
# baselines' schedule. Its accuracy depends on lambda (try 0.1, 1, 10 with
# --cfg-options model.joint_lambda=...), which is what SSKD removes.
_base_ = ['./sskd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py']

model = dict(mode='joint', joint_lambda=1.0, joint_epochs=15,
             phase_optim=None)
# The baselines' schedule (configs/_base_/schedules/synth_shapes_quick.py).
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, eta_min=1e-4,
         convert_to_iter_based=True),
]
custom_hooks = []

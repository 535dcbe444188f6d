# Residual KD on SynthShapes, end-to-end variant: the same teacher, S and A
# as residual-kd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py, but
# one phase of 15 epochs where S, A and the head train together on
#   L = w_S * L_S + w_A * L_A + w_cls * L_cls   (w_S = w_A = w_cls = 1)
# with F_S detached inside the residual target, so L_A never pulls S away
# from the teacher. The baselines' schedule (1-epoch warm-up + cosine).
_base_ = ['./residual-kd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py']

model = dict(
    schedule='end2end',
    phase_epochs=dict(_delete_=True, end2end=15),
    phase_optim=None,  # the baselines' schedule below instead
    mimic_loss=dict(type='FeatureMSELoss', loss_weight=1.0),  # w_S
    residual_loss=dict(type='FeatureMSELoss', loss_weight=1.0),  # w_A
    cls_loss_weight=1.0,  # w_cls
)
# The baselines' schedule (configs/_base_/schedules/synth_shapes_quick.py).
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, eta_min=1e-4,
         convert_to_iter_based=True),
]

# Ablation of stage-by-stage KD: the backbone mimics all three stages at
# once for 12 epochs, then the head learns from labels for 3 (same budget).
_base_ = ['./sskd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py']

model = dict(mode='two_phase', stage_epochs=12, head_epochs=3)
param_scheduler = [
    dict(type='CosineRestartLR', periods=[12, 3], restart_weights=[1, 1],
         eta_min=1e-4, by_epoch=True, convert_to_iter_based=True),
]

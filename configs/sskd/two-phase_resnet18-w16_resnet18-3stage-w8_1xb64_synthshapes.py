# Ablation of stage-by-stage KD: the backbone mimics all three stages at
# once for 12 epochs, then the head learns from labels for 3 (same budget).
_base_ = ['./sskd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py']

# The LR: one cosine per phase, with the stage-by-stage config's mimic and
# head settings (not swept for this mode).
model = dict(mode='two_phase', stage_epochs=12, head_epochs=3,
             phase_optim=dict(lr=[2.5, 0.5], warmup_epochs=[1, 0]))

# Ablation (spec section 6, check 7): the single-stage baseline. The same
# renderer and image discriminator, but the features are noise fed straight
# into R (feature_source='noise'): a conditional GAN x = R(f_id, z) trained
# with the adversarial and identity losses (no stage 1, no feature
# consistency, no reconstruction path), for as many iterations as stages
# 2a + 2b together.
_base_ = ['./facefeat-gan-stage2a_1xb32_synthfaces32.py']
model = dict(stage='single_stage', lambda_feat=0.0,
             generator=dict(feature_source='noise'))
load_from = None
train_cfg = dict(max_iters=4000)

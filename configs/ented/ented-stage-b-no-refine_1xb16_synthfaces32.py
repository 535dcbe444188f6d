# Ablation (spec 5): ENTED without latent refinement (the style codes are
# the LQ queries; no cross-attention to the reference's tokens).
_base_ = ['./ented-stage-b_1xb16_synthfaces32.py']
model = dict(latent_refiner=dict(enabled=False))

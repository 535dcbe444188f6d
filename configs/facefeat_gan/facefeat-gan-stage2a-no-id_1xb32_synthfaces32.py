# Ablation (spec section 6, check 7): stage 2a without the identity loss.
_base_ = ['./facefeat-gan-stage2a_1xb32_synthfaces32.py']
model = dict(lambda_id=0.0)

# Ablation (spec 5): ENTED without the residual connection around the
# quantizer (the decoder sees the code words only).
_base_ = ['./ented-stage-b_1xb16_synthfaces32.py']
model = dict(residual='none')

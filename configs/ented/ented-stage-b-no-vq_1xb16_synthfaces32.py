# Ablation (spec 5): ENTED without code-word replacement (the decoder
# renders the LQ features themselves; the LQ encoder still starts from
# stage A's).
_base_ = ['./ented-stage-b_1xb16_synthfaces32.py']
model = dict(quantizer=None, init_from=dict(parts=('lq_encoder', )))

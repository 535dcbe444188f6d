# Ablation (spec 5): ENTED trained without its reference (textures and
# refinement tokens zeroed), i.e. a blind restorer with the same network.
_base_ = ['./ented-stage-b_1xb16_synthfaces32.py']
model = dict(reference='zero')

# The plain NTED baseline (spec 5): no code-word replacement, no latent
# refinement, NTED's plain (unmodulated) decoder; textures extracted from
# the reference and distributed as in NTED. Trains from scratch.
_base_ = ['./ented-stage-b_1xb16_synthfaces32.py']
model = dict(quantizer=None, latent_refiner=dict(enabled=False),
             decoder=dict(modulated=False), init_from=None)

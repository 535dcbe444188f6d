# HiGAN's layer-wise analysis of the SynthFaces StyleGAN2: w boundaries for
# semantics at four levels, layer-wise re-scoring, the layer x semantic heat
# map and the layers chosen per semantic (see README.md).
# Run: python tools/probe.py <this config>
_base_ = ['../_base_/probes/stylegan2_synthfaces32.py']

model = dict(
    type='LayerwiseSemanticProbe',
    predictor=dict(
        semantics=dict(
            yaw='yaw',
            long_hair='long_hair',
            eyeglasses='eyeglasses',
            smile='smile',
            age='aged',
            hair_color='hair_color=blond',
            skin_tone='skin_tone=dark',
            background='background=blue',
            lighting='lighting')),
    # HiGAN's levels (layout, object, attribute, colour) mapped to the
    # SynthFaces semantics; the grouping is ours (SynthFaces has no scene
    # layout or objects): pose is the layout, hair shape and glasses are
    # parts, expression and age cue are attributes, colours and lighting
    # form the colour scheme.
    levels=dict(
        yaw='layout',
        long_hair='object',
        eyeglasses='object',
        smile='attribute',
        age='attribute',
        hair_color='colour',
        skin_tone='colour',
        background='colour',
        lighting='colour'),
    spaces=('w', ),
    num_or_ratio=0.02,
    step=2.0,  # HiGAN's single re-scoring push
    strength_policy='truncation',
    select_ratio=0.5,
    seed=0)

probe_cfg = dict(
    num_samples=50000,
    seed=0,
    rescoring=dict(num_samples=2000, seed=2))

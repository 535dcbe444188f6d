# InterFaceGAN on the SynthFaces StyleGAN2: boundaries in z, w and per-layer
# wp for five attributes, conditional boundaries, and the edit figures of
# README.md. Run: python tools/probe.py <this config>
_base_ = ['../_base_/probes/stylegan2_synthfaces32.py']

model = dict(
    type='LinearBoundaryProbe',
    predictor=dict(
        # name -> the predictor output it reads (signed: > 0 = present).
        semantics=dict(
            smile='smile',
            eyeglasses='eyeglasses',
            yaw='yaw',  # > 0: facing one way, < 0: the other
            hair_color='hair_color=blond',  # log-odds of blond hair
            age='aged')),
    spaces=('z', 'w', 'wp'),
    num_or_ratio=0.02,  # official default: top and bottom 2 %
    split=0.7,
    svm=dict(kernel='linear', C=1.0),
    renormalize_z=True,
    seed=0)

probe_cfg = dict(
    num_samples=50000,
    seed=0,
    # Conditional boundaries: (primal, attributes kept unchanged). The
    # pairs are the most entangled ones of the boundary cosines (smile,
    # eyeglasses and yaw), plus hair colour and age cue, which SynthFaces
    # correlates (aged identities are more often grey, less often blond).
    conditions=[
        ('smile', ['eyeglasses']),
        ('smile', ['eyeglasses', 'yaw']),
        ('eyeglasses', ['smile']),
        ('yaw', ['smile']),
        ('age', ['hair_color']),
        ('hair_color', ['age']),
    ],
    evaluation=dict(num_samples=500, seed=1,
                    distances=(-3, -2, -1, 0, 1, 2, 3), distance=3.0))

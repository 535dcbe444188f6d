"""Attributes of SynthFaces and how identities and images draw them.

:data:`FACE_ATTRIBUTES` fixes the order of ``gt_attrs``. An identity (a
:class:`FaceSampler` row, the same in every split) fixes the face geometry,
the skin tone and priors over the per-image attributes; an image draws pose,
expression, accessories, hair, background and lighting around those priors.
"""
from typing import Dict, List, Tuple

import numpy as np

__all__ = ['FaceSampler', 'FACE_ATTRIBUTES', 'HAIR_COLORS', 'SKIN_TONES',
           'BACKGROUNDS']

HAIR_COLORS = ('black', 'brown', 'blond', 'red', 'grey')
SKIN_TONES = ('light', 'medium', 'dark')
BACKGROUNDS = ('blue', 'green', 'grey', 'beige', 'purple', 'teal')

#: The order of ``gt_attrs``; also the dataset's ``metainfo['attributes']``.
#: Binary values are 0/1, categorical ones a class index (as a float),
#: continuous ones lie in ``range``.
FACE_ATTRIBUTES: Tuple[dict, ...] = (
    dict(name='yaw', type='continuous', range=(-1.0, 1.0)),
    dict(name='smile', type='binary'),
    dict(name='mouth_open', type='binary'),
    dict(name='eyeglasses', type='binary'),
    dict(name='hair_color', type='categorical', num_classes=5,
         classes=HAIR_COLORS),
    dict(name='long_hair', type='binary'),
    dict(name='aged', type='binary'),
    dict(name='skin_tone', type='categorical', num_classes=3,
         classes=SKIN_TONES),
    dict(name='background', type='categorical', num_classes=6,
         classes=BACKGROUNDS),
    dict(name='lighting', type='continuous', range=(-1.0, 1.0)),
)
ATTRIBUTE_NAMES = tuple(a['name'] for a in FACE_ATTRIBUTES)

# Palettes (BGR, 0-255).
HAIR_BGR = np.array([(30, 28, 30), (35, 65, 115), (105, 190, 230),
                     (35, 75, 185), (178, 178, 182)], np.float64)
SKIN_BGR = np.array([(180, 205, 240), (120, 165, 212), (62, 95, 142)],
                    np.float64)
BACKGROUND_BGR = np.array([(190, 120, 50), (80, 165, 85), (150, 150, 150),
                           (165, 205, 225), (150, 65, 135), (150, 150, 35)],
                          np.float64)
IRIS_BGR = np.array([(30, 60, 100), (20, 35, 55), (170, 120, 60),
                     (90, 140, 70), (130, 130, 120)], np.float64)
# Dark or saturated frames: they must stand out of every skin tone.
FRAME_BGR = np.array([(20, 20, 20), (30, 50, 90), (110, 40, 25),
                      (40, 40, 150)], np.float64)

STREAM_IDENTITY = 0x1D  # random stream of identity rows (no split in key)


def _bern(rng: np.random.Generator, p: float) -> int:
    return int(rng.random() < p)


class FaceSampler:
    """Identity table and per-image attribute sampling of SynthFaces.

    Args:
        num_identities (int): Rows of the identity table.
        seed (int): Dataset seed; identities depend on it but not on the
            split, so every split shows the same people.
        yaw_range (float): Yaw is drawn from ``U(-yaw_range, yaw_range)``
            (at most 1).
        attribute_prior (float): Probability that an image keeps its
            identity's usual hair colour, hair length and age cue (the rest
            of the time they are drawn uniformly). Lower it to decorrelate
            those attributes from identity.
    """

    def __init__(self, num_identities: int, seed: int = 0,
                 yaw_range: float = 1.0, attribute_prior: float = 0.85):
        if not 0 <= yaw_range <= 1:
            raise ValueError(f'yaw_range={yaw_range}: must lie in [0, 1].')
        self.yaw_range = float(yaw_range)
        self.attribute_prior = float(attribute_prior)
        self.identities = [
            self._identity(np.random.default_rng([seed, STREAM_IDENTITY, i]))
            for i in range(num_identities)
        ]

    @staticmethod
    def _identity(rng: np.random.Generator) -> Dict[str, object]:
        u = rng.uniform
        aged = _bern(rng, 0.35)
        skin = int(rng.integers(3))
        hair = int(rng.choice(5, p=[.3, .3, .2, .1, .1] if not aged else
                              [.15, .15, .1, .05, .55]))
        return dict(
            face_w=u(0.19, 0.24), face_h=u(0.25, 0.30), jaw=u(0.55, 0.95),
            eye_sep=u(0.36, 0.5), eye_y=u(-0.14, -0.02),
            eye_size=u(0.036, 0.05), eye_open=u(0.45, 0.7),
            brow_thick=u(0.016, 0.032), brow_raise=u(0.05, 0.075),
            brow_slant=u(-0.02, 0.025), nose_len=u(0.07, 0.13),
            nose_width=u(0.02, 0.04), mouth_y=u(0.45, 0.62),
            mouth_w=u(0.3, 0.5), hairline=u(0.5, 0.72),
            hair_volume=u(1.04, 1.2), ear_size=u(0.8, 1.2),
            skin_tone=skin,
            skin_bgr=tuple(SKIN_BGR[skin] + u(-12, 12, 3)),
            hair_color=hair,
            hair_bgr=tuple(HAIR_BGR[hair] + u(-8, 8, 3)),
            long_hair=_bern(rng, 0.5), aged=aged,
            iris_bgr=tuple(IRIS_BGR[rng.integers(len(IRIS_BGR))]),
            frame_bgr=tuple(FRAME_BGR[rng.integers(len(FRAME_BGR))]),
            round_glasses=_bern(rng, 0.5),
            glasses_prior=0.8 if rng.random() < 0.3 else 0.08,
            smile_prior=u(0.3, 0.7))

    def sample(self, rng: np.random.Generator, identity: int) -> dict:
        """Draw one image's attributes and nuisances for ``identity``.

        Returns:
            dict: one key per name in :data:`ATTRIBUTE_NAMES` plus the
            nuisances ``dx``, ``dy``, ``zoom``, ``clothes_bgr``, ``bg_bgr``
            and ``bg_grad``.
        """
        ident = self.identities[identity]
        keep = self.attribute_prior
        hair = ident['hair_color']
        if rng.random() >= keep:  # dyed: any colour but the natural one
            hair = int((hair + rng.integers(1, 5)) % 5)
        background = int(rng.integers(len(BACKGROUNDS)))
        params = dict(
            yaw=float(rng.uniform(-self.yaw_range, self.yaw_range)),
            smile=_bern(rng, ident['smile_prior']),
            mouth_open=_bern(rng, 0.4),
            eyeglasses=_bern(rng, ident['glasses_prior']),
            hair_color=hair,
            long_hair=ident['long_hair'] if rng.random() < keep else
            1 - ident['long_hair'],
            aged=ident['aged'] if rng.random() < keep else 1 - ident['aged'],
            skin_tone=ident['skin_tone'],
            background=background,
            lighting=float(rng.uniform(-1, 1)))
        params.update(self._nuisance(rng, background))
        return params

    @staticmethod
    def _nuisance(rng: np.random.Generator, background: int) -> dict:
        return dict(
            dx=float(rng.uniform(-0.03, 0.03)),
            dy=float(rng.uniform(-0.03, 0.03)),
            zoom=float(rng.uniform(0.94, 1.06)),
            clothes_bgr=tuple(rng.uniform(20, 235, 3)),
            bg_bgr=BACKGROUND_BGR[background] + rng.uniform(-14, 14, 3),
            bg_grad=float(rng.uniform(-18, 18)))

    def sample_pair(self, rng: np.random.Generator, first: dict,
                    min_yaw_change: float = 0.4) -> dict:
        """A second view of the identity of ``first``.

        Keeps appearance (identity, glasses, hair, age cue, background,
        clothes) and redraws the pose (yaw at least ``min_yaw_change`` away
        when the yaw range allows), the expression (always a different
        (smile, mouth_open) combination), the lighting and the position.
        """
        second = dict(first)
        span = self.yaw_range
        yaw = first['yaw']
        for _ in range(32):  # rejection: uniform on the allowed yaws
            yaw = float(rng.uniform(-span, span))
            if abs(yaw - first['yaw']) >= min(min_yaw_change, span):
                break
        expression = 2 * first['smile'] + first['mouth_open']
        expression = (expression + int(rng.integers(1, 4))) % 4
        second.update(
            yaw=yaw, smile=expression // 2, mouth_open=expression % 2,
            lighting=float(rng.uniform(-1, 1)),
            dx=float(rng.uniform(-0.03, 0.03)),
            dy=float(rng.uniform(-0.03, 0.03)),
            zoom=float(rng.uniform(0.94, 1.06)))
        return second

    @staticmethod
    def attribute_vector(params: dict) -> np.ndarray:
        """``params`` as ``gt_attrs``: float32, shape ``(10,)``, in
        :data:`FACE_ATTRIBUTES` order."""
        return np.array([params[name] for name in ATTRIBUTE_NAMES],
                        np.float32)

    @staticmethod
    def attribute_specs() -> List[dict]:
        """A fresh copy of :data:`FACE_ATTRIBUTES` for ``metainfo``."""
        return [dict(spec) for spec in FACE_ATTRIBUTES]

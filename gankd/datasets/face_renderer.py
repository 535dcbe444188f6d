"""Renderer of SynthFaces images: anti-aliased cartoon heads drawn with cv2.

Drawing happens on a 4-channel canvas of side ``max(64, img_size)``: the BGR
channels hold the picture and the 4th channel records what covers each pixel
(0 background, 128 hair/neck/ears/clothes, 255 face skin and the features
on it). Anti-aliased drawing blends that channel like the colours, so one
pass gives both the image and ``face_mask``, and the lighting gradient is
applied to the person only. The canvas is area-reduced to ``img_size``.

Geometry is in canvas units (0-1). Yaw turns the head about a vertical axis:
a feature at frontal position ``u`` (fraction of the face half-width) moves
to ``sin(asin(u) + yaw * yaw_angle)`` and is foreshortened by the ratio of
cosines, so features shift towards the turn and that side compresses; the
nose tip, standing out of the face, moves further than the eyes.
"""
import math
from typing import Dict, Tuple

import cv2
import numpy as np

from .face_attributes import HAIR_BGR
from .face_features import (AA, BODY, FACE, RING_COS, RING_LOWER, RING_SIN,
                            SHIFT, FaceFeatures, shade)

__all__ = ['FaceRenderer']


class FaceRenderer(FaceFeatures):
    """Draws one face from an identity row and image parameters.

    Args:
        img_size (int): Output side.
        yaw_angle (float): Head rotation in radians at ``yaw = +-1``.
        light_strength (float): Relative brightness change across the face
            at ``lighting = +-1`` (positive lighting: light from the image's
            right, which gets brighter).
        noise (float): Std of Gaussian pixel noise (0-255 scale).
    """

    def __init__(self, img_size: int = 32, yaw_angle: float = 0.7,
                 light_strength: float = 0.35, noise: float = 2.0):
        self.img_size = int(img_size)
        self.res = max(64, self.img_size)
        self.yaw_angle = float(yaw_angle)
        self.light_strength = float(light_strength)
        self.noise = float(noise)
        axis = (np.arange(self.res, dtype=np.float32) + 0.5) / self.res
        self._xs = axis
        self._ramp_y = (axis - 0.5)[:, None, None]

    # -- drawing -----------------------------------------------------------
    def render(self, ident: dict, p: dict,
               rng: np.random.Generator) -> Dict[str, np.ndarray]:
        """Draw the face of identity row ``ident`` with image params ``p``.

        Returns:
            dict: ``img`` uint8 BGR ``(S, S, 3)`` and ``face_mask`` uint8
            ``(S, S)``, 1 on face skin and the features drawn on it (not on
            hair, ears, neck or background).
        """
        res = self.res
        canvas = np.empty((res, res, 4), np.uint8)
        bg = np.asarray(p['bg_bgr'], np.float32)
        canvas[..., :3] = np.clip(bg + self._ramp_y * p['bg_grad'], 0, 255)
        canvas[..., 3] = 0

        z = p['zoom']
        fw, fh = ident['face_w'] * z, ident['face_h'] * z
        cx, cy = 0.5 + p['dx'], 0.46 + p['dy']
        psi = p['yaw'] * self.yaw_angle
        s_psi, c_psi = math.sin(psi), math.cos(psi)
        skin = ident['skin_bgr']
        hair_bgr = (ident['hair_bgr'] if p['hair_color'] == ident['hair_color']
                    else tuple(HAIR_BGR[p['hair_color']]))
        hair = shade(hair_bgr, 1.0, BODY)

        def proj(u: float) -> Tuple[float, float]:
            """Frontal position ``u`` -> (canvas x, foreshortening)."""
            a = math.asin(max(-1.0, min(1.0, u)))
            return (cx + fw * math.sin(a + psi),
                    max(math.cos(a + psi), 0.12) / max(math.cos(a), 0.12))

        # Body: shoulders, neck, and hair that falls behind the head.
        cv2.ellipse(canvas, self._p(cx - 0.03 * s_psi, cy + fh + 0.3),
                    self._a(0.4 * z, 0.2 * z), 0, 0, 360,
                    (*p['clothes_bgr'], BODY), -1, AA, SHIFT)
        nx = cx + 0.15 * fw * s_psi
        self._poly(canvas, np.array([nx - .42 * fw, nx + .42 * fw,
                                     nx + .42 * fw, nx - .42 * fw]),
                   np.array([cy, cy, cy + fh + .15, cy + fh + .15]),
                   shade(skin, 0.82, BODY))
        back = cx - 0.25 * fw * s_psi
        hv = ident['hair_volume']
        if p['long_hair']:
            cv2.ellipse(canvas, self._p(back, cy - 0.05),
                        self._a(fw * hv * 1.12, fh * 1.02), 0, 0, 360, hair,
                        -1, AA, SHIFT)
            self._poly(canvas, np.array([back - fw * hv * 1.12,
                                         back + fw * hv * 1.12,
                                         back + fw * hv * 1.0,
                                         back - fw * hv * 1.0]),
                       np.array([cy - .05, cy - .05, cy + fh * 1.5,
                                 cy + fh * 1.5]), hair)
        else:
            cv2.ellipse(canvas, self._p(back, cy - 0.12 * fh),
                        self._a(fw * hv, fh * 0.95), 0, 0, 360, hair, -1,
                        AA, SHIFT)
            ey = cy + (ident['eye_y'] + 0.12) * fh
            for side in (-1, 1):  # ears, hidden by long hair
                width = 0.026 * ident['ear_size'] * (1 - 0.6 * side * s_psi)
                cv2.ellipse(canvas, self._p(back + side * fw * 1.0, ey),
                            self._a(max(width, 0.004) * z, 0.05 * z), 0, 0,
                            360, shade(skin, 0.9, BODY), -1, AA, SHIFT)

        # Face: an ellipse whose lower half narrows to the jaw; the chin
        # follows the turn while the skull outline barely moves.
        narrow = 1 - (1 - ident['jaw']) * RING_LOWER
        xs = (cx + 0.06 * fw * s_psi + fw * RING_COS * narrow +
              0.3 * fw * s_psi * RING_LOWER)
        self._poly(canvas, xs, cy + fh * RING_SIN, shade(skin, 1.0))

        eye_y = cy + ident['eye_y'] * fh
        eye_w = ident['eye_size'] * z
        if p['aged']:
            self._wrinkles(canvas, ident, proj, eye_y, eye_w, cy, fh)

        # Hair over the forehead (not face: it leaves face_mask).
        cv2.ellipse(canvas, self._p(cx + 0.1 * fw * s_psi,
                                    cy - ident['hairline'] * fh),
                    self._a(fw * 1.07, fh * (1 - ident['hairline']) + 0.03),
                    0, 180, 360, hair, -1, AA, SHIFT)

        self._eyes(canvas, ident, p, proj, eye_y, eye_w, s_psi)
        self._nose_mouth(canvas, ident, p, proj, eye_y, cx, cy, fw, fh,
                         s_psi, c_psi)
        if p['eyeglasses']:
            self._glasses(canvas, ident, proj, eye_y, eye_w, cx, fw, s_psi)
        return self._finish(canvas, p, cx, fw, rng)

    def _finish(self, canvas, p, cx, fw, rng) -> Dict[str, np.ndarray]:
        cover = canvas[..., 3]
        # Shading from the side: brightness ramps across the head, on the
        # person only (background colour stays a clean label).
        ramp = np.clip((self._xs - cx) / (1.2 * fw), -1.0, 1.0)
        ramp *= self.light_strength * p['lighting']
        weight = np.minimum(cover, BODY).astype(np.float32) * (1.0 / BODY)
        img = canvas[..., :3] * (1.0 + weight * ramp[None, :])[..., None]
        face = (cover > (FACE + BODY) // 2).astype(np.float32)
        s = self.img_size
        if s != self.res:
            img = cv2.resize(img, (s, s), interpolation=cv2.INTER_AREA)
            face = cv2.resize(face, (s, s), interpolation=cv2.INTER_AREA)
        if self.noise > 0:
            img += rng.normal(0, self.noise, img.shape).astype(np.float32)
        return dict(
            img=np.clip(img, 0, 255).astype(np.uint8),
            face_mask=(face >= 0.5).astype(np.uint8))

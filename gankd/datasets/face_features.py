"""Facial features of SynthFaces: eyes, brows, nose, mouth, glasses, wrinkles.

:class:`FaceFeatures` is the drawing half of
:class:`~gankd.datasets.face_renderer.FaceRenderer`: canvas-unit geometry
helpers (cv2 fixed point, so features move by sub-pixel amounts) and one
method per feature group. Every feature is drawn with coverage code ``FACE``
in the 4th canvas channel, so it counts as face in ``face_mask``.
"""
from typing import Tuple

import cv2
import numpy as np

__all__ = ['FaceFeatures']

SHIFT = 4  # cv2 fixed-point bits: sub-pixel geometry at any canvas size
ONE = float(1 << SHIFT)
AA = cv2.LINE_AA
FACE, BODY = 255, 128  # coverage codes in the 4th canvas channel

RING = np.linspace(0, 2 * np.pi, 36, endpoint=False)
RING_COS, RING_SIN = np.cos(RING), np.sin(RING)
# 0 on the upper half of the ring, rising to 1 at the chin
RING_LOWER = np.clip(RING_SIN, 0, None)**2
HALF_TURN = np.linspace(0, np.pi, 9)  # lower half-ellipse (open smile)


def shade(bgr, factor: float, alpha: int = FACE) -> Tuple[float, ...]:
    """``bgr`` scaled by ``factor``, as a cv2 colour with coverage code."""
    return (bgr[0] * factor, bgr[1] * factor, bgr[2] * factor, alpha)


class FaceFeatures:
    """Geometry helpers and feature drawing (base class of FaceRenderer).

    Subclasses set ``self.res``, the canvas side in pixels. Geometry is in
    canvas units (0-1); ``proj(u)`` maps a frontal position ``u`` (fraction
    of the face half-width) to ``(x, foreshortening)`` for the current yaw.
    """
    res: int

    def _p(self, x: float, y: float) -> Tuple[int, int]:
        s = self.res * ONE
        return int(x * s), int(y * s)

    def _a(self, a: float, b: float) -> Tuple[int, int]:
        s = self.res * ONE
        return max(int(a * s), 1), max(int(b * s), 1)

    def _th(self, t: float) -> int:
        return max(1, int(round(t * self.res)))

    def _poly(self, canvas, xs, ys, colour) -> None:
        s = self.res * ONE
        pts = np.stack([xs * s, ys * s], 1).astype(np.int32)
        cv2.fillPoly(canvas, [pts], colour, AA, SHIFT)

    # -- features ----------------------------------------------------------
    def _wrinkles(self, canvas, ident, proj, eye_y, eye_w, cy, fh):
        line = shade(ident['skin_bgr'], 0.58)
        th = self._th(0.025)  # 2 px at 64: visible after reduction to 32
        for k in (1, 2):  # forehead lines, below the hairline
            y = eye_y - ident['brow_raise'] - 0.028 * k
            if y > cy - ident['hairline'] * fh + 0.015:
                (x0, _), (x1, _) = proj(-0.45), proj(0.45)
                cv2.line(canvas, self._p(x0, y), self._p(x1, y), line, th,
                         AA, SHIFT)
        for side in (-1, 1):
            x, k = proj(side * (ident['eye_sep'] + 0.02))
            corner = x + side * eye_w * k * 1.15
            for dy in (-0.012, 0.0, 0.012):  # crow's feet
                cv2.line(canvas, self._p(corner, eye_y),
                         self._p(corner + side * 0.03 * k, eye_y + dy * 1.5),
                         line, th, AA, SHIFT)
            x0, _ = proj(side * 0.25)
            x1, _ = proj(side * (ident['mouth_w'] + 0.12))
            y0 = eye_y + ident['nose_len'] * 0.9
            cv2.line(canvas, self._p(x0, y0),
                     self._p(x1, cy + ident['mouth_y'] * fh + 0.01), line, th,
                     AA, SHIFT)  # nose-to-mouth fold

    def _eyes(self, canvas, ident, p, proj, eye_y, eye_w, s_psi):
        squint = 0.75 if p['smile'] else 1.0
        eye_h = eye_w * ident['eye_open'] * squint
        dark = shade(ident['skin_bgr'], 0.35)
        brow = shade(ident['hair_bgr'], 0.6)
        for side in (-1, 1):
            x, k = proj(side * ident['eye_sep'])
            w = eye_w * k
            cv2.ellipse(canvas, self._p(x, eye_y), self._a(w, eye_h), 0, 0,
                        360, (238, 242, 246, FACE), -1, AA, SHIFT)
            iris_x = x + 0.3 * w * s_psi
            r = eye_h * 0.95
            cv2.ellipse(canvas, self._p(iris_x, eye_y),
                        self._a(min(r * k, w), r), 0, 0, 360,
                        (*ident['iris_bgr'], FACE), -1, AA, SHIFT)
            cv2.ellipse(canvas, self._p(iris_x, eye_y),
                        self._a(min(r * k, w) * 0.45, r * 0.45), 0, 0, 360,
                        (15, 15, 15, FACE), -1, AA, SHIFT)
            cv2.ellipse(canvas, self._p(x, eye_y), self._a(w, eye_h), 0,
                        180, 360, dark, self._th(0.014), AA, SHIFT)
            xi, _ = proj(side * (ident['eye_sep'] - 0.2))
            xo, _ = proj(side * (ident['eye_sep'] + 0.22))
            yb = eye_y - ident['brow_raise']
            cv2.line(canvas, self._p(xi, yb + ident['brow_slant'] * 0.5),
                     self._p(xo, yb - ident['brow_slant'] * 0.5), brow,
                     self._th(ident['brow_thick']), AA, SHIFT)

    def _nose_mouth(self, canvas, ident, p, proj, eye_y, cx, cy, fw, fh,
                    s_psi, c_psi):
        skin = ident['skin_bgr']
        tip_x, tip_y = cx + fw * 1.3 * s_psi, eye_y + ident['nose_len']
        cv2.line(canvas, self._p(cx + fw * 1.05 * s_psi, eye_y + 0.01),
                 self._p(tip_x, tip_y), shade(skin, 0.7),
                 self._th(0.016), AA, SHIFT)
        nw = ident['nose_width'] * c_psi
        for side in (-1, 1):
            cv2.ellipse(canvas, self._p(tip_x + side * nw, tip_y + 0.006),
                        self._a(0.009, 0.006), 0, 0, 360, shade(skin, 0.5),
                        -1, AA, SHIFT)
        mx = cx + fw * 1.05 * s_psi
        my = cy + ident['mouth_y'] * fh
        mw = ident['mouth_w'] * fw * (0.55 + 0.45 * c_psi)
        lip = (skin[0] * 0.62, skin[1] * 0.55, skin[2] * 0.85, FACE)
        th = self._th(0.025)
        if not (p['smile'] or p['mouth_open']):  # closed, neutral: a line
            cv2.line(canvas, self._p(mx - mw, my), self._p(mx + mw, my), lip,
                     th, AA, SHIFT)
            return
        # Two cues that survive 32x32 and do not depend on each other: a
        # smile shows teeth (white) in a wide D shape with the corners up, an
        # open mouth shows the dark cavity.
        top = my - 0.01
        depth = 0.055 if p['mouth_open'] else 0.04
        if p['smile']:
            width = mw * 1.1
            xs = mx + width * np.cos(HALF_TURN)
            ys = top + depth * np.sin(HALF_TURN)
        else:  # open, not smiling: a round O
            width = mw * 0.75
            xs = mx + width * RING_COS
            ys = top + depth * 0.5 * (1 + RING_SIN)
        teeth, cavity = (235, 240, 240, FACE), (45, 30, 95, FACE)
        self._poly(canvas, xs, ys, cavity if p['mouth_open'] else teeth)
        if p['smile'] and p['mouth_open']:  # upper teeth over the cavity
            self._poly(canvas, np.array([mx - .85 * width, mx + .85 * width,
                                         mx + .7 * width, mx - .7 * width]),
                       np.array([top, top, top + .02, top + .02]), teeth)
        # A thin lip outline: a thick one would hide the inside at 32x32.
        pts = np.stack([xs, ys], 1) * self.res * ONE
        cv2.polylines(canvas, [pts.astype(np.int32)], True, lip,
                      self._th(0.014), AA, SHIFT)

    def _glasses(self, canvas, ident, proj, eye_y, eye_w, cx, fw, s_psi):
        frame = (*ident['frame_bgr'], FACE)
        th = self._th(0.03)  # 2 px at 64, still a line at 32
        rw, rh = eye_w * 1.6, eye_w * 1.3
        inner, outer = [], []
        for side in (-1, 1):
            x, k = proj(side * ident['eye_sep'])
            w = rw * k
            if ident['round_glasses']:
                cv2.ellipse(canvas, self._p(x, eye_y), self._a(w, rh), 0, 0,
                            360, frame, th, AA, SHIFT)
            else:
                pts = np.array([(x - w, eye_y - rh * .8),
                                (x + w, eye_y - rh * .8),
                                (x + w, eye_y + rh * .8),
                                (x - w, eye_y + rh * .8)]) * self.res * ONE
                cv2.polylines(canvas, [pts.astype(np.int32)], True, frame, th,
                              AA, SHIFT)
            inner.append(x - side * w)
            outer.append(x + side * w)
        y = eye_y - rh * 0.3
        cv2.line(canvas, self._p(inner[0], y), self._p(inner[1], y), frame,
                 th, AA, SHIFT)
        # Arms run to the side of the head, where the outline is at eye level.
        edge = cx + 0.06 * fw * s_psi
        for side, x in zip((-1, 1), outer):
            end = edge + side * fw * 0.97
            if side * (end - x) > 0:
                cv2.line(canvas, self._p(x, y), self._p(end, y), frame, th,
                         AA, SHIFT)

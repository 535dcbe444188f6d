"""Class templates of SynthShapes: 10 shapes x 10 surface patterns.

Each template holds a shape's anti-aliased mask and a pattern in the
object's own frame (``u, v`` in [-1, 1]); :class:`ShapeRenderer` warps it
into place, so the pattern turns and scales with the object.
"""
import functools

import cv2
import numpy as np

__all__ = ['class_templates', 'SHAPES', 'PATTERNS', 'TEMPLATE']

SHAPES = ('circle', 'square', 'triangle', 'star', 'cross', 'heart',
          'crescent', 'arrow', 'ellipse', 'ring')
PATTERNS = ('solid', 'stripes', 'bands', 'checker', 'dots', 'rings', 'grid',
            'halves', 'outline', 'spot')

TEMPLATE = 64  # template side in pixels; the object spans about 90% of it
_SUPER = 4  # shapes are filled at 4x and area-reduced: anti-aliased masks


def _star(points: int, outer: float, inner: float) -> np.ndarray:
    angles = -np.pi / 2 + np.arange(2 * points) * np.pi / points
    radii = np.where(np.arange(2 * points) % 2 == 0, outer, inner)
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)


def _shape_mask(name: str) -> np.ndarray:
    """Float mask in [0, 1], shape ``(TEMPLATE, TEMPLATE)``."""
    size = TEMPLATE * _SUPER
    canvas = np.zeros((size, size), np.uint8)

    def px(points):
        return [np.round((np.asarray(points) + 1) * size / 2).astype(np.int32)]

    def disc(cx, cy, r, value=255):
        centre = (int((cx + 1) * size / 2), int((cy + 1) * size / 2))
        cv2.circle(canvas, centre, int(r * size / 2), value, -1)

    if name == 'circle':
        disc(0, 0, 0.85)
    elif name == 'square':
        cv2.fillPoly(canvas, px([(-.7, -.7), (.7, -.7), (.7, .7), (-.7, .7)]),
                     255)
    elif name == 'triangle':
        cv2.fillPoly(canvas, px(_star(3, 0.95, 0.95)[::2]), 255)
    elif name == 'star':
        cv2.fillPoly(canvas, px(_star(5, 0.95, 0.4)), 255)
    elif name == 'cross':
        w, r = 0.28, 0.88
        cv2.fillPoly(canvas, px([(-w, -r), (w, -r), (w, r), (-w, r)]), 255)
        cv2.fillPoly(canvas, px([(-r, -w), (r, -w), (r, w), (-r, w)]), 255)
    elif name == 'heart':
        t = np.linspace(0, 2 * np.pi, 90)
        x = 16 * np.sin(t)**3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) -
              np.cos(4 * t))
        cv2.fillPoly(canvas, px(np.stack([x, y + 2.5], 1) / 18), 255)
    elif name == 'crescent':
        disc(0, 0, 0.85)
        disc(0.42, -0.1, 0.68, 0)
    elif name == 'arrow':
        cv2.fillPoly(
            canvas,
            px([(-.88, -.2), (.1, -.2), (.1, -.6), (.9, 0), (.1, .6),
                (.1, .2), (-.88, .2)]), 255)
    elif name == 'ellipse':
        cv2.ellipse(canvas, (size // 2, size // 2),
                    (int(0.9 * size / 2), int(0.45 * size / 2)), 0, 0, 360,
                    255, -1)
    elif name == 'ring':
        disc(0, 0, 0.88)
        disc(0, 0, 0.45, 0)
    else:
        raise KeyError(name)
    small = cv2.resize(canvas, (TEMPLATE, TEMPLATE),
                       interpolation=cv2.INTER_AREA)
    return small.astype(np.float32) / 255


def _edge(x: np.ndarray, width: float = 0.05) -> np.ndarray:
    """Soft step 0 -> 1 around ``x == 0`` (anti-aliasing in the template)."""
    return np.clip(0.5 + x / width, 0, 1)


def _pattern(name: str, mask: np.ndarray) -> np.ndarray:
    """Pattern value in [0, 1] (0: base colour, 1: second colour)."""
    axis = (np.arange(TEMPLATE, dtype=np.float32) + 0.5) * 2 / TEMPLATE - 1
    v, u = np.meshgrid(axis, axis, indexing='ij')
    if name == 'solid':
        return np.zeros_like(u)
    if name == 'stripes':
        return _edge(np.sin(2 * np.pi * v / 0.45), 0.3)
    if name == 'bands':
        return _edge(np.sin(2 * np.pi * u / 1.0), 0.3)
    if name == 'checker':
        return _edge(np.sin(np.pi * u / 0.42) * np.sin(np.pi * v / 0.42), 0.2)
    if name == 'dots':
        du = (u + 0.275) % 0.55 - 0.275
        dv = (v + 0.275) % 0.55 - 0.275
        return _edge(0.17 - np.hypot(du, dv))
    if name == 'rings':
        return _edge(np.sin(2 * np.pi * np.hypot(u, v) / 0.45), 0.3)
    if name == 'grid':
        du = np.abs((u + 0.25) % 0.5 - 0.25)
        dv = np.abs((v + 0.25) % 0.5 - 0.25)
        return _edge(0.06 - np.minimum(du, dv))
    if name == 'halves':
        return _edge(u)
    if name == 'outline':
        inside = (mask > 0.5).astype(np.uint8)
        dist = cv2.distanceTransform(inside, cv2.DIST_L2, 3) * 2 / TEMPLATE
        return _edge(0.25 - dist)
    if name == 'spot':
        # Wider than the ring's hole (0.45), so ring_spot differs from
        # ring_solid.
        return _edge(0.6 - np.hypot(u, v))
    raise KeyError(name)


@functools.lru_cache(maxsize=None)
def class_templates() -> np.ndarray:
    """All class templates, built once per process.

    Returns:
        np.ndarray: float32, shape ``(len(SHAPES) * len(PATTERNS), TEMPLATE,
        TEMPLATE, 4)``; channel 0 is the mask, 1 the pattern, 2 and 3 are
        zero (OpenCV warps 4 float channels about 4x faster than 2). Class
        ``k`` is shape ``k % 10`` with pattern ``k // 10``.
    """
    masks = [_shape_mask(name) for name in SHAPES]
    out = np.zeros((len(PATTERNS), len(SHAPES), TEMPLATE, TEMPLATE, 4),
                   np.float32)
    for p, pattern in enumerate(PATTERNS):
        for s, mask in enumerate(masks):
            out[p, s, ..., 0] = mask
            out[p, s, ..., 1] = _pattern(pattern, mask)
    out.setflags(write=False)
    return out.reshape(-1, TEMPLATE, TEMPLATE, 4)

"""Renderer of SynthShapes images: a patterned shape on a cluttered background.

A class is a (shape, pattern) pair. Both are drawn once per process into a
template in the object's own frame (``u, v`` in [-1, 1]), so the pattern turns
and scales with the object; each image then costs one ``cv2.warpAffine`` of
the template plus a few small numpy operations.
"""
from typing import Dict, Tuple

import cv2
import numpy as np

from .shape_templates import TEMPLATE, class_templates

__all__ = ['ShapeRenderer']


class ShapeRenderer:
    """Draws one SynthShapes image from a label and a random generator.

    Args:
        img_size (int): Output side S; drawing happens at 2S and is
            area-reduced, so thin pattern lines are anti-aliased.
        scale_range (tuple[float, float]): Object extent as a fraction of S.
        rotation (float): Rotation drawn from ``U(-rotation, rotation)``
            degrees; 180 means any angle.
        translate (float): Centre offset drawn from ``U(-t, t) * S`` per axis.
        clutter (float): Mean number (Poisson) of background lines and blobs.
        noise (float): Std of additive Gaussian pixel noise (0-255 scale).
        contrast_range (tuple[float, float]): How far the pattern's second
            colour moves from the base colour (0: invisible, 1: full).
        min_object_contrast (float): Minimum L1 distance (0-765) between the
            object colour and the mean background colour.
        label_background (bool): Give every class its own background base
            colour (a fixed palette), so that the background alone predicts
            the label: a shortcut for tests of what a network relies on.
            Off by default; off, the images are unchanged.
    """

    def __init__(self,
                 img_size: int = 32,
                 scale_range: Tuple[float, float] = (0.45, 0.8),
                 rotation: float = 180.0,
                 translate: float = 0.15,
                 clutter: float = 4.0,
                 noise: float = 6.0,
                 contrast_range: Tuple[float, float] = (0.45, 0.85),
                 min_object_contrast: float = 120.0,
                 label_background: bool = False):
        self.img_size = int(img_size)
        self.canvas = 2 * self.img_size
        self.scale_range = tuple(float(s) for s in scale_range)
        self.rotation = float(rotation)
        self.translate = float(translate)
        self.clutter = float(clutter)
        self.noise = float(noise)
        self.contrast_range = tuple(float(c) for c in contrast_range)
        self.min_object_contrast = float(min_object_contrast)
        self.label_background = bool(label_background)
        self.templates = class_templates()
        ramp = np.linspace(-1, 1, self.canvas, dtype=np.float32)
        self._ramp_x = ramp[None, :, None]
        self._ramp_y = ramp[:, None, None]

    def _background(self, rng: np.random.Generator,
                    label: int) -> Tuple[np.ndarray, np.ndarray]:
        c = self.canvas
        base = rng.uniform(0, 255, 3).astype(np.float32)
        if self.label_background:  # drawn above all the same: rng in step
            base = np.random.default_rng(label).uniform(
                0, 255, 3).astype(np.float32)
        gx, gy = rng.uniform(-40, 40, (2, 3)).astype(np.float32)
        img = base + self._ramp_x * gx + self._ramp_y * gy
        img = np.clip(img, 0, 255).astype(np.uint8)
        for _ in range(rng.poisson(self.clutter)):
            colour = tuple(int(x) for x in rng.integers(0, 256, 3))
            x0, y0, x1, y1 = (int(x) for x in rng.integers(0, c * 16, 4))
            if rng.random() < 0.5:  # a line across part of the image
                cv2.line(img, (x0, y0), (x1, y1), colour,
                         int(rng.integers(1, 4)), cv2.LINE_AA, 4)
            else:  # a blob, small enough not to read as the object
                axes = tuple(int(x) for x in rng.integers(c, c * 8 // 3, 2))
                cv2.ellipse(img, (x0, y0), axes, float(rng.uniform(0, 180)),
                            0, 360, colour, -1, cv2.LINE_AA, 4)
        return img, base

    def _colours(self, rng: np.random.Generator,
                 background: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        for _ in range(8):  # rejection: keep the object visible
            base = rng.uniform(0, 255, 3).astype(np.float32)
            if np.abs(base - background).sum() >= self.min_object_contrast:
                break
        contrast = rng.uniform(*self.contrast_range)
        # Move towards black or white, whichever is further: the pattern
        # stays visible even for a mid-grey base colour.
        if base.mean() > 127.5:
            second = base * (1 - contrast)
        else:
            second = base + (255 - base) * contrast
        return base, second.astype(np.float32)

    def render(self, label: int,
               rng: np.random.Generator) -> Dict[str, np.ndarray]:
        """Draw one image of class ``label``.

        Returns:
            dict: ``img`` uint8 BGR ``(S, S, 3)`` and ``fg_mask`` uint8
            ``(S, S)``, 1 where the object covers at least half a pixel.
        """
        c, s = self.canvas, self.img_size
        img, bg_mean = self._background(rng, label)
        base, second = self._colours(rng, bg_mean)
        zoom = rng.uniform(*self.scale_range) * c / TEMPLATE
        angle = rng.uniform(-self.rotation, self.rotation)
        centre = c / 2 + rng.uniform(-self.translate, self.translate, 2) * c
        affine = cv2.getRotationMatrix2D((TEMPLATE / 2, TEMPLATE / 2), angle,
                                         zoom)
        affine[:, 2] += centre - TEMPLATE / 2
        warped = cv2.warpAffine(self.templates[label], affine, (c, c),
                                flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT)
        alpha, pattern = warped[..., :1], warped[..., 1:2]
        obj = base + (second - base) * pattern
        out = img + alpha * (obj - img)
        out = cv2.resize(out, (s, s), interpolation=cv2.INTER_AREA)
        mask = cv2.resize(alpha[..., 0], (s, s), interpolation=cv2.INTER_AREA)
        if self.noise > 0:
            out += rng.normal(0, self.noise, out.shape).astype(np.float32)
        return dict(
            img=np.clip(out, 0, 255).astype(np.uint8),
            fg_mask=(mask >= 0.5).astype(np.uint8))

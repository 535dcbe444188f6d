"""The blind-face-restoration degradation model as data transforms.

``I_lq = JPEG_q((I_gt * k_sigma) down_r + n_delta) up_r`` (GFPGAN's model;
ENTED spec 2.3), one registered transform per step, in that order::

    dict(type='RandomGaussianBlur', sigma_range=(0.1, 10)),
    dict(type='RandomDownsample', scale_range=(1, 8)),
    dict(type='RandomGaussianNoise', std_range=(0, 20)),
    dict(type='RandomJPEG', quality_range=(60, 100)),
    dict(type='ResizeLike'),  # back to the ground truth's size

Every step maps a uint8 BGR ``(h, w, 3)`` image to a uint8 image, as a
saved file would be (each rounding costs at most half a grey level), so a
degraded image from this pipeline and one read from disk by
``tools/restore.py`` are the same kind of input. Randomness and the
recorded parameters: :mod:`.degradation_step`.
"""
import math

import cv2
import mmcv
import numpy as np

from gankd.registry import TRANSFORMS
from .degradation_step import (DegradationStep, DegradationTransformError,
                               check_range)

__all__ = ['RandomGaussianBlur', 'RandomDownsample', 'RandomGaussianNoise',
           'RandomJPEG', 'ResizeLike']

INTERPOLATIONS = ('nearest', 'bilinear', 'bicubic', 'area', 'lanczos')


def _check_interpolation(name: str) -> str:
    if name not in INTERPOLATIONS:
        raise DegradationTransformError(
            f"interpolation {name!r}: use one of {', '.join(INTERPOLATIONS)}")
    return name


@TRANSFORMS.register_module()
class RandomGaussianBlur(DegradationStep):
    """Isotropic Gaussian blur, ``sigma ~ U(sigma_range)`` pixels.

    The kernel (OpenCV's ``GaussianBlur``) spans ``2 ceil(3 sigma) + 1``
    pixels unless ``kernel_size`` fixes it; borders reflect (101), so a
    constant image stays constant. Records ``blur_sigma``.
    """

    def __init__(self, sigma_range=(0.1, 10.0), kernel_size=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.sigma_range = check_range('sigma_range', sigma_range, 1e-6)
        if kernel_size is not None and (int(kernel_size) < 1
                                        or int(kernel_size) % 2 == 0):
            raise DegradationTransformError(
                f'kernel_size={kernel_size}: give an odd size >= 1 or None '
                '(from sigma)')
        self.kernel_size = kernel_size

    def transform(self, results: dict) -> dict:
        sigma = float(self.rng(results).uniform(*self.sigma_range))
        size = self.kernel_size or 2 * math.ceil(3 * sigma) + 1
        image = cv2.GaussianBlur(self.image(results), (size, size), sigma,
                                 sigmaY=sigma,
                                 borderType=cv2.BORDER_REFLECT_101)
        return self.record(results, image, blur_sigma=sigma)


@TRANSFORMS.register_module()
class RandomDownsample(DegradationStep):
    """Resize by ``1 / r``, ``r ~ U(scale_range)``: ``(h, w)`` ->
    ``(max(1, round(h / r)), max(1, round(w / r)))`` with mmcv's
    ``imresize``. Records ``scale`` (r as drawn) and ``lq_shape``."""

    def __init__(self, scale_range=(1.0, 8.0), interpolation='bilinear',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale_range = check_range('scale_range', scale_range, 1.0)
        self.interpolation = _check_interpolation(interpolation)

    def transform(self, results: dict) -> dict:
        scale = float(self.rng(results).uniform(*self.scale_range))
        image = self.image(results)
        h, w = image.shape[:2]
        size = (max(1, round(w / scale)), max(1, round(h / scale)))
        image = mmcv.imresize(image, size, interpolation=self.interpolation)
        return self.record(results, image, scale=scale,
                           lq_shape=(size[1], size[0]))


@TRANSFORMS.register_module()
class RandomGaussianNoise(DegradationStep):
    """Additive Gaussian noise, std ``delta ~ U(std_range)`` grey levels
    (0-255), independent per pixel and channel, then rounded and clipped
    to uint8. Records ``noise_std``."""

    def __init__(self, std_range=(0.0, 20.0), **kwargs) -> None:
        super().__init__(**kwargs)
        self.std_range = check_range('std_range', std_range, 0.0)

    def transform(self, results: dict) -> dict:
        rng = self.rng(results)
        std = float(rng.uniform(*self.std_range))
        image = self.image(results)
        noisy = image.astype(np.float64) + rng.normal(0.0, std, image.shape)
        image = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
        return self.record(results, image, noise_std=std)


@TRANSFORMS.register_module()
class RandomJPEG(DegradationStep):
    """JPEG round trip through OpenCV at an integer quality
    ``q ~ U{quality_range}`` (both ends included). Records
    ``jpeg_quality``."""

    def __init__(self, quality_range=(60, 100), **kwargs) -> None:
        super().__init__(**kwargs)
        lo, hi = check_range('quality_range', quality_range, 1, 100)
        if lo != int(lo) or hi != int(hi):
            raise DegradationTransformError(
                f'quality_range={quality_range!r}: JPEG qualities are '
                'integers')
        self.quality_range = (int(lo), int(hi))

    def transform(self, results: dict) -> dict:
        lo, hi = self.quality_range
        quality = int(self.rng(results).integers(lo, hi + 1))
        ok, encoded = cv2.imencode('.jpg', self.image(results),
                                   [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise DegradationTransformError(
                'OpenCV could not JPEG-encode the image')
        image = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
        return self.record(results, image, jpeg_quality=quality)


@TRANSFORMS.register_module()
class ResizeLike(DegradationStep):
    """Resize ``results[key]`` to the size of ``results[like_key]`` (the
    ground truth): the degraded input of a restorer has the output's
    size. Deterministic; records nothing."""

    def __init__(self, key: str = 'lq_img', like_key: str = 'img',
                 interpolation: str = 'bilinear') -> None:
        super().__init__(key=key, src_key=like_key)
        self.interpolation = _check_interpolation(interpolation)

    def transform(self, results: dict) -> dict:
        h, w = results[self.src_key].shape[:2]
        image = self.image(results)
        if image.shape[:2] != (h, w):
            image = mmcv.imresize(image, (w, h),
                                  interpolation=self.interpolation)
        results[self.key] = image
        return results

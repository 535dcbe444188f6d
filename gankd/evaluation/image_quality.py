"""Per-image PSNR and SSIM of 8-bit RGB images (scikit-image's metrics).

Both take two batches ``[B, 3, H, W]`` of ``uint8`` values (tensors or
arrays; convert ``[-1, 1]`` images with :func:`to_uint8` first) and return
one value per image, ``np.ndarray [B]`` of float64, with ``data_range``
255: ``psnr = 10 log10(255^2 / MSE)`` over all pixels and channels of an
image (``inf`` for identical images); ``ssim`` is the mean of the
per-channel SSIM maps (7x7 uniform windows, scikit-image's defaults), so
images must be at least 7 pixels on each side.
"""
from typing import Union

import numpy as np
import torch

from gankd.errors import UserError
from gankd.utils.images import to_uint8

__all__ = ['ImageQualityError', 'psnr', 'ssim', 'to_uint8']

Images = Union[torch.Tensor, np.ndarray]


class ImageQualityError(UserError):
    """Images the metrics cannot compare."""


def _pairs(a: Images, b: Images):
    """Both batches as ``uint8 [B, H, W, 3]`` arrays, checked."""
    arrays = []
    for x in (a, b):
        x = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else \
            np.asarray(x)
        if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1] != 3:
            raise ImageQualityError(
                f'image metrics take uint8 [B, 3, H, W] batches, got '
                f'{x.dtype} {list(x.shape)}: convert [-1, 1] images with '
                'to_uint8')
        arrays.append(x.transpose(0, 2, 3, 1))
    if arrays[0].shape != arrays[1].shape:
        raise ImageQualityError(
            f'image metrics compare batches of one shape, got '
            f'{list(arrays[0].shape)} and {list(arrays[1].shape)} (B, H, '
            'W, C)')
    return arrays


def psnr(a: Images, b: Images) -> np.ndarray:
    """Peak signal-to-noise ratio in dB per image pair, ``[B]``."""
    from skimage.metrics import peak_signal_noise_ratio
    x, y = _pairs(a, b)
    with np.errstate(divide='ignore'):  # identical images: inf, no warning
        return np.array([peak_signal_noise_ratio(p, q, data_range=255)
                         for p, q in zip(x, y)], dtype=np.float64)


def ssim(a: Images, b: Images) -> np.ndarray:
    """Structural similarity per image pair (channel mean), ``[B]``."""
    from skimage.metrics import structural_similarity
    x, y = _pairs(a, b)
    if min(x.shape[1:3]) < 7:
        raise ImageQualityError(
            f'SSIM needs images of at least 7x7 pixels, got '
            f'{x.shape[1]}x{x.shape[2]}')
    return np.array([structural_similarity(p, q, data_range=255,
                                           channel_axis=-1)
                     for p, q in zip(x, y)], dtype=np.float64)

"""Finite-impulse-response resampling (StyleGAN2's ``upfirdn2d``).

Upsample by zero insertion, pad, filter with a 2-D FIR kernel, downsample by
keeping every ``down``-th sample. Pure torch: the filter is a depthwise
convolution, so it runs (and double-backwards) on any device.
"""
from typing import Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['fir_kernel', 'upfirdn2d']


def fir_kernel(taps: Sequence[float], normalize_to: float = 1.0) -> Tensor:
    """Separable 2-D kernel from 1-D taps.

    Args:
        taps: 1-D filter, e.g. ``(1, 3, 3, 1)``.
        normalize_to: sum of the returned kernel (1 to keep the mean when
            downsampling, ``up ** 2`` to keep it when upsampling by zero
            insertion).

    Returns:
        ``[k, k]`` float32 outer product of ``taps`` with itself, scaled so
        that its entries sum to ``normalize_to``.
    """
    t = torch.as_tensor(taps, dtype=torch.float32)
    if t.ndim != 1 or t.numel() == 0:
        raise ValueError(f'taps must be a non-empty 1-D sequence, got {taps}')
    kernel = torch.outer(t, t)
    return kernel / kernel.sum() * normalize_to


def upfirdn2d(x: Tensor, kernel: Tensor, up: int = 1, down: int = 1,
              pad: Union[int, Tuple[int, int, int, int]] = (0, 0, 0, 0)
              ) -> Tensor:
    """Upsample, pad, FIR-filter and downsample every channel alike.

    Args:
        x: ``[N, C, H, W]``.
        kernel: ``[kh, kw]`` (or ``[1, 1, kh, kw]``, genforce's buffer layout).
            Applied as a true convolution (flipped), as NVIDIA's op does;
            symmetric kernels make the flip irrelevant.
        up: zero-insertion factor (``up - 1`` zeros after every sample).
        down: keep every ``down``-th output sample.
        pad: ``(x0, x1, y0, y1)`` padding before/after in width and height
            after upsampling; negative values crop. An int pads all sides.

    Returns:
        ``[N, C, H', W']`` with ``H' = (H * up + y0 + y1 - kh) // down + 1``
        and ``W'`` likewise.
    """
    if isinstance(pad, int):
        pad = (pad, pad, pad, pad)
    n, c, h, w = x.shape
    k = kernel.reshape(kernel.shape[-2:]).to(dtype=x.dtype, device=x.device)
    if up > 1:
        x = x.reshape(n, c, h, 1, w, 1)
        x = F.pad(x, (0, up - 1, 0, 0, 0, up - 1))
        x = x.reshape(n, c, h * up, w * up)
    if any(pad):
        x = F.pad(x, tuple(pad))
    weight = k.flip((0, 1))[None, None].expand(c, 1, *k.shape)
    return F.conv2d(x, weight, stride=down, groups=c)

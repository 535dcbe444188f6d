"""NTED's encoder: equalised-lr conv layers (blur + stride 2 to go down a
scale), with extraction operators reading a layer's activated output.

The same layers serve ENTED's LQ semantic encoder (no extraction) and its
reference encoder (extraction at the scales that have labels, plus the
lowest-scale features as the refiner's tokens).
"""
import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.models.layers import EqualizedConv2d, fir_kernel, upfirdn2d
from .nted_operators import ExtractionOperation

__all__ = ['BiasLeakyReLU', 'EncoderLayer', 'NTEDEncoder']


class BiasLeakyReLU(nn.Module):
    """``leaky_relu(x + b, 0.2) * sqrt(2)`` with ``b`` ``[C]`` from 0
    (StyleGAN2's fused bias + activation, where NTED keeps conv biases)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x + self.bias.view(1, -1, 1, 1), 0.2) * \
            math.sqrt(2)


class EncoderLayer(nn.Module):
    """One encoder conv, optionally halving the size, then extraction.

    Args:
        in_channels, out_channels: convolution channels.
        downsample: blur ([1, 3, 3, 1]) then a stride-2 conv.
        num_labels: labels of the extraction operators (None: none).
        match_kernel: their kernel side.
        num_extractions: extraction operators on this layer's output (NTED:
            two, one per decoder conv at the same scale).

    Shapes:
        ``forward(x [B, C_in, H, W]) -> (y [B, C_out, H', W'],
        [(T [B, C_out, K], A_e [B, K, H' W']), ...])``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int = 3, downsample: bool = False,
                 num_labels: Optional[int] = None, match_kernel: int = 3,
                 num_extractions: int = 2) -> None:
        super().__init__()
        self.downsample = downsample
        if downsample:
            p = 2 + (kernel_size - 1)  # (taps - factor) + (k - 1)
            self.blur_pad = ((p + 1) // 2, p // 2) * 2
            self.register_buffer('blur_kernel', fir_kernel((1, 3, 3, 1)),
                                 persistent=False)
        self.conv = EqualizedConv2d(in_channels, out_channels, kernel_size,
                                    bias=False, stride=2 if downsample else 1,
                                    padding=0 if downsample else None)
        self.activate = BiasLeakyReLU(out_channels)
        self.extractions = nn.ModuleList(
            ExtractionOperation(out_channels, num_labels, match_kernel)
            for _ in range(num_extractions if num_labels else 0))

    def forward(self, x: Tensor) -> Tuple[Tensor, List[Tuple[Tensor, Tensor]]]:
        if self.downsample:
            x = upfirdn2d(x, self.blur_kernel, pad=self.blur_pad)
        out = self.activate(self.conv(x))
        return out, [op(out) for op in self.extractions]


class NTEDEncoder(nn.Module):
    """Image ``[B, 3, S, S]`` -> features at ``min_size``, with textures.

    A full-size layer from RGB, then one downsampling layer per halving
    down to ``min_size``. The layer at size r holds extraction operators
    when ``r`` is in ``num_labels``.

    Args:
        resolution: S.
        min_size: the last (smallest) size.
        channels: ``{size: C}`` for every size from S down to min_size.
        num_labels: ``{size: K}`` of the sizes with extraction.
        match_kernels: ``{size: k}`` (default 3).
        num_extractions: extraction operators per such layer.

    Shapes:
        ``forward(x) -> dict``: ``features`` ``[B, C_min, m, m]``;
        ``textures`` and ``extractions``: lists front-first, i.e. ordered
        from the smallest size up and, within a size, last operator first:
        the order in which the decoder consumes them (NTED's
        ``insert(0, ...)``).
    """

    def __init__(self, resolution: int, min_size: int,
                 channels: Dict[int, int],
                 num_labels: Optional[Dict[int, int]] = None,
                 match_kernels: Optional[Dict[int, int]] = None,
                 num_extractions: int = 2) -> None:
        super().__init__()
        sizes = sizes_between(resolution, min_size)
        num_labels = {int(k): v for k, v in (num_labels or {}).items()}
        match_kernels = {int(k): v for k, v in (match_kernels or {}).items()}
        missing = [r for r in sizes if r not in channels]
        if missing:
            raise ValueError(f'NTEDEncoder: channels for sizes {missing} '
                             f'missing (give {sizes})')
        self.sizes = sizes
        layers, previous = [], 3
        for i, size in enumerate(sizes):
            layers.append(EncoderLayer(
                previous, channels[size], downsample=i > 0,
                num_labels=num_labels.get(size),
                match_kernel=match_kernels.get(size, 3),
                num_extractions=num_extractions))
            previous = channels[size]
        self.layers = nn.ModuleList(layers)

    def forward(self, x: Tensor) -> Dict[str, object]:
        textures, extractions = [], []
        for layer in self.layers:
            x, extracted = layer(x)
            for texture, attention in extracted:
                textures.insert(0, texture)
                extractions.insert(0, attention)
        return dict(features=x, textures=textures, extractions=extractions)


def sizes_between(resolution: int, min_size: int) -> List[int]:
    """``[S, S / 2, ..., min_size]``; both powers of two."""
    for name, value in (('resolution', resolution), ('min_size', min_size)):
        if value < 1 or value & (value - 1):
            raise ValueError(f'{name}={value}: use a power of two')
    if min_size > resolution:
        raise ValueError(f'min_size={min_size} exceeds resolution='
                         f'{resolution}')
    sizes = [resolution]
    while sizes[-1] > min_size:
        sizes.append(sizes[-1] // 2)
    return sizes

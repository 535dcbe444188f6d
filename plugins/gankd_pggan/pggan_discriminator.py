"""PGGAN discriminator (Karras et al., ICLR 2018), genforce key names."""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from gankd.models.layers import (EqualizedConv2d, EqualizedLinear,
                                 MinibatchStdDev, shift_sum_kernel)

from .pggan_layers import lrelu

__all__ = ['PGGANDiscriminator']


class _DiscriminatorConv(EqualizedConv2d):
    """[minibatch stddev] -> conv + bias -> lrelu -> [2x2 average pool].

    ``fused`` downsampling is one stride-2 conv with a quarter of the
    shift-summed 4x4 kernel (= conv then pooling), followed by the lrelu: as
    in the official code, the two paths differ in where the activation
    sits, so they are not interchangeable with the same weights.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int = 3, downsample: bool = False,
                 fused: bool = False, mbstd_group_size: int = 0,
                 use_wscale: bool = True):
        if mbstd_group_size > 1:
            in_channels += 1  # the stddev channel
        super().__init__(in_channels, out_channels, kernel_size,
                         gain=math.sqrt(2.0), scale_bias=False,
                         use_wscale=use_wscale)
        self.mbstd = (MinibatchStdDev(mbstd_group_size)
                      if mbstd_group_size > 1 else None)
        self.downsample = downsample
        self.fused = downsample and fused

    def forward(self, x: Tensor) -> Tensor:
        if self.mbstd is not None:
            x = self.mbstd(x)
        weight = self.weight * self.weight_scale
        if self.fused:
            return lrelu(F.conv2d(x, shift_sum_kernel(weight) * 0.25,
                                  self.bias, stride=2, padding=1))
        x = lrelu(F.conv2d(x, weight, self.bias, padding=self.padding))
        return F.avg_pool2d(x, 2) if self.downsample else x


class _DiscriminatorDense(EqualizedLinear):
    """Flatten (channel-major) -> dense + bias -> [lrelu]."""

    def __init__(self, in_features: int, out_features: int,
                 gain: float = math.sqrt(2.0), activate: bool = True,
                 use_wscale: bool = True):
        super().__init__(in_features, out_features, gain=gain,
                         scale_bias=False, use_wscale=use_wscale)
        self.activate = activate

    def forward(self, x: Tensor) -> Tensor:
        x = super().forward(x.flatten(1))
        return lrelu(x) if self.activate else x


class PGGANDiscriminator(BaseModule):
    """Images ``[N, C, R, R]`` in ``[-1, 1]`` -> realness scores ``[N, 1]``.

    Blocks run from the top resolution down (block K at ``R / 2**K``):
    ``input{K}`` fromRGB (1x1 conv + lrelu; only ``input0`` at lod 0),
    ``layer{2K}`` 3x3 conv, ``layer{2K+1}`` 3x3 conv to the next width then
    2x2 average pooling. The 4x4 block appends the minibatch stddev, runs a
    3x3 conv, a dense layer to ``min(fmaps_base // 2, fmaps_max)`` and a
    linear dense layer to one score. Scores depend on the whole group of
    ``min(minibatch_std_group_size, N)`` samples.

    Args:
        resolution: input side, a power of two >= 4.
        image_channels: input channels.
        label_size: must be 0 (conditional PGGAN is not implemented).
        fused_scale: conv + pooling as one stride-2 conv before the lrelu
            (the plain path pools after it).
        use_wscale: equalized learning rate.
        minibatch_std_group_size: group size; <= 1 disables the layer.
        fmaps_base, fmaps_max: channels ``min(fmaps_base // r, fmaps_max)``.
        init_cfg: mmengine init config.
    """

    def __init__(self, resolution: int, image_channels: int = 3,
                 label_size: int = 0, fused_scale: bool = False,
                 use_wscale: bool = True, minibatch_std_group_size: int = 16,
                 fmaps_base: int = 16 << 10, fmaps_max: int = 512,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        if resolution < 4 or resolution & (resolution - 1):
            raise ValueError(f'PGGANDiscriminator: resolution must be a power '
                             f'of two >= 4, got {resolution}')
        if label_size:
            raise NotImplementedError(
                f'PGGANDiscriminator: label_size={label_size}; conditional '
                'PGGAN is not implemented, use label_size=0')
        if not isinstance(fused_scale, bool):
            raise ValueError(f'PGGANDiscriminator: fused_scale must be True '
                             f'or False, got {fused_scale!r}')
        self.resolution = resolution
        self.image_channels = image_channels
        self.fmaps_base = fmaps_base
        self.fmaps_max = fmaps_max
        self.num_blocks = int(math.log2(resolution)) - 1
        self.register_buffer('lod', torch.zeros(()))
        for block in range(self.num_blocks):
            res = resolution >> block
            nf = self.get_nf(res)
            self.add_module(
                f'input{block}',
                _DiscriminatorConv(image_channels, nf, 1,
                                   use_wscale=use_wscale))
            if res > 4:
                self.add_module(f'layer{2 * block}',
                                _DiscriminatorConv(nf, nf,
                                                   use_wscale=use_wscale))
                self.add_module(
                    f'layer{2 * block + 1}',
                    _DiscriminatorConv(nf, self.get_nf(res // 2),
                                       downsample=True, fused=fused_scale,
                                       use_wscale=use_wscale))
            else:
                self.add_module(
                    f'layer{2 * block}',
                    _DiscriminatorConv(
                        nf, nf, mbstd_group_size=minibatch_std_group_size,
                        use_wscale=use_wscale))
                self.add_module(
                    f'layer{2 * block + 1}',
                    _DiscriminatorDense(nf * 16, self.get_nf(2),
                                        use_wscale=use_wscale))
                self.add_module(
                    f'layer{2 * block + 2}',
                    _DiscriminatorDense(self.get_nf(2), 1, gain=1.0,
                                        activate=False,
                                        use_wscale=use_wscale))

    def get_nf(self, res: int) -> int:
        """Channels at resolution ``res``."""
        return min(self.fmaps_base // res, self.fmaps_max)

    def forward(self, image: Tensor) -> Tensor:
        """Scores ``[N, 1]`` for images ``[N, C, R, R]``."""
        expected = (self.image_channels, self.resolution, self.resolution)
        if image.ndim != 4 or tuple(image.shape[1:]) != expected:
            raise ValueError(f'PGGANDiscriminator: images must be [N, '
                             f'{", ".join(map(str, expected))}], got '
                             f'{list(image.shape)}')
        lod = float(self.lod)
        if not 0 <= lod <= self.num_blocks - 1:
            raise ValueError(f'PGGANDiscriminator: lod must be in [0, '
                             f'{self.num_blocks - 1}], the buffer holds {lod}')
        x = None
        for block in range(self.num_blocks):
            if block <= lod < block + 1:
                x = getattr(self, f'input{block}')(image)
            elif block - 1 < lod < block:
                # Fading in the higher resolution (progressive training).
                alpha = lod - math.floor(lod)
                x = getattr(self, f'input{block}')(image) * alpha + \
                    x * (1 - alpha)
            if lod < block + 1:
                x = getattr(self, f'layer{2 * block}')(x)
                x = getattr(self, f'layer{2 * block + 1}')(x)
            if lod > block:
                image = F.avg_pool2d(image, 2)
        return getattr(self, f'layer{2 * self.num_blocks}')(x)

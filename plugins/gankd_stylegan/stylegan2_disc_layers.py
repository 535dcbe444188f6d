"""Building blocks of the StyleGAN2 discriminator (genforce names).

``DiscConv``: [minibatch stddev] -> [FIR filter] -> conv (stride 2 when
downsampling) -> [leaky ReLU * sqrt(2)]; ``DiscDense``: flatten -> dense ->
[leaky ReLU * sqrt(2)]. Equalized learning rate with gain 1 everywhere.
"""
import math
from typing import Optional

import torch.nn.functional as F
from torch import Tensor

from gankd.models.layers import (EqualizedConv2d, EqualizedLinear,
                                 MinibatchStdDev)
from gankd.models.layers import FIRFilter

__all__ = ['DiscConv', 'DiscDense']


class DiscConv(EqualizedConv2d):
    """Discriminator conv layer; keys ``weight``, ``bias``, ``filter.kernel``.

    Args:
        in_channels: input channels (before the stddev channels).
        out_channels: output channels.
        kernel_size: 3 (main path) or 1 (FromRGB, resnet shortcut).
        bias: add a bias (the shortcut has none).
        down: FIR-filter ([1, 3, 3, 1], sum 1) then stride-2 conv.
        activate: leaky ReLU (0.2) * sqrt(2); False: linear.
        mbstd_group: minibatch-stddev group size; <= 1 disables it.
        mbstd_channels: statistics channels appended.
        use_wscale: equalized learning rate.

    Shapes:
        ``[N, C_in, H, W]`` -> ``[N, C_out, H', W']``, ``H' = H / 2`` when
        ``down`` else ``H``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int = 3, bias: bool = True, down: bool = False,
                 activate: bool = True, mbstd_group: int = 0,
                 mbstd_channels: int = 1, use_wscale: bool = True):
        use_mbstd = mbstd_group > 1
        super().__init__(
            in_channels + (mbstd_channels if use_mbstd else 0),
            out_channels, kernel_size, bias=bias, stride=2 if down else 1,
            padding=0 if down else kernel_size // 2, use_wscale=use_wscale)
        self.mbstd: Optional[MinibatchStdDev] = (
            MinibatchStdDev(mbstd_group, mbstd_channels) if use_mbstd
            else None)
        if down:
            # pads so that the stride-2 conv gives exactly H / 2 samples
            pad = 4 - 1 + kernel_size - 2
            self.filter = FIRFilter(gain=1, pad=((pad + 1) // 2, pad // 2))
        else:
            self.filter = None
        self.activate = activate

    def forward(self, x: Tensor) -> Tensor:
        if self.mbstd is not None:
            x = self.mbstd(x)
        if self.filter is not None:
            x = self.filter(x)
        x = super().forward(x)
        if self.activate:
            x = F.leaky_relu(x, 0.2) * math.sqrt(2)
        return x


class DiscDense(EqualizedLinear):
    """Dense layer on the flattened (channel-major) input.

    Shapes:
        ``[N, ...]`` -> ``[N, out_features]``.
    """

    def __init__(self, in_features: int, out_features: int,
                 activate: bool = True, use_wscale: bool = True):
        super().__init__(in_features, out_features, use_wscale=use_wscale)
        self.activate = activate

    def forward(self, x: Tensor) -> Tensor:
        x = super().forward(x.flatten(1))
        if self.activate:
            x = F.leaky_relu(x, 0.2) * math.sqrt(2)
        return x

"""StyleGAN (v1) building blocks (Karras et al., CVPR 2019), genforce names.

:class:`StyleGANConvLayer` is one synthesis layer; :class:`Blur`,
:class:`NoiseInjection` and :func:`instance_norm` are its parts, shared
with the discriminator. Equalized-lr scaling and the fused resampling
kernel (``shift_sum_kernel``) come from
:mod:`gankd.models.layers`.
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.kinds import NOISE_MODES
from gankd.models.layers import (EqualizedConv2d, EqualizedLinear, fir_kernel,
                                 shift_sum_kernel)

__all__ = [
    'StyleGANConvLayer', 'NoiseInjection', 'Blur', 'instance_norm'
]



def instance_norm(x: Tensor, eps: float = 1e-8) -> Tensor:
    """Per-sample, per-channel: subtract the spatial mean, divide by
    ``sqrt(biased variance + eps)``. ``[N, C, H, W]`` -> same shape."""
    x = x - x.mean(dim=(2, 3), keepdim=True)
    return x * torch.rsqrt(x.square().mean(dim=(2, 3), keepdim=True) + eps)


class Blur(nn.Module):
    """Depthwise ``[1, 2, 1]`` x ``[1, 2, 1]`` / 16 filter, padding 1.

    The kernel is a buffer ``kernel`` ``[C, 1, 3, 3]`` as in genforce's
    state dicts. ``[N, C, H, W]`` -> same shape.
    """

    def __init__(self, channels: int):
        super().__init__()
        kernel = fir_kernel([1, 2, 1], normalize_to=1.0)
        self.register_buffer('kernel',
                             kernel[None, None].repeat(channels, 1, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.kernel.to(x.dtype), padding=1,
                        groups=x.shape[1])


class NoiseInjection(nn.Module):
    """Adds weighted noise: ``x + noise * weight``.

    ``noise_type='spatial'``: noise ``[N, 1, r, r]``, per-channel weight
    ``[C]`` (the official models); ``'channel'``: noise ``[N, C, 1, 1]``,
    per-pixel weight ``[r, r]``. The buffer ``noise`` is the fixed noise
    used by ``noise_mode='const'``; ``'random'`` draws new noise each call
    and ``'none'`` adds nothing.
    """

    def __init__(self, resolution: int, channels: int,
                 noise_type: str = 'spatial'):
        super().__init__()
        self.noise_type = noise_type
        if noise_type == 'spatial':
            self.register_buffer('noise',
                                 torch.randn(1, 1, resolution, resolution))
            self.weight = nn.Parameter(torch.zeros(channels))
        elif noise_type == 'channel':
            self.register_buffer('noise', torch.randn(1, channels, 1, 1))
            self.weight = nn.Parameter(torch.zeros(resolution, resolution))
        else:
            raise ValueError(f"noise_type must be 'spatial' or 'channel', "
                             f"got '{noise_type}'")

    def forward(self, x: Tensor, noise_mode: str = 'const') -> Tensor:
        if noise_mode == 'none':
            return x
        if noise_mode == 'const':
            noise = self.noise.to(x.dtype)
        elif noise_mode == 'random':
            noise = torch.randn((x.shape[0], ) + self.noise.shape[1:],
                                dtype=x.dtype, device=x.device)
        else:
            raise ValueError(f'noise_mode must be one of {NOISE_MODES}, got '
                             f"'{noise_mode}'")
        if self.noise_type == 'spatial':
            return x + noise * self.weight.view(1, -1, 1, 1)
        return x + noise * self.weight[None, None]


class StyleGANConvLayer(EqualizedConv2d):
    """One synthesis layer:
    [const | [2x upsample] conv | fused up-conv] -> [blur] -> + noise ->
    + bias -> lrelu -> instance norm -> ``x * (1 + scale) + shift``.

    ``(scale, shift)`` is the affine ``style`` of this layer's code w
    (``[N, 2C]``, scale first). Parameters: ``weight`` (absent for the const
    layer, which has ``const`` ``[1, C, r, r]``), ``bias``,
    ``apply_noise.{weight,noise}``, ``style.{weight,bias}`` and, for
    upsampling layers, ``blur.kernel``.

    Args:
        in_channels: input channels (for ``const``: its channels).
        out_channels: output channels C.
        resolution: output side r.
        w_dim: size of the code w.
        kernel_size: conv kernel (4 with padding 3 for the non-const first
            layer, which runs on w viewed as ``[N, w_dim, 1, 1]``).
        padding: conv padding; None is ``kernel_size // 2``.
        upsample: double the resolution first.
        fused: upsample + conv as one transposed conv (kernel stored as for
            the plain conv, ``[out, in, 3, 3]``).
        const: learned constant input instead of a conv.
        use_wscale: equalized learning rate.
        noise_type: see :class:`NoiseInjection`.
    """

    def __init__(self, in_channels: int, out_channels: int, resolution: int,
                 w_dim: int, kernel_size: int = 3,
                 padding: Optional[int] = None, upsample: bool = False,
                 fused: bool = False, const: bool = False,
                 use_wscale: bool = True, noise_type: str = 'spatial'):
        super().__init__(in_channels, out_channels, kernel_size,
                         gain=math.sqrt(2.0), padding=padding,
                         use_wscale=use_wscale)
        if const:
            self.register_parameter('weight', None)
            self.const = nn.Parameter(
                torch.ones(1, in_channels, resolution, resolution))
        else:
            self.const = None
        self.upsample = upsample
        self.fused = upsample and fused
        self.apply_noise = NoiseInjection(resolution, out_channels,
                                          noise_type)
        self.style = EqualizedLinear(w_dim, 2 * out_channels, gain=1.0,
                                     use_wscale=use_wscale)
        self.blur = Blur(out_channels) if upsample else None

    def forward(self, x: Optional[Tensor], w: Tensor,
                noise_mode: str = 'const') -> Tensor:
        """``x`` ``[N, C_in, r', r']`` (None for the const layer), ``w``
        ``[N, w_dim]`` -> ``[N, C, r, r]``."""
        if self.const is not None:
            x = self.const.expand(w.shape[0], -1, -1, -1)
        else:
            weight = self.weight * self.weight_scale
            if self.fused:
                x = F.conv_transpose2d(
                    x, shift_sum_kernel(weight).transpose(0, 1), stride=2,
                    padding=1)
            else:
                if self.upsample:
                    x = F.interpolate(x, scale_factor=2, mode='nearest')
                x = F.conv2d(x, weight, padding=self.padding)
            if self.blur is not None:
                x = self.blur(x)
        x = self.apply_noise(x, noise_mode)
        x = F.leaky_relu(x + self.runtime_bias().view(1, -1, 1, 1), 0.2)
        x = instance_norm(x)
        scale, shift = self.style(w).view(-1, 2, self.out_channels, 1,
                                          1).unbind(1)
        return x * (scale + 1) + shift

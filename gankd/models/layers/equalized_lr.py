"""Equalized learning rate layers (Karras et al., PGGAN section 4.1).

Weights are stored unscaled (standard normal / ``lr_mul`` at init, the
official layout) and scaled at every forward, so Adam's per-parameter step
sizes are equal across layers of different fan-in. This is also why the
stored values equal the official checkpoints' values: converters copy them
as they are.
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['EqualizedLinear', 'EqualizedConv2d']


class EqualizedLinear(nn.Module):
    """Dense layer with run-time weight scaling.

    Runtime weight = ``weight * gain / sqrt(in_features) * lr_mul``; runtime
    bias = ``bias * lr_mul`` (``bias`` as stored when ``scale_bias=False``).

    Args:
        in_features: input size.
        out_features: output size.
        bias: whether to add a bias.
        gain: He-init gain (sqrt(2) before lrelu in PGGAN/StyleGAN, 1 in
            StyleGAN2).
        lr_mul: learning-rate multiplier (0.01 in the StyleGAN mapping MLP).
        bias_init: runtime value the bias starts at.
        scale_bias: multiply the bias by ``lr_mul`` at run time (PGGAN never
            does; with ``lr_mul=1`` both agree).
        use_wscale: False stores the He-scaled weight itself (init
            ``N(0, 1) * gain / sqrt(fan_in) / lr_mul``) and scales only by
            ``lr_mul`` at run time (genforce's ``use_wscale=False``).

    Shapes:
        input ``[N, in_features]`` -> output ``[N, out_features]``.
    """

    def __init__(self, in_features: int, out_features: int,
                 bias: bool = True, gain: float = 1.0, lr_mul: float = 1.0,
                 bias_init: float = 0.0, scale_bias: bool = True,
                 use_wscale: bool = True):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.gain = gain
        self.lr_mul = lr_mul
        self.scale_bias = scale_bias
        self.use_wscale = use_wscale
        he_std = gain / math.sqrt(in_features)
        init_std = (1.0 if use_wscale else he_std) / lr_mul
        self.weight = nn.Parameter(
            torch.randn(out_features, in_features) * init_std)
        if bias:
            stored = bias_init / lr_mul if scale_bias else bias_init
            self.bias = nn.Parameter(torch.full((out_features, ), stored))
        else:
            self.register_parameter('bias', None)

    @property
    def weight_scale(self) -> float:
        """Factor applied to the stored weight at run time."""
        if not self.use_wscale:
            return self.lr_mul
        return self.gain / math.sqrt(self.in_features) * self.lr_mul

    def runtime_bias(self) -> Optional[Tensor]:
        if self.bias is None:
            return None
        return self.bias * self.lr_mul if self.scale_bias else self.bias

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.weight_scale,
                        self.runtime_bias())

    def extra_repr(self) -> str:
        return (f'in_features={self.in_features}, out_features='
                f'{self.out_features}, bias={self.bias is not None}, '
                f'gain={self.gain:g}, lr_mul={self.lr_mul:g}')


class EqualizedConv2d(nn.Module):
    """2-D convolution with run-time weight scaling.

    Runtime weight = ``weight * gain / sqrt(in_channels * k * k) * lr_mul``,
    runtime bias = ``bias * lr_mul`` (as stored when ``scale_bias=False``).

    Args:
        in_channels: input channels.
        out_channels: output channels.
        kernel_size: square kernel side ``k``.
        bias: whether to add a bias.
        gain: He-init gain.
        lr_mul: learning-rate multiplier.
        stride: convolution stride.
        padding: zero padding; None means ``k // 2`` ("same" for odd k).
        scale_bias: see :class:`EqualizedLinear`.
        use_wscale: see :class:`EqualizedLinear`.

    Shapes:
        input ``[N, in_channels, H, W]`` -> ``[N, out_channels, H', W']``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int, bias: bool = True, gain: float = 1.0,
                 lr_mul: float = 1.0, stride: int = 1,
                 padding: Optional[int] = None, scale_bias: bool = True,
                 use_wscale: bool = True):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.gain = gain
        self.lr_mul = lr_mul
        self.stride = stride
        self.padding = kernel_size // 2 if padding is None else padding
        self.scale_bias = scale_bias
        self.use_wscale = use_wscale
        he_std = gain / math.sqrt(in_channels * kernel_size * kernel_size)
        init_std = (1.0 if use_wscale else he_std) / lr_mul
        self.weight = nn.Parameter(
            torch.randn(out_channels, in_channels, kernel_size, kernel_size)
            * init_std)
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_channels))
        else:
            self.register_parameter('bias', None)

    @property
    def weight_scale(self) -> float:
        """Factor applied to the stored weight at run time."""
        if not self.use_wscale:
            return self.lr_mul
        fan_in = self.in_channels * self.kernel_size * self.kernel_size
        return self.gain / math.sqrt(fan_in) * self.lr_mul

    def runtime_bias(self) -> Optional[Tensor]:
        if self.bias is None:
            return None
        return self.bias * self.lr_mul if self.scale_bias else self.bias

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.weight_scale,
                        self.runtime_bias(), self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f'{self.in_channels}, {self.out_channels}, kernel_size='
                f'{self.kernel_size}, stride={self.stride}, padding='
                f'{self.padding}, bias={self.bias is not None}, '
                f'gain={self.gain:g}, lr_mul={self.lr_mul:g}')

"""StyleGAN2's modulated convolution layer (Karras et al. 2020, section 2.2).

One module serves the synthesis layers (``synthesis.layerN``: 3x3,
demodulated, noise, leaky ReLU, optionally 2x upsampling) and the toRGB
layers (``synthesis.outputK``: 1x1, no demodulation, no noise, linear).
Parameter names and layouts are genforce's.
"""
import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.kinds import NOISE_MODES
from gankd.models.layers.equalized_lr import EqualizedLinear
from gankd.models.layers.fir_filter_module import FIRFilter

__all__ = ['ModulatedConv2d', 'StyleAffine']



class StyleAffine(EqualizedLinear):
    """w -> per-input-channel style ``affine(w) + 1``.

    The stored bias excludes the +1 (genforce/TF ``mod_bias``), so an
    all-zero affine gives the identity modulation. A forward hook on this
    module sees the style that scales the kernel.
    """

    def forward(self, w: Tensor) -> Tensor:
        return super().forward(w) + 1.0


class ModulatedConv2d(nn.Module):
    """Style-modulated convolution + noise + bias + activation.

    Args:
        in_channels: input channels C_in (also the style size).
        out_channels: output channels C_out.
        resolution: output side r (size of the stored noise).
        w_dim: size of the code the style affine reads.
        kernel_size: 3 for synthesis layers, 1 for toRGB.
        up: 2x upsampling (transposed conv with the flipped kernel, then the
            [1, 3, 3, 1] FIR with gain 4, padding 1).
        demodulate: normalise each output channel's modulated kernel.
        fused_modulate: per-sample kernels run as one grouped conv over the
            batch (True) or the input scaled by the style and the output by
            the demodulation (False); the results agree.
        add_noise: add ``noise * noise_strength`` (one scalar per layer).
        activate: leaky ReLU (0.2) times sqrt(2); False: linear.
        use_wscale: equalized learning rate.
        eps: added to the squared kernel norm before demodulation.

    Shapes:
        ``forward(x [N, C_in, r', r'], w [N, w_dim]) -> [N, C_out, r, r]``
        with ``r' = r / 2`` when ``up`` else ``r``.
    """

    def __init__(self, in_channels: int, out_channels: int, resolution: int,
                 w_dim: int, kernel_size: int = 3, up: bool = False,
                 demodulate: bool = True, fused_modulate: bool = True,
                 add_noise: bool = True, activate: bool = True,
                 use_wscale: bool = True, eps: float = 1e-8):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.resolution = resolution
        self.kernel_size = kernel_size
        self.up = up
        self.demodulate = demodulate
        self.fused_modulate = fused_modulate
        self.activate = activate
        self.eps = eps
        fan_in = in_channels * kernel_size * kernel_size
        self.weight_scale = 1 / math.sqrt(fan_in) if use_wscale else 1.0
        init_std = 1.0 if use_wscale else 1 / math.sqrt(fan_in)
        self.weight = nn.Parameter(
            torch.randn(out_channels, in_channels, kernel_size, kernel_size)
            * init_std)
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.style = StyleAffine(w_dim, in_channels, use_wscale=use_wscale)
        if up:
            # conv_transpose gives 2r' + k - 2 samples; pad to r + 3 for FIR
            pad = 4 - 1 + 2 - kernel_size
            self.filter = FIRFilter(gain=4, pad=((pad + 1) // 2, pad // 2))
        self.add_noise = add_noise
        if add_noise:
            self.register_buffer('noise',
                                 torch.randn(1, 1, resolution, resolution))
            self.noise_strength = nn.Parameter(torch.zeros(()))

    def _conv(self, x: Tensor, style: Tensor) -> Tensor:
        n, c_in, h, w = x.shape
        weight = self.weight * self.weight_scale  # [C_out, C_in, k, k]
        k = self.kernel_size
        if self.fused_modulate:
            wgt = weight[None] * style[:, None, :, None, None]
            if self.demodulate:  # [N, C_out, C_in, k, k]
                wgt = wgt * torch.rsqrt(
                    wgt.square().sum(dim=(2, 3, 4), keepdim=True) + self.eps)
            x = x.reshape(1, n * c_in, h, w)
            if self.up:
                # transposed-conv weight layout: [groups * C_in, C_out, k, k]
                wgt = wgt.flip((3, 4)).transpose(1, 2)
                x = F.conv_transpose2d(
                    x, wgt.reshape(n * c_in, self.out_channels, k, k),
                    stride=2, groups=n)
            else:
                x = F.conv2d(x, wgt.reshape(n * self.out_channels, c_in, k, k),
                             padding=k // 2, groups=n)
            return x.reshape(n, self.out_channels, *x.shape[2:])
        x = x * style[:, :, None, None]
        if self.up:
            x = F.conv_transpose2d(x, weight.flip((2, 3)).transpose(0, 1),
                                   stride=2)
        else:
            x = F.conv2d(x, weight, padding=k // 2)
        if self.demodulate:
            # sum over (in, kh, kw) of (weight * style)^2, without building
            # per-sample kernels: style^2 @ sum_k weight^2  -> [N, C_out]
            norm = style.square() @ weight.square().sum(dim=(2, 3)).t()
            x = x * torch.rsqrt(norm + self.eps)[:, :, None, None]
        return x

    def forward(self, x: Tensor, w: Tensor,
                noise_mode: str = 'const') -> Tensor:
        x = self._conv(x, self.style(w))
        if self.up:
            x = self.filter(x)
        if self.add_noise and noise_mode != 'none':
            if noise_mode == 'const':
                noise = self.noise.to(x.dtype)
            elif noise_mode == 'random':
                noise = torch.randn(x.shape[0], 1, *x.shape[2:],
                                    dtype=x.dtype, device=x.device)
            else:
                raise ValueError(f"noise_mode must be one of {NOISE_MODES}, "
                                 f"got '{noise_mode}'")
            x = x + noise * self.noise_strength
        x = x + self.bias.view(1, -1, 1, 1)
        if self.activate:
            x = F.leaky_relu(x, 0.2) * math.sqrt(2)
        return x

    def extra_repr(self) -> str:
        return (f'{self.in_channels}, {self.out_channels}, kernel_size='
                f'{self.kernel_size}, resolution={self.resolution}, up='
                f'{self.up}, demodulate={self.demodulate}, fused_modulate='
                f'{self.fused_modulate}')

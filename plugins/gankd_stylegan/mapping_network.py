"""The style-based generators' mapping MLP and truncation (StyleGAN 1 and 2).

Module and parameter names follow genforce (``mapping.dense{i}``,
``truncation.w_avg``) so official checkpoints load without re-layout.
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.models.layers import EqualizedLinear, pixel_norm

__all__ = ['MappingNetwork', 'TruncationModule']


class MappingNetwork(nn.Module):
    """z -> w: pixel norm, then ``num_layers`` dense + leaky ReLU layers.

    Args:
        z_dim: input size.
        hidden_dim: width of the hidden layers.
        out_dim: output size (``w_dim``, or ``w_dim * L`` without repeat_w).
        num_layers: number of dense layers ``dense0 .. dense{n-1}``.
        lr_mul: learning-rate multiplier of weights and biases (0.01).
        weight_gain: equalized-lr gain (StyleGAN: sqrt(2), StyleGAN2: 1).
        act_gain: factor after each leaky ReLU (StyleGAN: 1, StyleGAN2:
            sqrt(2)); the two conventions differ in how the bias is scaled.
        use_wscale: see :class:`~gankd.models.layers.EqualizedLinear`.

    Shapes:
        ``[N, z_dim]`` -> ``[N, out_dim]``.
    """

    def __init__(self, z_dim: int, hidden_dim: int, out_dim: int,
                 num_layers: int = 8, lr_mul: float = 0.01,
                 weight_gain: float = 1.0, act_gain: float = math.sqrt(2),
                 use_wscale: bool = True):
        super().__init__()
        self.z_dim = z_dim
        self.num_layers = num_layers
        self.act_gain = act_gain
        for i in range(num_layers):
            self.add_module(
                f'dense{i}',
                EqualizedLinear(z_dim if i == 0 else hidden_dim,
                                out_dim if i == num_layers - 1 else hidden_dim,
                                gain=weight_gain, lr_mul=lr_mul,
                                use_wscale=use_wscale))

    def forward(self, z: Tensor) -> Tensor:
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f'z must be [N, {self.z_dim}], got '
                             f'{list(z.shape)}')
        x = pixel_norm(z)
        for i in range(self.num_layers):
            x = F.leaky_relu(getattr(self, f'dense{i}')(x), 0.2)
            if self.act_gain != 1:
                x = x * self.act_gain
        return x


class TruncationModule(nn.Module):
    """Holds ``w_avg`` and turns w into truncated per-layer codes wp.

    ``wp[:, i] = w_avg + psi * (wp[:, i] - w_avg)`` for ``i < layers``;
    ``psi`` None or >= 1, or ``layers`` None or 0, disables it (genforce's
    rule). With ``repeat_w=False`` the mapping emits one code per layer,
    ``w`` is ``[N, L * w_dim]`` and ``w_avg`` ``[L * w_dim]``.

    Args:
        w_dim: size of one code.
        num_layers: L, the number of per-layer codes.
        repeat_w: whether one w is repeated over the layers.
    """

    def __init__(self, w_dim: int, num_layers: int, repeat_w: bool = True):
        super().__init__()
        self.w_dim = w_dim
        self.num_layers = num_layers
        self.repeat_w = repeat_w
        size = w_dim if repeat_w else w_dim * num_layers
        self.register_buffer('w_avg', torch.zeros(size))

    def to_wp(self, w: Tensor) -> Tensor:
        """``[N, w_dim]`` (or ``[N, L * w_dim]``) -> ``[N, L, w_dim]``."""
        if w.ndim == 3:
            wp = w
        elif self.repeat_w and w.ndim == 2 and w.shape[1] == self.w_dim:
            wp = w[:, None].expand(-1, self.num_layers, -1)
        elif w.ndim == 2 and w.shape[1] == self.w_dim * self.num_layers:
            wp = w.reshape(-1, self.num_layers, self.w_dim)
        else:
            raise ValueError(
                f'w must be [N, {self.w_dim}]'
                f"{'' if not self.repeat_w else ' (or'} [N, "
                f'{self.num_layers * self.w_dim}]'
                f"{')' if self.repeat_w else ''}, got {list(w.shape)}")
        if wp.shape[1:] != (self.num_layers, self.w_dim):
            raise ValueError(f'wp must be [N, {self.num_layers}, '
                             f'{self.w_dim}], got {list(wp.shape)}')
        return wp

    def forward(self, w: Tensor, psi: Optional[float] = None,
                layers: Optional[int] = None) -> Tensor:
        wp = self.to_wp(w)
        if psi is None or psi >= 1.0 or not layers:
            return wp
        w_avg = self.w_avg.to(wp.dtype).reshape(1, -1, self.w_dim)
        coefs = torch.ones(1, self.num_layers, 1, dtype=wp.dtype,
                           device=wp.device)
        coefs[:, :layers] = psi
        return w_avg + (wp - w_avg) * coefs

    @torch.no_grad()
    def update_w_avg(self, w: Tensor, momentum: float = 0.995) -> None:
        """``w_avg <- momentum * w_avg + (1 - momentum) * mean(w)``."""
        batch_mean = w.detach().reshape(w.shape[0], -1).mean(dim=0)
        self.w_avg.copy_(self.w_avg * momentum
                         + batch_mean.to(self.w_avg) * (1 - momentum))

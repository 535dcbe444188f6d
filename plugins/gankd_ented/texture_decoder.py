"""ENTED's decoder: StyleGAN2-like modulated convs from the semantic map
up to the image, with NTED's texture distribution after each conv at the
sizes that have labels [proposed, spec 2.2.5], or NTED's plain decoder.

The convolutions are StyleGAN2's ``ModulatedConv2d`` of the core (reused, not
copied: the issue asks for this project's modulated convolution). Its own
bias is frozen at 0, because NTED forms ``(Q + O) / sqrt(2)`` from the
bias-free conv output and adds the bias in the activation
(:class:`BiasLeakyReLU`). ``modulated=False`` gives NTED's plain layers:
the style is fixed at 1 and nothing is demodulated, leaving an
equalised-lr conv (transposed conv + [1, 3, 3, 1] blur to go up a size).
"""
from typing import Dict, List, Optional

import torch
from gankd.models.layers import ModulatedConv2d
from torch import Tensor, nn

from gankd.models.layers import fir_kernel, upfirdn2d
from .nted_encoder import BiasLeakyReLU, sizes_between
from .nted_operators import DistributionOperation

__all__ = ['DecoderLayer', 'TextureDecoder']


def _reused_conv(in_channels, out_channels, resolution, w_dim, kernel_size,
                 up, modulated, demodulate):
    conv = ModulatedConv2d(in_channels, out_channels, resolution, w_dim,
                           kernel_size=kernel_size, up=up,
                           demodulate=modulated and demodulate,
                           fused_modulate=False, add_noise=False,
                           activate=False)
    conv.bias.requires_grad_(False)
    if not modulated:  # style = affine(w) + 1 == 1 for every w
        with torch.no_grad():
            conv.style.weight.zero_()
            conv.style.bias.zero_()
        conv.style.requires_grad_(False)
    return conv


class DecoderLayer(nn.Module):
    """Conv (Q), distribution ``(Q + O) / sqrt(2)`` when textures are
    given, then bias + leaky ReLU.

    Shapes:
        ``forward(x [B, C_in, r', r'], w [B, w_dim], textures [B, C_out, K]
        or None) -> (y [B, C_out, r, r], logits [B, K, r, r] or None)``.
    """

    def __init__(self, in_channels: int, out_channels: int, resolution: int,
                 w_dim: int, upsample: bool = False,
                 num_labels: Optional[int] = None, match_kernel: int = 3,
                 modulated: bool = True) -> None:
        super().__init__()
        self.conv = _reused_conv(in_channels, out_channels, resolution,
                                 w_dim, 3, upsample, modulated, True)
        self.distribution = DistributionOperation(
            out_channels, num_labels, match_kernel) if num_labels else None
        self.activate = BiasLeakyReLU(out_channels)

    def forward(self, x: Tensor, w: Tensor, textures: Optional[Tensor] = None):
        query = self.conv(x, w)
        logits = None
        if self.distribution is not None and textures is not None:
            query, logits = self.distribution(query, textures)
        return self.activate(query), logits


class TextureDecoder(nn.Module):
    """``S_sem [B, C_m, m, m]`` + codes ``w [B, L, w_dim]`` (+ textures) ->
    image ``[B, 3, S, S]``, skip ToRGB (StyleGAN2).

    Per size r from m up to S: conv a (2x up when r > m), conv b, ToRGB
    (1x1 modulated, or NTED's plain 3x3), the image skip upsampled by the
    [1, 3, 3, 1] FIR. ``L = num_styles = 3 * len(sizes)``: codes in the
    order conv a, conv b, ToRGB per size. Textures (the encoder's
    front-first list) are consumed two per labelled size, conv a first.

    Args:
        resolution: S; min_size: m.
        channels: ``{size: C}`` for every size from m to S.
        w_dim: code size.
        num_labels / match_kernels: ``{size: K}`` / ``{size: k}`` of the
            sizes with distribution.
        modulated: False: NTED's plain decoder (codes ignored).

    Returns (forward): dict ``image`` and ``logits`` (the distribution
    logits in consumption order, for the attention-reconstruction loss).
    """

    def __init__(self, resolution: int, min_size: int,
                 channels: Dict[int, int], w_dim: int,
                 num_labels: Optional[Dict[int, int]] = None,
                 match_kernels: Optional[Dict[int, int]] = None,
                 modulated: bool = True) -> None:
        super().__init__()
        self.sizes = sizes_between(resolution, min_size)[::-1]
        num_labels = {int(k): v for k, v in (num_labels or {}).items()}
        match_kernels = {int(k): v for k, v in (match_kernels or {}).items()}
        self.labelled = [r for r in self.sizes if r in num_labels]
        self.convs, self.to_rgbs = nn.ModuleList(), nn.ModuleList()
        previous = channels[min_size]
        for r in self.sizes:
            labels, kernel = num_labels.get(r), match_kernels.get(r, 3)
            self.convs.append(DecoderLayer(previous, channels[r], r, w_dim,
                                           r > min_size, labels, kernel,
                                           modulated))
            self.convs.append(DecoderLayer(channels[r], channels[r], r,
                                           w_dim, False, labels, kernel,
                                           modulated))
            self.to_rgbs.append(_reused_conv(channels[r], 3, r, w_dim,
                                             1 if modulated else 3, False,
                                             modulated, False))
            previous = channels[r]
        self.num_styles = 3 * len(self.sizes)
        self.register_buffer('up_kernel', fir_kernel((1, 3, 3, 1), 4),
                             persistent=False)

    def forward(self, x: Tensor, w: Tensor,
                textures: Optional[List[Tensor]] = None) -> dict:
        if w.shape[1] != self.num_styles:
            raise ValueError(f'TextureDecoder takes {self.num_styles} codes '
                             f'per image, got {w.shape[1]}')
        expected = 2 * len(self.labelled)
        if textures is not None and len(textures) != expected:
            raise ValueError(f'TextureDecoder distributes {expected} '
                             f'textures (2 per size {self.labelled}), got '
                             f'{len(textures)}')
        queue = list(textures or [])
        logits, image = [], None
        for i, r in enumerate(self.sizes):
            for j in range(2):
                layer = self.convs[2 * i + j]
                texture = queue.pop(0) if (textures is not None and
                                           layer.distribution) else None
                x, logit = layer(x, w[:, 3 * i + j], texture)
                if logit is not None:
                    logits.append(logit)
            rgb = self.to_rgbs[i](x, w[:, 3 * i + 2])
            if image is not None:
                image = upfirdn2d(image, self.up_kernel, up=2,
                                  pad=(2, 1, 2, 1))
                rgb = rgb + image
            image = rgb
        return dict(image=image, logits=logits)

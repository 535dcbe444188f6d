"""StyleGAN (v1) synthesis network: per-layer codes wp -> image."""
import math
from typing import Optional, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.models.layers import EqualizedConv2d

from .stylegan_layers import StyleGANConvLayer

__all__ = ['StyleGANSynthesis']

# genforce's fused_scale='auto' fuses upsampling convs from this side up,
# as the official 1024 models do.
AUTO_FUSED_SCALE_MIN_RES = 128


class StyleGANSynthesis(nn.Module):
    """Two :class:`StyleGANConvLayer` per resolution from 4x4 up
    (``layer{2K}``, ``layer{2K+1}``; ``layer0`` is the const input), a 1x1
    toRGB ``output{K}`` per resolution. Layer N reads ``wp[:, N]``.

    Only the last toRGB runs at level of detail 0 (``lod`` buffer, final
    models); a fractional lod blends two resolutions (progressive training).

    Args:
        resolution: output side R, a power of two >= 4.
        w_dim: code size.
        image_channels: output channels.
        final_tanh: tanh on the image.
        const_input: learned const (True) or a 4x4 "dense" from ``wp[:, 0]``.
        fused_scale: True, False or 'auto' (fused from 128x128 up).
        use_wscale: equalized learning rate.
        noise_type: 'spatial' or 'channel'.
        fmaps_base, fmaps_max: channels ``min(fmaps_base // r, fmaps_max)``.

    Shapes:
        wp ``[N, L, w_dim]`` (``L = 2 * log2(R) - 2``) -> ``[N, C, R, R]``.
    """

    def __init__(self, resolution: int, w_dim: int, image_channels: int = 3,
                 final_tanh: bool = False, const_input: bool = True,
                 fused_scale: Union[bool, str] = 'auto',
                 use_wscale: bool = True, noise_type: str = 'spatial',
                 fmaps_base: int = 16 << 10, fmaps_max: int = 512):
        super().__init__()
        self.w_dim = w_dim
        self.final_tanh = final_tanh
        self.const_input = const_input
        self.fmaps_base = fmaps_base
        self.fmaps_max = fmaps_max
        self.num_blocks = int(math.log2(resolution)) - 1
        self.num_layers = 2 * self.num_blocks
        self.register_buffer('lod', torch.zeros(()))
        common = dict(w_dim=w_dim, use_wscale=use_wscale,
                      noise_type=noise_type)
        for block in range(self.num_blocks):
            res = 4 << block
            nf = self.get_nf(res)
            if block == 0 and const_input:
                first = StyleGANConvLayer(nf, nf, 4, const=True, **common)
            elif block == 0:
                first = StyleGANConvLayer(w_dim, nf, 4, kernel_size=4,
                                          padding=3, **common)
            else:
                fused = (res >= AUTO_FUSED_SCALE_MIN_RES
                         if fused_scale == 'auto' else fused_scale)
                first = StyleGANConvLayer(self.get_nf(res // 2), nf, res,
                                          upsample=True, fused=fused,
                                          **common)
            self.add_module(f'layer{2 * block}', first)
            self.add_module(f'layer{2 * block + 1}',
                            StyleGANConvLayer(nf, nf, res, **common))
            self.add_module(
                f'output{block}',
                EqualizedConv2d(nf, image_channels, 1, gain=1.0,
                                use_wscale=use_wscale))

    def get_nf(self, res: int) -> int:
        """Channels at resolution ``res``."""
        return min(self.fmaps_base // res, self.fmaps_max)

    def check_lod(self, full_resolution: bool = False) -> float:
        """The ``lod`` buffer as a float, validated."""
        lod = float(self.lod)
        if not 0 <= lod <= self.num_blocks - 1:
            raise ValueError(f'StyleGAN synthesis: lod must be in [0, '
                             f'{self.num_blocks - 1}], the buffer holds {lod}')
        if full_resolution and lod != 0:
            raise ValueError('StyleGAN synthesis: running from/to a layer '
                             f'needs lod 0 (final model), the buffer holds '
                             f'{lod}')
        return lod

    def first_input(self, wp: Tensor) -> Optional[Tensor]:
        """What ``layer0`` runs on: nothing (const) or ``wp[:, 0]`` as a 1x1
        map ``[N, w_dim, 1, 1]``."""
        if self.const_input:
            return None
        return wp[:, 0].reshape(wp.shape[0], self.w_dim, 1, 1)

    def run(self, x: Optional[Tensor], wp: Tensor, start: int, stop: int,
            noise_mode: str = 'const') -> Tensor:
        """Layers ``start .. stop - 1`` on ``x``; returns the last output."""
        for index in range(start, stop):
            x = getattr(self, f'layer{index}')(x, wp[:, index], noise_mode)
        return x

    def to_image(self, x: Tensor) -> Tensor:
        """Last toRGB (+ tanh) on the last layer's output (lod 0)."""
        image = getattr(self, f'output{self.num_blocks - 1}')(x)
        return torch.tanh(image) if self.final_tanh else image

    def forward(self, wp: Tensor, noise_mode: str = 'const') -> Tensor:
        lod = self.check_lod()
        x, image = self.first_input(wp), None
        for block in range(self.num_blocks):
            block_lod = self.num_blocks - 1 - block
            if lod < block_lod + 1:
                x = self.run(x, wp, 2 * block, 2 * block + 2, noise_mode)
            if block_lod - 1 < lod <= block_lod:
                image = getattr(self, f'output{block}')(x)
            elif block_lod < lod < block_lod + 1:
                # Fading in this resolution over the upsampled previous one.
                alpha = math.ceil(lod) - lod
                image = getattr(self, f'output{block}')(x) * alpha + \
                    F.interpolate(image, scale_factor=2) * (1 - alpha)
            elif lod >= block_lod + 1:
                image = F.interpolate(image, scale_factor=2)
        return torch.tanh(image) if self.final_tanh else image

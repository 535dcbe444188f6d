"""PGGAN generator (Karras et al., "Progressive Growing of GANs", ICLR 2018).

Written from the paper and the conventions of genforce's converted official
checkpoints (see ``plugins/gankd_pggan/README.md``), so that a genforce
``state_dict`` loads with ``strict=True`` and gives the official images.
"""
import math
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.kinds import BaseGenerator
from gankd.models.layers import (EqualizedConv2d, pixel_norm,
                                 shift_sum_kernel)

from .pggan_layers import lrelu

__all__ = ['PGGANGenerator']


class _GeneratorConv(EqualizedConv2d):
    """pixel norm -> [2x upsample] -> conv + bias -> [lrelu].

    With ``fused`` the upsampling and the 3x3 conv run as one stride-2
    transposed conv whose kernel is stored ``[in, out, k, k]`` (the layout
    of genforce's fused PGGAN layers).
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int = 3, padding: Optional[int] = None,
                 upsample: bool = False, fused: bool = False,
                 gain: float = math.sqrt(2.0), activate: bool = True,
                 use_wscale: bool = True):
        # PGGAN never scales biases (it has no lr_mul).
        super().__init__(in_channels, out_channels, kernel_size, gain=gain,
                         padding=padding, scale_bias=False,
                         use_wscale=use_wscale)
        self.upsample = upsample
        self.fused = upsample and fused
        self.activate = activate
        if self.fused:
            self.weight = nn.Parameter(
                self.weight.detach().transpose(0, 1).contiguous())

    def forward(self, x: Tensor) -> Tensor:
        x = pixel_norm(x)
        weight = self.weight * self.weight_scale
        if self.fused:
            x = F.conv_transpose2d(x, shift_sum_kernel(weight), self.bias,
                                   stride=2, padding=1)
        else:
            if self.upsample:
                x = F.interpolate(x, scale_factor=2, mode='nearest')
            x = F.conv2d(x, weight, self.bias, padding=self.padding)
        return lrelu(x) if self.activate else x


class PGGANGenerator(BaseGenerator):
    """Progressive-growing generator: ``z`` -> image, two convs per
    resolution from 4x4 up, toRGB at every resolution.

    Layer ``layer{2K}`` / ``layer{2K+1}`` are block K's convs (K = 0 is 4x4,
    where ``layer0`` is the latent "dense" run as a 4x4 conv with padding 3
    on the 1x1 code); ``output{K}`` is block K's toRGB. At level of detail
    ``lod`` 0 (final models) only the last toRGB is used; a fractional
    ``lod`` buffer blends two resolutions as in progressive training.

    Args:
        resolution: output side, a power of two >= 4.
        z_space_dim: size of ``z``.
        image_channels: output channels.
        final_tanh: apply tanh to the image.
        label_size: must be 0 (conditional PGGAN is not implemented).
        fused_scale: upsample + conv as one transposed conv.
        use_wscale: equalized learning rate (False: scale baked into weights).
        fmaps_base, fmaps_max: channels at resolution r are
            ``min(fmaps_base // r, fmaps_max)``.
        init_cfg: mmengine init config.

    Shapes:
        ``z`` ``[N, z_space_dim]`` -> image ``[N, image_channels, R, R]``;
        feature after ``layer{2K}``/``layer{2K+1}``: ``[N, C_r, r, r]`` with
        ``r = 4 * 2**K``.
    """

    latent_spaces = ('z', )
    w_dim = None
    num_layers = 1

    def __init__(self, resolution: int, z_space_dim: int = 512,
                 image_channels: int = 3, final_tanh: bool = False,
                 label_size: int = 0, fused_scale: bool = False,
                 use_wscale: bool = True, fmaps_base: int = 16 << 10,
                 fmaps_max: int = 512, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        if resolution < 4 or resolution & (resolution - 1):
            raise ValueError(f'PGGANGenerator: resolution must be a power of '
                             f'two >= 4, got {resolution}')
        if label_size:
            raise NotImplementedError(
                f'PGGANGenerator: label_size={label_size}; conditional '
                'PGGAN is not implemented, use label_size=0')
        if not isinstance(fused_scale, bool):
            raise ValueError(f'PGGANGenerator: fused_scale must be True or '
                             f'False, got {fused_scale!r}')
        self.resolution = resolution
        self.z_dim = z_space_dim
        self.image_channels = image_channels
        self.final_tanh = final_tanh
        self.fused_scale = fused_scale
        self.fmaps_base = fmaps_base
        self.fmaps_max = fmaps_max
        self.num_blocks = int(math.log2(resolution)) - 1
        self.register_buffer('lod', torch.zeros(()))
        for block in range(self.num_blocks):
            res = 4 << block
            if block == 0:
                first = _GeneratorConv(z_space_dim, self.get_nf(4), 4,
                                       padding=3, use_wscale=use_wscale)
            else:
                first = _GeneratorConv(self.get_nf(res // 2),
                                       self.get_nf(res), upsample=True,
                                       fused=fused_scale,
                                       use_wscale=use_wscale)
            self.add_module(f'layer{2 * block}', first)
            self.add_module(
                f'layer{2 * block + 1}',
                _GeneratorConv(self.get_nf(res), self.get_nf(res),
                               use_wscale=use_wscale))
            self.add_module(
                f'output{block}',
                _GeneratorConv(self.get_nf(res), image_channels, 1, gain=1.0,
                               activate=False, use_wscale=use_wscale))

    def get_nf(self, res: int) -> int:
        """Channels at resolution ``res``."""
        return min(self.fmaps_base // res, self.fmaps_max)

    def layer_names(self) -> List[str]:
        return [f'layer{i}' for i in range(2 * self.num_blocks)]

    def _input(self, codes: Tensor, space: str) -> Tensor:
        if space != 'z':
            raise ValueError(f"PGGANGenerator has only the 'z' space, got "
                             f"space='{space}'")
        if codes.ndim != 2 or codes.shape[1] != self.z_dim:
            raise ValueError(f'PGGANGenerator: z must be [N, {self.z_dim}], '
                             f'got {list(codes.shape)}')
        # genforce pixel-norms z before layer0, whose own pixel norm repeats
        # it; normalising twice changes nothing beyond the 1e-8 epsilon.
        return codes.reshape(codes.shape[0], self.z_dim, 1, 1)

    def _lod(self) -> float:
        lod = float(self.lod)
        if not 0 <= lod <= self.num_blocks - 1:
            raise ValueError(f'PGGANGenerator: lod must be in [0, '
                             f'{self.num_blocks - 1}], the buffer holds {lod}')
        return lod

    def _require_full_resolution(self) -> None:
        if self._lod() != 0:
            raise ValueError('PGGANGenerator: running from/to a layer needs '
                             f'lod 0 (final model), the buffer holds '
                             f'{float(self.lod)}')

    def _run(self, x: Tensor, start: int, stop: int) -> Tensor:
        for index in range(start, stop):
            x = getattr(self, f'layer{index}')(x)
        return x

    def _finish(self, image: Tensor) -> Tensor:
        return torch.tanh(image) if self.final_tanh else image

    def synthesize(self, codes: Tensor, space: str = 'z',
                   noise_mode: str = 'const') -> Tensor:
        """``z`` ``[N, z_dim]`` -> image ``[N, C, R, R]`` (``noise_mode`` is
        accepted for the common interface; PGGAN has no noise)."""
        x = self._input(codes, space)
        lod = self._lod()
        image = None
        for block in range(self.num_blocks):
            block_lod = self.num_blocks - 1 - block
            if lod < block_lod + 1:
                x = self._run(x, 2 * block, 2 * block + 2)
            if block_lod - 1 < lod <= block_lod:
                image = getattr(self, f'output{block}')(x)
            elif block_lod < lod < block_lod + 1:
                # Fading in this resolution: blend with the upsampled image
                # of the previous one.
                alpha = math.ceil(lod) - lod
                image = getattr(self, f'output{block}')(x) * alpha + \
                    F.interpolate(image, scale_factor=2) * (1 - alpha)
            elif lod >= block_lod + 1:
                image = F.interpolate(image, scale_factor=2)
        return self._finish(image)

    def forward(self, z: Tensor, truncation_psi: Optional[float] = None,
                truncation_layers: Optional[int] = None,
                noise_mode: str = 'const') -> Dict[str, Tensor]:
        """``dict(image=[N, C, R, R])``; PGGAN has no truncation."""
        return dict(image=self.synthesize(z, 'z', noise_mode))

    def forward_to(self, codes: Tensor, layer: str, space: str = 'z',
                   noise_mode: str = 'const') -> Dict[str, Tensor]:
        """``dict(feature=[N, C_r, r, r])``, the output of ``layer``."""
        self._require_full_resolution()
        index = self.layer_index(layer)
        return dict(feature=self._run(self._input(codes, space), 0,
                                      index + 1))

    def forward_from(self, state: Dict[str, Tensor],
                     codes: Optional[Tensor], layer: str, space: str = 'z',
                     noise_mode: str = 'const') -> Tensor:
        """Continue from ``state['feature']`` (the output of ``layer``) to the
        image; ``codes`` are not needed after the first layer."""
        self._require_full_resolution()
        index = self.layer_index(layer)
        x = self._run(state['feature'], index + 1, 2 * self.num_blocks)
        return self._finish(getattr(self, f'output{self.num_blocks - 1}')(x))

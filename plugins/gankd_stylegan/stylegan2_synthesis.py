"""StyleGAN2 synthesis network: const input, modulated convs, toRGB skips.

Node ``j`` of the chain is ``early_layer`` (j = 0) or ``layer{j-1}``. The
state between nodes is the feature plus, for ``architecture='skip'``, the
running image built from the toRGB outputs of *earlier* resolution blocks.
The toRGB of a block runs when its feature is consumed: right before the
next block's upsampling layer, or at the end. So a state after any layer is
everything the rest of the network needs, and an edited feature still reaches
its own block's toRGB.
"""
from typing import Dict, Optional

import torch
from torch import Tensor, nn

from gankd.models.layers import FIRFilter, ModulatedConv2d

__all__ = ['StyleGAN2Synthesis']


class ConstInput(nn.Module):
    """The learned 4x4 input ``const`` ``[1, C, 4, 4]``, repeated over N."""

    def __init__(self, channels: int, size: int = 4):
        super().__init__()
        self.const = nn.Parameter(torch.randn(1, channels, size, size))

    def forward(self, w: Tensor) -> Tensor:
        return self.const.expand(w.shape[0], -1, -1, -1)


class StyleGAN2Synthesis(nn.Module):
    """wp ``[N, L, w_dim]`` -> image ``[N, C_img, R, R]``.

    Layer N reads ``wp[:, N]``; toRGB K reads ``wp[:, 2K + 1]``. Channels at
    resolution r: ``min(fmaps_base // r, fmaps_max)``.

    Args: see :class:`~gankd_stylegan.stylegan2_generator.StyleGAN2Generator`.
    """

    def __init__(self, resolution: int, w_dim: int, image_channels: int = 3,
                 final_tanh: bool = False, architecture: str = 'skip',
                 fused_modulate: bool = True, demodulate: bool = True,
                 use_wscale: bool = True, fmaps_base: int = 32 << 10,
                 fmaps_max: int = 512):
        super().__init__()
        self.resolution = resolution
        self.architecture = architecture
        self.final_tanh = final_tanh
        self.fmaps_base = fmaps_base
        self.fmaps_max = fmaps_max
        self.num_blocks = resolution.bit_length() - 2  # 4x4 is block 0
        self.num_layers = 2 * self.num_blocks  # codes in wp
        common = dict(w_dim=w_dim, fused_modulate=fused_modulate,
                      use_wscale=use_wscale)
        self.early_layer = ConstInput(self.channels(4))
        for block in range(self.num_blocks):
            res = 4 << block
            if block > 0:
                self.add_module(
                    f'layer{2 * block - 1}',
                    ModulatedConv2d(self.channels(res // 2),
                                    self.channels(res), res, up=True,
                                    demodulate=demodulate, **common))
            self.add_module(
                f'layer{2 * block}',
                ModulatedConv2d(self.channels(res), self.channels(res), res,
                                demodulate=demodulate, **common))
            if architecture == 'skip' or block == self.num_blocks - 1:
                self.add_module(
                    f'output{block}',
                    ModulatedConv2d(self.channels(res), image_channels, res,
                                    kernel_size=1, demodulate=False,
                                    add_noise=False, activate=False,
                                    **common))
        if architecture == 'skip':
            self.upsample = FIRFilter(gain=4, up=2, pad=(2, 1))

    def channels(self, res: int) -> int:
        return min(self.fmaps_base // res, self.fmaps_max)

    def node_names(self):
        """Chain nodes in order: ``early_layer``, ``layer0`` ..
        ``layer{L-2}``."""
        return ['early_layer'] + [f'layer{i}'
                                  for i in range(self.num_layers - 1)]

    def _to_rgb(self, state: Dict[str, Tensor], wp: Tensor,
                layer: int) -> Dict[str, Tensor]:
        """Consume the feature after even ``layer`` 2K into the image."""
        block = layer // 2
        rgb = getattr(self, f'output{block}')(state['feature'],
                                              wp[:, layer + 1])
        image = state.get('image')
        if image is not None:
            rgb = rgb + self.upsample(image)
        return dict(state, image=rgb)

    def run(self, wp: Tensor, start: int = 0, stop: Optional[int] = None,
            state: Optional[Dict[str, Tensor]] = None,
            noise_mode: str = 'const') -> Dict[str, Tensor]:
        """Run nodes ``start .. stop - 1`` from ``state`` (the state after
        node ``start - 1``; None when ``start == 0``).

        Returns:
            The state after node ``stop - 1``: ``feature`` and, for the skip
            architecture once a block has been consumed, ``image``. When
            ``stop`` is None the network is finished and ``image`` is the
            output ``[N, C_img, R, R]`` (tanh applied if ``final_tanh``).
        """
        total = self.num_layers  # nodes: early_layer + L - 1 layers
        finish = stop is None
        stop = total if finish else stop
        if start == 0:
            state = dict(feature=self.early_layer(wp))
        else:
            state = dict(state)
        for node in range(max(start, 1), stop):
            layer = node - 1
            if (self.architecture == 'skip' and layer % 2 == 1
                    and layer > 0):
                state = self._to_rgb(state, wp, layer - 1)
            state['feature'] = getattr(self, f'layer{layer}')(
                state['feature'], wp[:, layer], noise_mode)
        if not finish:
            return state
        last = self.num_layers - 2
        if self.architecture == 'skip':
            image = self._to_rgb(state, wp, last)['image']
        else:
            image = getattr(self, f'output{last // 2}')(state['feature'],
                                                        wp[:, last + 1])
        return dict(image=torch.tanh(image) if self.final_tanh else image)

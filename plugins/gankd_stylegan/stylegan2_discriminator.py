"""StyleGAN2 discriminator (config F: residual), with the skip and plain
('origin') variants; genforce's constructor arguments and state-dict keys.
"""
import math
from typing import Optional

from mmengine.model import BaseModule
from torch import Tensor

from gankd_stylegan.stylegan2_disc_layers import DiscConv, DiscDense
from gankd.models.layers import FIRFilter

__all__ = ['StyleGAN2Discriminator']


class StyleGAN2Discriminator(BaseModule):
    """Images ``[N, C_img, R, R]`` in ``[-1, 1]`` -> scores ``[N, 1]``.

    Blocks run from the top resolution down (block K at ``R / 2**K``):
    ``layer{2K}`` 3x3 conv, ``layer{2K+1}`` FIR + stride-2 3x3 conv; at 4x4,
    ``layer{2K}`` is minibatch-stddev + 3x3 conv, ``layer{2K+1}`` a dense
    layer to ``min(fmaps_base // 2, fmaps_max)`` and ``layer{2K+2}`` the
    linear output. ``resnet`` adds ``skip_layer{K}`` shortcuts, the sum
    divided by sqrt(2); ``skip`` adds a FromRGB ``input{K}`` of the
    FIR-downsampled image at every block; ``origin`` only uses ``input0``.
    The batch must be divisible by ``min(group size, N)``.

    Args:
        resolution: input side R, a power of two >= 8.
        image_channels: input channels.
        label_size: must be 0 (conditioning is not implemented).
        architecture: ``'resnet'`` (config F), ``'skip'`` or ``'origin'``.
        use_wscale: equalized learning rate.
        minibatch_std_group_size: group size; <= 1 disables the layer.
        minibatch_std_channels: statistics channels.
        fmaps_base, fmaps_max: channels at r are
            ``min(fmaps_base // r, fmaps_max)``.
        init_cfg: mmengine init config.
    """

    def __init__(self, resolution: int, image_channels: int = 3,
                 label_size: int = 0, architecture: str = 'resnet',
                 use_wscale: bool = True, minibatch_std_group_size: int = 4,
                 minibatch_std_channels: int = 1,
                 fmaps_base: int = 32 << 10, fmaps_max: int = 512,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if resolution < 8 or resolution & (resolution - 1):
            raise ValueError(f'resolution must be a power of two >= 8, got '
                             f'{resolution}')
        if architecture not in ('resnet', 'skip', 'origin'):
            raise ValueError("architecture must be 'resnet', 'skip' or "
                             f"'origin', got '{architecture}'")
        if label_size:
            raise NotImplementedError(
                f'label_size={label_size}: a class-conditional StyleGAN2 '
                'discriminator is not implemented; use label_size=0')
        self.resolution = resolution
        self.image_channels = image_channels
        self.architecture = architecture
        self.fmaps_base = fmaps_base
        self.fmaps_max = fmaps_max
        self.num_blocks = resolution.bit_length() - 2  # down to 4x4
        last = self.num_blocks - 1
        for block in range(self.num_blocks):
            res = resolution >> block
            nf, nf_next = self.channels(res), self.channels(res // 2)
            if block == 0 or architecture == 'skip':
                self.add_module(f'input{block}',
                                DiscConv(image_channels, nf, 1,
                                         use_wscale=use_wscale))
            if block < last:
                self.add_module(f'layer{2 * block}',
                                DiscConv(nf, nf, use_wscale=use_wscale))
                self.add_module(f'layer{2 * block + 1}',
                                DiscConv(nf, nf_next, down=True,
                                         use_wscale=use_wscale))
                if architecture == 'resnet':
                    self.add_module(
                        f'skip_layer{block}',
                        DiscConv(nf, nf_next, 1, bias=False, down=True,
                                 activate=False, use_wscale=use_wscale))
            else:
                self.add_module(
                    f'layer{2 * block}',
                    DiscConv(nf, nf, mbstd_group=minibatch_std_group_size,
                             mbstd_channels=minibatch_std_channels,
                             use_wscale=use_wscale))
                self.add_module(f'layer{2 * block + 1}',
                                DiscDense(nf * res * res, nf_next,
                                          use_wscale=use_wscale))
                self.add_module(f'layer{2 * block + 2}',
                                DiscDense(nf_next, 1, activate=False,
                                          use_wscale=use_wscale))
        if architecture == 'skip':
            self.downsample = FIRFilter(gain=1, down=2, pad=(1, 1))

    def channels(self, res: int) -> int:
        return min(self.fmaps_base // res, self.fmaps_max)

    def forward(self, images: Tensor) -> Tensor:
        expected = (self.image_channels, self.resolution, self.resolution)
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            shape = ', '.join(map(str, expected))
            raise ValueError(f'images must be [N, {shape}], got '
                             f'{list(images.shape)}')
        x = self.input0(images)
        for block in range(self.num_blocks):
            if self.architecture == 'skip' and block > 0:
                images = self.downsample(images)
                x = x + getattr(self, f'input{block}')(images)
            residual = (self.architecture == 'resnet'
                        and block < self.num_blocks - 1)
            shortcut = (getattr(self, f'skip_layer{block}')(x)
                        if residual else None)
            x = getattr(self, f'layer{2 * block}')(x)
            x = getattr(self, f'layer{2 * block + 1}')(x)
            if residual:
                x = (x + shortcut) * (1 / math.sqrt(2))
        return getattr(self, f'layer{2 * self.num_blocks}')(x)

"""He et al.'s CIFAR ResNets (resnet8 ... resnet110) and the CRD benchmark's
wider resnet8x4 / resnet32x4."""
from typing import Optional, Sequence

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from torch import Tensor

from gankd.registry import MODELS
from .staged_backbone import DEFAULT_INIT_CFG, StagedBackbone

__all__ = ['CIFARResNet']


class _BasicBlock(nn.Module):
    """``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``, 3x3 convs.

    The shortcut is the identity, or a 1x1 conv (stride ``stride``) + BN
    where the shape changes ("option B" of He et al.).

    Shapes: ``(N, C_in, H, W) -> (N, C_out, H / stride, W / stride)``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 norm_cfg: dict):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn1 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1,
                               bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        # Not in-place: a recorder hooked on a BN must keep its pre-ReLU
        # output (feature distillers such as OFD read it).
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                build_norm_layer(norm_cfg, out_channels)[1])

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


@MODELS.register_module()
class CIFARResNet(StagedBackbone):
    """ResNet for 32x32 inputs: a 3x3 stem, three stages of BasicBlocks.

    Depth ``6n + 2``: the stem conv, ``3n`` blocks of two 3x3 convs and the
    classifier's linear layer. Stage ``i`` (1..3) has ``base_channels *
    2**(i-1)`` channels; stages 2 and 3 halve the resolution in their first
    block. Every block whose input and output shapes differ has a 1x1
    conv + BN shortcut, as in the CRD benchmark (so ``layer1`` has one too
    when ``stem_channels != base_channels``, as in resnet8x4 / resnet32x4).

    Stage outputs for a 32x32 input (``w = base_channels``)::

        stem    (N,   stem_channels, 32, 32)
        layer1  (N,   w, 32, 32)     out_indices 0
        layer2  (N, 2*w, 16, 16)     out_indices 1
        layer3  (N, 4*w,  8,  8)     out_indices 2 (default)

    Args:
        depth (int, optional): ``6n + 2``. Give ``depth`` or ``arch``.
        arch (str, optional): A name in :attr:`arch_zoo` (``'resnet20'``,
            ``'resnet32x4'``, ...); sets depth and channels.
        stem_channels (int): Stem output channels. Defaults to 16.
        base_channels (int): Channels of ``layer1``. Defaults to 16.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        out_indices, frozen_stages, norm_eval, init_cfg: see
            :class:`~gankd.models.backbones.StagedBackbone`.

    Example:
        >>> backbone = CIFARResNet(depth=20, out_indices=(0, 1, 2))
        >>> [tuple(f.shape) for f in backbone(torch.rand(1, 3, 32, 32))]
        [(1, 16, 32, 32), (1, 32, 16, 16), (1, 64, 8, 8)]
    """

    #: name -> (depth, stem_channels, base_channels)
    arch_zoo = {
        **{f'resnet{d}': (d, 16, 16) for d in (8, 14, 20, 32, 44, 56, 110)},
        'resnet8x4': (8, 32, 64),
        'resnet32x4': (32, 32, 64),
    }

    def __init__(self,
                 depth: Optional[int] = None,
                 arch: Optional[str] = None,
                 stem_channels: int = 16,
                 base_channels: int = 16,
                 norm_cfg: dict = dict(type='BN'),
                 out_indices: Sequence[int] = (-1, ),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg=DEFAULT_INIT_CFG):
        super().__init__(out_indices, frozen_stages, norm_eval, init_cfg)
        if (depth is None) == (arch is None):
            raise ValueError(
                'CIFARResNet: give exactly one of depth (6n + 2) or arch '
                f'(one of {list(self.arch_zoo)})')
        if arch is not None:
            if arch not in self.arch_zoo:
                raise ValueError(f'CIFARResNet: unknown arch {arch!r}; '
                                 f'choose from {list(self.arch_zoo)}')
            depth, stem_channels, base_channels = self.arch_zoo[arch]
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f'CIFARResNet: depth={depth} is not 6n + 2 '
                             '(8, 14, 20, 32, 44, 56, 110, ...)')
        self.depth = depth
        blocks_per_stage = (depth - 2) // 6

        stem = nn.Sequential(
            nn.Conv2d(3, stem_channels, 3, 1, 1, bias=False),
            build_norm_layer(norm_cfg, stem_channels)[1], nn.ReLU())
        layers, in_channels = [], stem_channels
        for i in range(3):
            out_channels = base_channels * 2**i
            blocks = []
            for j in range(blocks_per_stage):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(
                    _BasicBlock(in_channels, out_channels, stride, norm_cfg))
                in_channels = out_channels
            layers.append(nn.Sequential(*blocks))
        self.out_channels = tuple(base_channels * 2**i for i in range(3))
        self._set_stages(stem, layers)

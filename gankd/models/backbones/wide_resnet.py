"""Zagoruyko & Komodakis' wide residual networks (WRN-d-k) for CIFAR."""
from typing import List, Optional, Sequence

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from torch import Tensor

from gankd.registry import MODELS
from .staged_backbone import DEFAULT_INIT_CFG, StagedBackbone

__all__ = ['WideResNet']


class _PreActBlock(nn.Module):
    """Pre-activation block B(3,3):
    ``conv2(drop(relu(bn2(conv1(a))))) + shortcut``, ``a = relu(bn1(x))``.

    The shortcut is ``x`` itself, or a bias-free 1x1 conv of ``a`` (no BN)
    where the shape changes, as in the authors' code.

    Shapes: ``(N, C_in, H, W) -> (N, C_out, H / stride, W / stride)``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 dropout: float, norm_cfg: dict):
        super().__init__()
        self.bn1 = build_norm_layer(norm_cfg, in_channels)[1]
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1,
                               bias=False)
        # Not in-place: recorders hooked on a BN keep its pre-ReLU output.
        self.relu = nn.ReLU()
        self.dropout = dropout
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride,
                                      bias=False)

    def forward(self, x: Tensor) -> Tensor:
        act = self.relu(self.bn1(x))
        identity = x if self.shortcut is None else self.shortcut(act)
        out = self.relu(self.bn2(self.conv1(act)))
        if self.dropout > 0:
            out = F.dropout(out, p=self.dropout, training=self.training)
        return self.conv2(out) + identity


@MODELS.register_module()
class WideResNet(StagedBackbone):
    """WRN-``depth``-``widen_factor`` for 32x32 inputs.

    A 3x3 conv stem (16 channels, no BN: the blocks are pre-activation),
    three stages of ``(depth - 4) / 6`` pre-activation blocks with ``16k``,
    ``32k``, ``64k`` channels (stages 2 and 3 halve the resolution), then a
    final BN + ReLU, which belongs to the last stage (``norm_out``): the last
    stage's output is activated, the others are raw residual sums, as in the
    paper and in the CRD benchmark's features ``f1, f2`` (pre-BN) and ``f4``.

    Stage outputs for a 32x32 input (``k = widen_factor``)::

        stem    (N,    16, 32, 32)
        layer1  (N, 16*k, 32, 32)    out_indices 0
        layer2  (N, 32*k, 16, 16)    out_indices 1
        layer3  (N, 64*k,  8,  8)    out_indices 2 (default), after norm_out

    Args:
        depth (int, optional): ``6n + 4``. Give ``depth`` or ``arch``.
        widen_factor (int): ``k``. Defaults to 1.
        arch (str, optional): A name in :attr:`arch_zoo` (``'wrn_16_2'``,
            ``'wrn_40_2'``, ...); sets depth and widen factor.
        dropout (float): Dropout between the two convs of each block.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        out_indices, frozen_stages, norm_eval, init_cfg: see
            :class:`~gankd.models.backbones.StagedBackbone`.
    """

    #: name -> (depth, widen_factor)
    arch_zoo = {
        'wrn_16_1': (16, 1),
        'wrn_16_2': (16, 2),
        'wrn_40_1': (40, 1),
        'wrn_40_2': (40, 2),
        'wrn_28_10': (28, 10),
    }

    def __init__(self,
                 depth: Optional[int] = None,
                 widen_factor: int = 1,
                 arch: Optional[str] = None,
                 dropout: float = 0.,
                 norm_cfg: dict = dict(type='BN'),
                 out_indices: Sequence[int] = (-1, ),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg=DEFAULT_INIT_CFG):
        super().__init__(out_indices, frozen_stages, norm_eval, init_cfg)
        if (depth is None) == (arch is None):
            raise ValueError('WideResNet: give exactly one of depth (6n + 4) '
                             f'or arch (one of {list(self.arch_zoo)})')
        if arch is not None:
            if arch not in self.arch_zoo:
                raise ValueError(f'WideResNet: unknown arch {arch!r}; '
                                 f'choose from {list(self.arch_zoo)}')
            depth, widen_factor = self.arch_zoo[arch]
        if depth < 10 or (depth - 4) % 6:
            raise ValueError(f'WideResNet: depth={depth} is not 6n + 4 '
                             '(10, 16, 22, 28, 40, ...)')
        self.depth, self.widen_factor = depth, widen_factor
        blocks_per_stage = (depth - 4) // 6

        stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        layers, in_channels = [], 16
        for i in range(3):
            out_channels = 16 * widen_factor * 2**i
            blocks = []
            for j in range(blocks_per_stage):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(
                    _PreActBlock(in_channels, out_channels, stride, dropout,
                                 norm_cfg))
                in_channels = out_channels
            layers.append(nn.Sequential(*blocks))
        self.norm_out = build_norm_layer(norm_cfg, in_channels)[1]
        self.relu_out = nn.ReLU()
        self.out_channels = tuple(16 * widen_factor * 2**i for i in range(3))
        self._set_stages(stem, layers)

    def _stage_modules(self, index: int) -> List[nn.Module]:
        modules = super()._stage_modules(index)
        if index == self.num_stages:
            modules.append(self.norm_out)
        return modules

    def _run_stage(self, index: int, x: Tensor) -> Tensor:
        x = super()._run_stage(index, x)
        if index == self.num_stages - 1:
            x = self.relu_out(self.norm_out(x))
        return x

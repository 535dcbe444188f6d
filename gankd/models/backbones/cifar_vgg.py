"""VGG with batch norm for CIFAR, in the CRD benchmark's layout (VGG-8 to
VGG-19, one 512-d linear classifier after global pooling)."""
from typing import List, Sequence, Union

import torch.nn as nn
from mmcv.cnn import build_norm_layer

from gankd.registry import MODELS
from .staged_backbone import DEFAULT_INIT_CFG, StagedBackbone

__all__ = ['CIFARVGG']


@MODELS.register_module()
class CIFARVGG(StagedBackbone):
    """VGG-BN for 32x32 inputs: five conv groups, max-pools between them.

    Each conv is ``Conv3x3 (with bias) -> BN -> ReLU``. Group 0 is the
    ``stem``, groups 1..4 are ``layer1..layer4``; ``layer1..layer3`` start with
    a 2x2 max-pool, ``layer4`` only if ``downsample_last`` (CRD pools there
    for 64x64 inputs only, so on CIFAR the last two groups both run at 4x4).
    There are no VGG fully connected layers: the classifier is GAP + one
    linear layer (the neck and head of an mmpretrain ``ImageClassifier``).

    Stage outputs for a 32x32 input::

        stem    (N,  64, 32, 32)
        layer1  (N, 128, 16, 16)    out_indices 0
        layer2  (N, 256,  8,  8)    out_indices 1
        layer3  (N, 512,  4,  4)    out_indices 2
        layer4  (N, 512,  4,  4)    out_indices 3 (default)

    Args:
        arch (str | list[list[int]]): A name in :attr:`arch_zoo` (``'vgg8'``
            ... ``'vgg19'``), or the conv channels of the five groups.
        downsample_last (bool): Max-pool before ``layer4`` too. Defaults to
            False (32x32 inputs, as in CRD).
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        out_indices, frozen_stages, norm_eval, init_cfg: see
            :class:`~gankd.models.backbones.StagedBackbone`.
    """

    #: name -> conv output channels of each of the five groups
    arch_zoo = {
        'vgg8': [[64], [128], [256], [512], [512]],
        'vgg11': [[64], [128], [256, 256], [512, 512], [512, 512]],
        'vgg13': [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
        'vgg16': [[64, 64], [128, 128], [256] * 3, [512] * 3, [512] * 3],
        'vgg19': [[64, 64], [128, 128], [256] * 4, [512] * 4, [512] * 4],
    }

    def __init__(self,
                 arch: Union[str, List[List[int]]] = 'vgg13',
                 downsample_last: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 out_indices: Sequence[int] = (-1, ),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg=DEFAULT_INIT_CFG):
        super().__init__(out_indices, frozen_stages, norm_eval, init_cfg)
        if isinstance(arch, str):
            if arch not in self.arch_zoo:
                raise ValueError(f'CIFARVGG: unknown arch {arch!r}; choose '
                                 f'from {list(self.arch_zoo)}')
            arch = self.arch_zoo[arch]
        if len(arch) != 5 or not all(arch):
            raise ValueError(f'CIFARVGG: arch={arch}: give five non-empty '
                             'lists of conv channels')
        self.arch = [list(group) for group in arch]

        groups, in_channels = [], 3
        for i, channels in enumerate(self.arch):
            pool = 0 < i < 4 or (i == 4 and downsample_last)
            layers = [nn.MaxPool2d(2, 2)] if pool else []
            for out_channels in channels:
                # The conv bias is redundant before BN; kept, as in CRD's
                # model zoo, so the parameter count (and checkpoint keys)
                # match theirs.
                layers += [
                    nn.Conv2d(in_channels, out_channels, 3, 1, 1),
                    build_norm_layer(norm_cfg, out_channels)[1],
                    nn.ReLU()  # not in-place: keep BN outputs for recorders
                ]
                in_channels = out_channels
            groups.append(nn.Sequential(*layers))
        self.out_channels = tuple(group[-1] for group in self.arch[1:])
        self._set_stages(groups[0], groups[1:])

"""The stage layout shared by gankd's CIFAR backbones: ``stem`` then
``layer1..layerK``, with mmpretrain's ``out_indices`` / ``frozen_stages`` /
``norm_eval`` semantics."""
from typing import List, Sequence, Tuple

import torch.nn as nn
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['StagedBackbone']

# Kaiming-normal (fan_out, ReLU) convs and unit-scale norms: the
# initialisation of He et al. and of the CRD benchmark's model zoo.
DEFAULT_INIT_CFG = [
    dict(type='Kaiming', layer='Conv2d'),
    dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm']),
]


class StagedBackbone(BaseBackbone):
    """Base class: ``x -> stem -> layer1 -> ... -> layerK``.

    Subclasses build their modules and hand them to :meth:`_set_stages`.
    Distillers can hook ``stem`` and ``layer{i}`` by name: in the CRD
    benchmark's feature list ``[f0, f1, ...]``, ``f0`` is the stem output and
    ``f{i}`` the output of ``layer{i}``.

    Args:
        out_indices (Sequence[int]): Stages whose outputs :meth:`forward`
            returns, 0-based over ``layer1..layerK``; negative indices count
            from the end. Defaults to ``(-1,)``, the last stage only.
        frozen_stages (int): Freeze the stem (``>= 0``) and ``layer1`` to
            ``layer{frozen_stages}``: no grad, kept in eval mode (BN statistics
            stay fixed) when ``train()`` is called. ``-1`` freezes nothing.
        norm_eval (bool): Keep every BN layer in eval mode under ``train()``.
        init_cfg (dict | list[dict], optional): mmengine initialisation.
    """

    def __init__(self,
                 out_indices: Sequence[int] = (-1, ),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg=None):
        super().__init__(init_cfg)
        if isinstance(out_indices, int):
            out_indices = (out_indices, )
        self._raw_out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.num_stages = 0

    def _set_stages(self, stem: nn.Module, layers: List[nn.Module]) -> None:
        """Attach ``stem`` and ``layers`` as ``stem``, ``layer1``, ...; check
        the stage arguments against their number; freeze what is frozen."""
        self.stem = stem
        self.num_stages = len(layers)
        for i, layer in enumerate(layers, 1):
            self.add_module(f'layer{i}', layer)
        out_indices = []
        for index in self._raw_out_indices:
            if not -self.num_stages <= index < self.num_stages:
                raise ValueError(
                    f'out_indices {self._raw_out_indices}: {index} is not a '
                    f'stage of {type(self).__name__} (stages 0..'
                    f'{self.num_stages - 1}, or negative from the end).')
            out_indices.append(index % self.num_stages)
        self.out_indices = tuple(sorted(set(out_indices)))
        if not -1 <= self.frozen_stages <= self.num_stages:
            raise ValueError(
                f'frozen_stages={self.frozen_stages}: use -1 (none), 0 (the '
                f'stem) up to {self.num_stages} (everything).')
        self._freeze_stages()

    def _stage_modules(self, index: int) -> List[nn.Module]:
        """Modules of stage ``index``: 0 is the stem, ``i`` is ``layer{i}``.
        Subclasses add modules that belong to a stage outside its layer."""
        return [self.stem if index == 0 else getattr(self, f'layer{index}')]

    def _run_stage(self, index: int, x: Tensor) -> Tensor:
        """``layer{index + 1}`` applied to ``x`` (0-based ``index``)."""
        return getattr(self, f'layer{index + 1}')(x)

    def _freeze_stages(self) -> None:
        for index in range(self.frozen_stages + 1):
            for module in self._stage_modules(index):
                module.eval()
                for param in module.parameters():
                    param.requires_grad = False

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Run the stem and every stage.

        Args:
            x (Tensor): Images, ``(N, 3, H, W)``.

        Returns:
            tuple[Tensor]: One ``(N, C_i, H_i, W_i)`` map per index in
            ``out_indices``, in stage order.
        """
        x = self.stem(x)
        outs = []
        for index in range(self.num_stages):
            x = self._run_stage(index, x)
            if index in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self

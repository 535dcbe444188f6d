"""The inversion objective: pixel MSE (+ L1) + a scaled perceptual term,
per image, between the degraded output and the observation."""
import copy
from typing import Dict, List, Optional

import torch
from torch import Tensor, nn

from gankd.errors import UserError
from gankd.registry import MODELS, scope_config_types

__all__ = ['InversionLoss', 'InversionLossError']


class InversionLossError(UserError):
    """An InversionLoss option that cannot be used."""


def _per_image_mean(x: Tensor) -> Tensor:
    """``[B, ...]`` -> ``[B]``."""
    return x.flatten(1).mean(1)


@MODELS.register_module()
class InversionLoss(nn.Module):
    """mGANprior's base loss L(a, b) in its code form (spec §2.2), per image:

    ``pixel_weight * mean((a - b)^2) + l1_weight * mean(|a - b|)
    + weight * internal_scale * sum_k mean(d(phi_k(a), phi_k(b)))``

    where ``a = degradation(output)``, ``b`` the observation (already
    degraded: the degradation is applied to the output only), ``phi_k`` the
    feature maps of the perceptual net and ``d`` the elementwise L1
    (``|.|``) or L2 (``(.)^2``) distance. Every mean is over one image's
    elements, so batching does not couple images; several feature maps
    add up (one map gives the spec's single term).

    Args:
        pixel_weight (float): weight of the pixel MSE (λ₂).
        l1_weight (float): weight of the pixel L1 (λ₁).
        perceptual (dict, optional): ``dict(net=<MODELS cfg or module>,
            weight=1.0, internal_scale=1e-3, distance='l1'|'l2')``; ``net``
            maps images ``[B, 3, H, W]`` in ``[-1, 1]`` to a list of
            feature maps. It is frozen here (no grad, eval mode).
    """

    def __init__(self, pixel_weight: float = 1.0, l1_weight: float = 0.0,
                 perceptual: Optional[dict] = None) -> None:
        super().__init__()
        self.pixel_weight, self.l1_weight = float(pixel_weight), float(
            l1_weight)
        self.net = None
        if perceptual is not None:
            perceptual = dict(perceptual)
            known = {'net', 'weight', 'internal_scale', 'distance'}
            if 'net' not in perceptual or set(perceptual) - known:
                raise InversionLossError(
                    f'InversionLoss perceptual={perceptual}: give dict(net='
                    '..., weight=1.0, internal_scale=1e-3, distance="l1")')
            net = perceptual['net']
            if not isinstance(net, nn.Module):
                net = MODELS.build(scope_config_types(copy.deepcopy(net)))
            self.net = net.requires_grad_(False).eval()
            self.perceptual_scale = float(perceptual.get('weight', 1.0)) * \
                float(perceptual.get('internal_scale', 1e-3))
            self.distance = perceptual.get('distance', 'l1')
            if self.distance not in ('l1', 'l2'):
                raise InversionLossError(
                    f"InversionLoss distance '{self.distance}': use 'l1' "
                    "or 'l2'")

    def train(self, mode: bool = True):
        super().train(mode)
        if self.net is not None:
            self.net.eval()  # the feature net is frozen, always
        return self

    def target_features(self, observation: Tensor
                        ) -> Optional[List[Tensor]]:
        """The observation's features (constant during an inversion):
        compute them once and pass them to :meth:`forward`."""
        if self.net is None:
            return None
        with torch.no_grad():
            return [f.detach() for f in self.net(observation)]

    def forward(self, output: Tensor, observation: Tensor,
                degradation: Optional[nn.Module] = None,
                target_features: Optional[List[Tensor]] = None
                ) -> Dict[str, Tensor]:
        """Per-image losses.

        Args:
            output: generator images ``[B, 3, H, W]`` in ``[-1, 1]``.
            observation: ``[B, 3, h, w]``, the shape of
                ``degradation(output)``.
            degradation: applied to ``output`` only (None: identity).
            target_features: :meth:`target_features` of ``observation``
                (computed here when None).

        Returns:
            dict(loss=[B], pixel=[B], perceptual=[B]): ``pixel`` holds the
            weighted MSE + L1 terms, ``perceptual`` the weighted and
            scaled feature term (zeros without a net).
        """
        degraded = output if degradation is None else degradation(output)
        if degraded.shape != observation.shape:
            raise InversionLossError(
                f'InversionLoss: the degraded output {list(degraded.shape)}'
                f' does not match the observation {list(observation.shape)}'
                '; give observations of the degradation\'s output size')
        diff = degraded - observation
        pixel = self.pixel_weight * _per_image_mean(diff.square())
        if self.l1_weight:
            pixel = pixel + self.l1_weight * _per_image_mean(diff.abs())
        perceptual = torch.zeros_like(pixel)
        if self.net is not None:
            if target_features is None:
                target_features = self.target_features(observation)
            for feat, target in zip(self.net(degraded), target_features):
                gap = feat - target
                gap = gap.abs() if self.distance == 'l1' else gap.square()
                perceptual = perceptual + _per_image_mean(gap)
            perceptual = self.perceptual_scale * perceptual
        return dict(loss=pixel + perceptual, pixel=pixel,
                    perceptual=perceptual)

"""D_k: scores (feature, identity) pairs."""
import torch
from mmengine.model import BaseModule
from torch import Tensor

from .feature_mlp import mlp

__all__ = ['FeatureDiscriminator']


class FeatureDiscriminator(BaseModule):
    """``D_k(f_k, f_id)``: an MLP from ``[f_k, f_id]`` to one logit.

    Args:
        feature_dim (int): size of the feature.
        identity_dim (int): size of ``f_id`` (ignored unless
            ``conditional``).
        hidden (int): MLP width.
        num_layers (int): linear layers.
        conditional (bool): score (feature, identity) pairs
            [proposed]; False scores features alone.
        init_cfg (dict, optional): mmengine init config.

    Shapes: ``features`` ``[N, feature_dim]``, ``identity``
    ``[N, identity_dim]`` -> ``[N, 1]``.
    """

    def __init__(self, feature_dim: int, identity_dim: int,
                 hidden: int = 512, num_layers: int = 4,
                 conditional: bool = True, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.conditional = bool(conditional) and identity_dim > 0
        self.net = mlp(int(feature_dim) + (int(identity_dim)
                                           if self.conditional else 0),
                       hidden, 1, num_layers)

    def forward(self, features: Tensor, identity: Tensor) -> Tensor:
        x = torch.cat([features, identity], dim=1) \
            if self.conditional else features
        return self.net(x)

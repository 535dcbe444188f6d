"""G_k: noise (and the identity) to one facial feature."""
import torch
from mmengine.model import BaseModule
from torch import Tensor

from .feature_mlp import mlp

__all__ = ['FeatureGenerator']


class FeatureGenerator(BaseModule):
    """``f_k = G_k(z_k, f_id)``: an MLP from ``[z_k, f_id]`` to a feature.

    Args:
        feature_dim (int): size of the feature (the extractor's width).
        identity_dim (int): size of ``f_id`` (0 or ``conditional=False``:
            the generator ignores the identity) [proposed: conditional].
        z_dim (int): size of ``z_k``.
        hidden (int): MLP width.
        num_layers (int): linear layers.
        conditional (bool): concatenate ``f_id`` to ``z_k``.
        init_cfg (dict, optional): mmengine init config.

    Shapes: ``z`` ``[N, z_dim]``, ``identity`` ``[N, identity_dim]`` ->
    ``[N, feature_dim]``.
    """

    def __init__(self, feature_dim: int, identity_dim: int, z_dim: int = 64,
                 hidden: int = 512, num_layers: int = 4,
                 conditional: bool = True, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.feature_dim, self.z_dim = int(feature_dim), int(z_dim)
        self.conditional = bool(conditional) and identity_dim > 0
        self.identity_dim = int(identity_dim) if self.conditional else 0
        self.net = mlp(self.z_dim + self.identity_dim, hidden,
                       self.feature_dim, num_layers)

    def forward(self, z: Tensor, identity: Tensor) -> Tensor:
        x = torch.cat([z, identity], dim=1) if self.conditional else z
        return self.net(x)

"""Small helpers shared by the PGGAN generator and discriminator.

The equalized-lr layers and the official "fused" resampling kernel are
:mod:`gankd.models.layers`; here is the activation.
"""
import torch.nn.functional as F
from torch import Tensor

__all__ = ['lrelu']


def lrelu(x: Tensor) -> Tensor:
    """Leaky ReLU with the official slope 0.2 (no gain)."""
    return F.leaky_relu(x, 0.2)

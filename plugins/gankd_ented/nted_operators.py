"""NTED's neural-texture extraction and distribution operators.

Ren et al., "Neural Texture Extraction and Distribution for Controllable
Person Image Synthesis", CVPR 2022; matches the official code
(RenYurui/Neural-Texture-Extraction-Distribution, generators/
base_function.py, ``ExtractionOperation`` / ``DistributionOperation``):
equalised-lr convolutions (gankd's ``EqualizedConv2d``, gain 1), the value
and distribution convs with a zero-initialised bias, the extraction filter
without one. ENTED (spec 2.1) uses them unchanged.

Shapes: features ``[B, C, H, W]``; ``K`` semantic labels; ``M = H * W``.
"""
import math
import sys
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.models.layers import EqualizedConv2d

__all__ = ['feature_norm', 'ExtractionOperation', 'DistributionOperation']


def feature_norm(x: Tensor) -> Tensor:
    """Per position: remove the channel mean, divide by the channel L2
    norm plus machine epsilon (an all-equal position gives 0, not NaN).
    ``[B, C, H, W]`` -> same."""
    x = x - x.mean(dim=1, keepdim=True)
    return x / (torch.norm(x, 2, 1, keepdim=True) + sys.float_info.epsilon)


class ExtractionOperation(nn.Module):
    """Reference features -> neural textures, one per semantic label.

    ``A_e = softmax_M(filter(feature_norm(F)))`` (each label's attention
    sums to 1 over positions), ``V = value_conv(F)``, textures
    ``T = V A_e^T``: each label's texture is an attention-weighted average
    of value vectors.

    Args:
        channels: C of the reference features (and of the textures).
        num_labels: K.
        match_kernel: kernel side of both convs (odd; NTED: 1 at 16x16,
            3 elsewhere).

    Shapes:
        ``forward(F [B, C, H, W]) -> (T [B, C, K], A_e [B, K, M])``.
    """

    def __init__(self, channels: int, num_labels: int,
                 match_kernel: int = 3) -> None:
        super().__init__()
        self.num_labels = num_labels
        self.value_conv = EqualizedConv2d(channels, channels, match_kernel,
                                          bias=True)
        self.extraction_filter = EqualizedConv2d(channels, num_labels,
                                                 match_kernel, bias=False)

    def forward(self, features: Tensor) -> Tuple[Tensor, Tensor]:
        b = features.shape[0]
        logits = self.extraction_filter(feature_norm(features))
        attention = logits.view(b, self.num_labels, -1).softmax(dim=-1)
        values = self.value_conv(features).flatten(2)  # [B, C, M]
        textures = torch.einsum('bkm,bcm->bck', attention, values)
        return textures, attention


class DistributionOperation(nn.Module):
    """Neural textures -> a decoder feature map, by label assignment.

    ``A_d = softmax_K(filter(Q))`` (sums to 1 over labels at every
    position), ``O = T A_d``; the layer combines ``(Q + O) / sqrt(2)``
    before its bias and activation. Q is not normalised.

    Args:
        channels: C of the query (and the textures).
        num_labels: K.
        match_kernel: kernel side of the assignment filter.

    Shapes:
        ``distribute(Q [B, C, H, W], T [B, C, K]) -> (O [B, C, H, W],
        logits [B, K, H, W])`` (logits before their softmax, as the
        attention-reconstruction loss takes them);
        ``forward(Q, T) -> ((Q + O) / sqrt(2), logits)``.
    """

    def __init__(self, channels: int, num_labels: int,
                 match_kernel: int = 3) -> None:
        super().__init__()
        self.num_labels = num_labels
        self.distribution_filter = EqualizedConv2d(channels, num_labels,
                                                   match_kernel, bias=True)

    def distribute(self, query: Tensor,
                   textures: Tensor) -> Tuple[Tensor, Tensor]:
        b, _, h, w = query.shape
        if textures.shape[-1] != self.num_labels:
            raise ValueError(f'textures hold {textures.shape[-1]} labels, '
                             f'the distribution expects {self.num_labels}')
        logits = self.distribution_filter(query)
        assignment = F.softmax(logits.view(b, self.num_labels, -1), dim=1)
        out = torch.einsum('bkm,bck->bcm', assignment, textures)
        return out.reshape(b, -1, h, w), logits

    def forward(self, query: Tensor,
                textures: Tensor) -> Tuple[Tensor, Tensor]:
        out, logits = self.distribute(query, textures)
        return (query + out) / math.sqrt(2), logits

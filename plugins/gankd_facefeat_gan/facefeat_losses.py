"""FaceFeat-GAN's generator-side objectives as plain functions (tested by
hand); the adversarial terms and R1 are the GAN core's."""
from typing import Dict, List, Optional

import torch.nn.functional as F
from torch import Tensor

__all__ = ['identity_loss', 'feature_consistency_loss', 'mode_seeking_loss',
           'perceptual_distance']


def identity_loss(embeddings: Tensor, target: Tensor) -> Tensor:
    """``mean_i (1 - cos(E_id(x_hat_i), f_id_i))`` over ``[N, d]`` pairs."""
    return (1 - F.cosine_similarity(embeddings, target, dim=1)).mean()


def feature_consistency_loss(extracted: Dict[str, Tensor],
                             requested: Dict[str, Tensor],
                             weights: Dict[str, float]) -> Tensor:
    """``sum_k w_k mean_i ||E_k(x_hat_i) - f_k,i||_1``: the rendered image
    must carry the features it was asked to (``{name: [N, d_k]}``)."""
    return sum(float(weights[k]) * (extracted[k] - requested[k].detach())
               .abs().sum(dim=1).mean() for k in requested)


def mode_seeking_loss(f1: Tensor, f2: Tensor, z1: Tensor, z2: Tensor,
                      eps: float = 1e-5) -> Tensor:
    """Mode seeking (Mao et al. 2019) as the spec writes it:
    ``-mean_i (mean|f1_i - f2_i|) / (mean|z1_i - z2_i| + eps)`` for features
    ``[N, d]`` from codes ``[N, d_z]``; minimising it spreads the outputs
    of different codes (per-dimension means, so sizes do not matter)."""
    ratio = (f1 - f2).abs().flatten(1).mean(1) / \
        ((z1 - z2).abs().flatten(1).mean(1) + eps)
    return -ratio.mean()


def perceptual_distance(pred: List[Tensor],
                        target: List[Tensor],
                        weights: Optional[List[float]] = None) -> Tensor:
    """Mean over layers of the mean L1 between feature maps (targets
    detached): the ``L_p`` term of the reconstruction loss."""
    weights = weights or [1.0] * len(pred)
    return sum(w * (p - t.detach()).abs().mean()
               for w, p, t in zip(weights, pred, target)) / len(pred)

"""NTED's attention-reconstruction loss (loss/attn_recon.py of the official
code): the reference image pulled through the extraction and distribution
attentions must give the target image, at every scale that has them."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn


__all__ = ['attention_reconstruction', 'AttentionReconstructionLoss']


def attention_reconstruction(image: Tensor, extraction: Tensor,
                             logits: Tensor) -> Tensor:
    """``I_hat = (I A_e^T) A_d``: the image's colours gathered per label by
    the extraction attention, then assigned by the distribution's.

    Args:
        image: ``[B, 3, H, W]``, already at the attentions' size.
        extraction: ``A_e`` ``[B, K, H * W]`` (after its softmax).
        logits: the distribution logits ``[B, K, H, W]`` (before theirs).

    Returns:
        ``[B, 3, H, W]``.
    """
    b, k, h, w = logits.shape
    colours = torch.einsum('bkm,bcm->bck', extraction, image.flatten(2))
    assignment = F.softmax(logits.view(b, k, -1), dim=1)
    return torch.einsum('bkm,bck->bcm', assignment, colours).view(b, -1, h, w)


class AttentionReconstructionLoss(nn.Module):
    """Weighted mean over (A_e, A_d) pairs of ``L1(I_hat, target)``.

    Both images are resized to each pair's size with nearest
    interpolation and detached (the loss trains the attentions only), as
    in NTED. The per-pair weight is looked up by the feature height
    (``weights``; None: 1 for every height, NTED's 512 config); the
    weighted mean is multiplied by ``loss_weight`` (NTED's trainer: 15).

    Shapes:
        ``forward(reference [B, 3, H, W], target [B, 3, H, W],
        extractions [[B, K_i, M_i]], logits [[B, K_i, h_i, w_i]]) -> []``.
    """

    def __init__(self, weights: Optional[Dict[int, float]] = None,
                 loss_weight: float = 15.0) -> None:
        super().__init__()
        self.weights = None if weights is None else {
            int(k): float(v) for k, v in weights.items()}
        self.loss_weight = float(loss_weight)

    def weight(self, height: int) -> float:
        if self.weights is None:
            return 1.0
        if height not in self.weights:
            raise KeyError(f'AttentionReconstructionLoss: no weight for '
                           f'features of height {height}; weights: '
                           f'{sorted(self.weights)}')
        return self.weights[height]

    def forward(self, reference: Tensor, target: Tensor,
                extractions: Sequence[Tensor],
                logits: Sequence[Tensor]) -> Tensor:
        if len(extractions) != len(logits) or not logits:
            raise ValueError(f'{len(extractions)} extraction attentions for '
                             f'{len(logits)} distributions: give pairs')
        total = reference.new_zeros(())
        weights = 0.0
        for extraction, logit in zip(extractions, logits):
            size = tuple(logit.shape[2:])
            ref = F.interpolate(reference, size).detach()
            gt = F.interpolate(target, size).detach()
            weight = self.weight(size[0])
            estimate = attention_reconstruction(ref, extraction, logit)
            total = total + F.l1_loss(estimate, gt) * weight
            weights += weight
        return self.loss_weight * total / weights

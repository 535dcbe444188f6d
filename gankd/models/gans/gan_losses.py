"""The StyleGAN2 training objectives as plain functions (tested by hand).

* Non-saturating logistic loss (Goodfellow et al. 2014, as in StyleGAN):
  D minimises ``softplus(-D(real)) + softplus(D(fake))``, G minimises
  ``softplus(-D(fake))``.
* R1 (Mescheder et al. 2018): ``gamma / 2 * E ||grad_x D(x)||^2`` on reals.
* Path length (Karras et al. 2020): per-sample Jacobian norm
  ``|| J_wp^T y ||`` with ``y ~ N(0, I) / sqrt(H W)``, pulled towards its
  running mean.
* EMA momentum from a half-life in images (StyleGAN2's ``ema_kimg``).
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    'disc_logistic_loss', 'gen_nonsaturating_loss', 'r1_penalty',
    'path_lengths', 'ema_momentum'
]


def disc_logistic_loss(real_scores: Tensor, fake_scores: Tensor) -> dict:
    """D's non-saturating logistic loss, split into its two terms.

    Args:
        real_scores: ``[N, 1]`` D logits on real images.
        fake_scores: ``[M, 1]`` D logits on generated images.

    Returns:
        dict with ``loss_real`` = mean softplus(-real) and ``loss_fake`` =
        mean softplus(fake) (scalars; their sum is the D loss).
    """
    return dict(loss_real=F.softplus(-real_scores).mean(),
                loss_fake=F.softplus(fake_scores).mean())


def gen_nonsaturating_loss(fake_scores: Tensor) -> Tensor:
    """G's non-saturating loss, mean softplus(-D(G(z))) over ``[N, 1]``."""
    return F.softplus(-fake_scores).mean()


def r1_penalty(scores: Tensor, images: Tensor) -> Tensor:
    """Mean squared norm of the gradient of D's scores w.r.t. its inputs.

    The graph is kept (``create_graph``) so the penalty trains D. Scores of
    different samples depend only on their own image except through
    minibatch-stddev layers, so one backward of ``scores.sum()`` gives every
    per-sample gradient at once (as StyleGAN2 computes it).

    Args:
        scores: ``[N, 1]`` D logits computed from ``images``.
        images: ``[N, ...]`` that require grad: images ``[N, C, H, W]``,
            or inputs of any rank (feature vectors ``[N, D]``).

    Returns:
        scalar ``mean_i ||dD/dx_i||^2`` (without gamma/2), the squared norm
        taken over every dimension but the first.
    """
    grad, = torch.autograd.grad(scores.sum(), images, create_graph=True)
    return grad.square().flatten(1).sum(dim=1).mean()


def path_lengths(images: Tensor, codes: Tensor,
                 noise: Optional[Tensor] = None) -> Tensor:
    """Per-sample path lengths ``sqrt(mean_l ||J_l^T y||^2)``.

    Args:
        images: ``[N, C, H, W]`` generated from ``codes``.
        codes: ``[N, L, D]`` per-layer codes in the graph of ``images``.
        noise: ``[N, C, H, W]`` the random image-space direction ``y``;
            default standard normal divided by ``sqrt(H * W)`` (so the
            length does not depend on resolution).

    Returns:
        ``[N]`` lengths, differentiable (``create_graph``).
    """
    if noise is None:
        noise = torch.randn_like(images) / math.sqrt(
            images.shape[2] * images.shape[3])
    grad, = torch.autograd.grad((images * noise).sum(), codes,
                                create_graph=True)
    return grad.square().sum(dim=2).mean(dim=1).sqrt()


def ema_momentum(batch_size: int, half_life_kimg: float,
                 num_images: Optional[int] = None,
                 rampup: Optional[float] = None) -> float:
    """mmengine EMA momentum for StyleGAN2's EMA half-life.

    StyleGAN2 keeps ``G_ema = beta * G_ema + (1 - beta) * G`` with
    ``beta = 0.5 ** (batch / half_life_images)``: the EMA forgets half of
    the past every ``half_life_kimg`` thousand images whatever the batch
    size. mmengine's :class:`~mmengine.model.ExponentialMovingAverage`
    weights the new value by ``momentum = 1 - beta``.

    Args:
        batch_size: images per G step, over all processes.
        half_life_kimg: half-life in thousands of images.
        num_images: images seen so far; only used with ``rampup``.
        rampup: if set, the half-life is at most ``num_images * rampup``
            (StyleGAN2-ADA's ramp-up: a short memory early in training).

    Returns:
        momentum in ``(0, 1]``.
    """
    half_life = half_life_kimg * 1000.0
    if rampup is not None:
        if num_images is None:
            raise ValueError('ema_momentum: rampup needs num_images')
        half_life = min(half_life, num_images * rampup)
    if half_life <= 0:
        return 1.0
    return 1.0 - 0.5 ** (batch_size / half_life)

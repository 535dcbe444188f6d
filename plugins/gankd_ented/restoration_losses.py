"""The image losses of ENTED's training (spec 2.3): NTED's perceptual loss
(multi-scale feature L1 + Gram style loss) and the identity distance, each
on a frozen feature net given by config (no download: e.g. gankd's
``ClassifierFeatures`` of a SynthFaces classifier, or ``VGG16Features``
with weights the user has)."""
from typing import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['gram_matrix', 'perceptual_loss', 'identity_loss']


def gram_matrix(x: Tensor) -> Tensor:
    """``[B, C, H, W]`` -> ``F F^T / (C H W)`` ``[B, C, C]`` (NTED)."""
    b, c, h, w = x.shape
    f = x.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


def _maps(net: nn.Module, images: Tensor) -> Sequence[Tensor]:
    out = net(images)
    return [out] if isinstance(out, Tensor) else list(out)


def perceptual_loss(net: nn.Module, pred: Tensor, target: Tensor,
                    num_scales: int = 3, style_weight: float = 1000.0
                    ) -> Tensor:
    """NTED's ``PerceptualLoss``: ``sum_scales sum_layers L1(phi(pred),
    sg[phi(target)])`` over ``num_scales`` image scales (bilinear halving),
    plus ``style_weight * sum_layers L1(G(phi(pred)), G(sg[phi(target)]))``
    at full scale only.

    Args:
        net: images ``[B, 3, H, W]`` in ``[-1, 1]`` -> a feature map or a
            list of them (frozen by the caller).
        pred, target: ``[B, 3, H, W]``.

    Returns:
        a scalar.
    """
    total = pred.new_zeros(())
    for scale in range(num_scales):
        for i, (a, b) in enumerate(zip(_maps(net, pred),
                                       _maps(net, target))):
            b = b.detach()
            total = total + F.l1_loss(a, b)
            if scale == 0 and style_weight:
                total = total + style_weight * F.l1_loss(gram_matrix(a),
                                                         gram_matrix(b))
        if scale != num_scales - 1:
            pred = F.interpolate(pred, scale_factor=0.5, mode='bilinear',
                                 align_corners=False)
            target = F.interpolate(target, scale_factor=0.5,
                                   mode='bilinear', align_corners=False)
    return total


def identity_loss(net: nn.Module, pred: Tensor, target: Tensor) -> Tensor:
    """``mean(1 - cos(e(pred), sg[e(target)]))`` with ``e`` the last
    feature map of ``net`` average-pooled to a vector (an identity
    embedding when the net is an identity classifier's backbone)."""
    a = _maps(net, pred)[-1]
    b = _maps(net, target)[-1].detach()
    if a.dim() == 4:
        a, b = a.mean((2, 3)), b.mean((2, 3))
    return (1 - F.cosine_similarity(a.flatten(1), b.flatten(1))).mean()

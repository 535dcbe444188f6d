"""Global average pooling followed by BatchNorm1d: a classifier neck that
makes a linear head insensitive to the scale of the features it reads, and
that folds into that head for deployment.

A head trained on frozen features (stage-by-stage KD's and Residual KD's
last phase) sees whatever scale feature mimicking left: the student's
pooled features can be several times smaller than a network trained on
labels, and a plain linear head then learns slowly at the usual LR. The
BatchNorm standardises each channel, so the head phase converges as it
would on unit-scale features. At export the BatchNorm (an affine map with
its running statistics) is folded into the head's linear layer: the
deployed classifier is mmpretrain's GAP + LinearClsHead, with identical
outputs and no extra operation.
"""
import copy
from typing import Tuple

import torch
from torch import Tensor, nn

from gankd.registry import MODELS

__all__ = ['PooledBatchNormNeck', 'fold_batch_norm_neck']


@MODELS.register_module()
class PooledBatchNormNeck(nn.Module):
    """``(x[N, C, H, W], ...)`` -> ``(BN1d(mean_hw(x)) [N, C],)`` for the
    last input (mmpretrain necks take and return tuples).

    Args:
        in_channels (int): C.
        momentum (float): BatchNorm1d momentum of the running statistics.
    """

    def __init__(self, in_channels: int, momentum: float = 0.1) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(in_channels, momentum=momentum)

    def forward(self, inputs: Tuple[Tensor, ...]) -> Tuple[Tensor]:
        feat = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        return (self.bn(feat.mean(dim=(2, 3))), )


@torch.no_grad()
def fold_batch_norm_neck(classifier: nn.Module,
                         cfg: dict) -> Tuple[nn.Module, dict]:
    """A copy of an mmpretrain ``ImageClassifier`` whose neck is a
    :class:`PooledBatchNormNeck`, with the BatchNorm folded into
    ``head.fc`` and the neck replaced by ``GlobalAveragePooling``; the
    classifier and ``cfg`` are returned unchanged for other necks.

    With ``s = sqrt(running_var + eps)``: ``W' = W * gamma / s`` (per input
    channel) and ``b' = b + W (beta - gamma * running_mean / s)``, so the
    folded classifier gives the same logits in eval mode.
    """
    if not isinstance(getattr(classifier, 'neck', None), PooledBatchNormNeck):
        return classifier, cfg
    bn = classifier.neck.bn
    folded = copy.deepcopy(classifier)
    fc = folded.head.fc
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # [C]
    shift = bn.bias - bn.running_mean * scale  # [C]
    fc.bias.add_(fc.weight @ shift)
    fc.weight.mul_(scale)  # [K, C] * [C]: scales each input channel
    from mmpretrain.models.necks import GlobalAveragePooling
    folded.neck = GlobalAveragePooling()
    cfg = dict(copy.deepcopy(cfg),
               neck=dict(type='mmpretrain.GlobalAveragePooling'))
    return folded, cfg

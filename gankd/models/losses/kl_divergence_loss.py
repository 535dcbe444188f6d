"""Hinton et al.'s soft-target distillation loss."""
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.registry import MODELS

__all__ = ['KLDivergenceLoss']


@MODELS.register_module()
class KLDivergenceLoss(nn.Module):
    """KD loss of Hinton et al., "Distilling the Knowledge in a Neural
    Network" (2015)::

        loss = loss_weight * tau^2 * KL(softmax(t / tau) || softmax(s / tau))

    with the KL summed over classes and averaged over the batch
    ('batchmean', the true KL per sample, unlike torch's 'mean' which also
    divides by the number of classes). The ``tau^2`` factor keeps the
    gradient magnitude roughly independent of ``tau``, as the paper advises
    when mixing it with a hard-label loss. The teacher is detached, so only
    the student receives gradients.

    Args:
        tau (float): Softmax temperature (> 0). Defaults to 4.0.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self, tau: float = 4.0, loss_weight: float = 1.0) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'tau must be > 0, got {tau}')
        self.tau = float(tau)
        self.loss_weight = float(loss_weight)

    def forward(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            preds_S (Tensor): Student logits ``[N, K]``.
            preds_T (Tensor): Teacher logits ``[N, K]``.

        Returns:
            Tensor: Scalar loss.
        """
        if preds_S.dim() != 2 or preds_S.shape != preds_T.shape:
            raise ValueError(
                f'{type(self).__name__} expects student and teacher logits '
                f'of the same shape [N, K], got {list(preds_S.shape)} and '
                f'{list(preds_T.shape)}.')
        log_p_s = F.log_softmax(preds_S / self.tau, dim=1)
        # log-space target: exact where a teacher probability underflows to 0
        log_p_t = F.log_softmax(preds_T.detach() / self.tau, dim=1)
        kl = F.kl_div(log_p_s, log_p_t, reduction='batchmean',
                      log_target=True)
        return self.loss_weight * self.tau**2 * kl

    def extra_repr(self) -> str:
        return f'tau={self.tau}, loss_weight={self.loss_weight}'

"""Mean squared error between student and teacher feature maps."""
from torch import Tensor, nn

from gankd.registry import MODELS

__all__ = ['FeatureMSELoss']


@MODELS.register_module()
class FeatureMSELoss(nn.Module):
    """Feature mimicking loss (stage-by-stage KD, FitNets-style hints)::

        loss = loss_weight * mean((f_s - f_t)^2) [/ (var(f_t) + eps)]

    The mean runs over every element ``N * C * H * W``. With ``normalize``,
    dividing by the teacher feature's variance (over all its elements, this
    batch) makes stages of very different scales comparable and reads as
    "fraction of the teacher's variance left unexplained" (a proposed
    option of stage-by-stage KD, see the method notes). The teacher feature
    and its variance are detached: only the student receives gradients.

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        normalize (bool): Divide by the teacher feature variance.
            Defaults to False.
        eps (float): Added to the variance so a constant teacher feature
            does not divide by zero. Defaults to 1e-6.
    """

    def __init__(self, loss_weight: float = 1.0, normalize: bool = False,
                 eps: float = 1e-6) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)
        self.normalize = normalize
        self.eps = eps

    def forward(self, feat_S: Tensor, feat_T: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            feat_S (Tensor): Student feature, e.g. ``[N, C, H, W]``.
            feat_T (Tensor): Teacher feature, same shape.

        Returns:
            Tensor: Scalar loss.

        Raises:
            ValueError: the shapes differ; broadcasting would silently
                compare the wrong elements, so a connector is required.
        """
        if feat_S.shape != feat_T.shape:
            raise ValueError(
                f'{type(self).__name__}: student feature '
                f'{list(feat_S.shape)} and teacher feature '
                f'{list(feat_T.shape)} differ; add a connector (e.g. '
                'ConvBNConnector) to map the student onto the teacher.')
        feat_T = feat_T.detach()
        loss = (feat_S - feat_T).pow(2).mean()
        if self.normalize:
            loss = loss / (feat_T.var(correction=0) + self.eps)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, '
                f'normalize={self.normalize}')

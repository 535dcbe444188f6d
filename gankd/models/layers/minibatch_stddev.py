"""Minibatch standard deviation (Karras et al., PGGAN section 3)."""
import torch
from torch import Tensor, nn

__all__ = ['MinibatchStdDev']


class MinibatchStdDev(nn.Module):
    """Appends the within-group standard deviation as extra channels.

    The batch is split as ``[G, N // G]`` with the group index outermost
    (sample ``n`` is member ``n // (N // G)`` of group ``n % (N // G)``),
    ``G = min(group_size, N)``. Channels are split into ``num_channels``
    slices; per group and slice the biased std over the G members (``+1e-8``
    inside the square root) is averaged over the slice's channels, H and W
    and appended as one constant channel. The score of a sample therefore
    depends on the other members of its group, as in the official models.

    Args:
        group_size: G; the batch size must be divisible by ``min(G, N)``.
        num_channels: number of statistics channels appended (``C`` must be
            divisible by it).
        eps: added to the variance.

    Shapes:
        ``[N, C, H, W]`` -> ``[N, C + num_channels, H, W]``.
    """

    def __init__(self, group_size: int, num_channels: int = 1,
                 eps: float = 1e-8):
        super().__init__()
        self.group_size = group_size
        self.num_channels = num_channels
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        group = min(self.group_size, n)
        if n % group:
            raise ValueError(
                f'MinibatchStdDev: batch size {n} is not divisible by the '
                f'group size {group}; use a batch size that is a multiple '
                f'of {group}')
        if c % self.num_channels:
            raise ValueError(
                f'MinibatchStdDev: {c} channels are not divisible into '
                f'{self.num_channels} statistics channels')
        slices = self.num_channels
        y = x.reshape(group, n // group, slices, c // slices, h, w)
        y = y - y.mean(dim=0)
        std = (y.square().mean(dim=0) + self.eps).sqrt()  # [M, F, C/F, H, W]
        std = std.mean(dim=(2, 3, 4))  # [M, F]
        std = std.reshape(-1, slices, 1, 1).repeat(group, 1, h, w)
        return torch.cat([x, std], dim=1)

    def extra_repr(self) -> str:
        return (f'group_size={self.group_size}, '
                f'num_channels={self.num_channels}')

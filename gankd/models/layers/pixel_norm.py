"""Pixel-wise feature normalisation (Karras et al., PGGAN section 4.2)."""
import torch
from torch import Tensor, nn

__all__ = ['pixel_norm', 'PixelNorm']


def pixel_norm(x: Tensor, eps: float = 1e-8) -> Tensor:
    """``x / sqrt(mean over dim 1 of x^2 + eps)``.

    Args:
        x: ``[N, C]`` latent codes or ``[N, C, H, W]`` features.
        eps: added inside the square root.

    Returns:
        Tensor of the same shape; each position has unit RMS over channels.
    """
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + eps)


class PixelNorm(nn.Module):
    """Module form of :func:`pixel_norm` (shape preserved)."""

    def __init__(self, eps: float = 1e-8):
        super().__init__()
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        return pixel_norm(x, self.eps)

    def extra_repr(self) -> str:
        return f'eps={self.eps:g}'

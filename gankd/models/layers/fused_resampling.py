"""The kernel of PGGAN's and StyleGAN's fused resampling convolutions."""
import torch.nn.functional as F
from torch import Tensor

__all__ = ['shift_sum_kernel']


def shift_sum_kernel(weight: Tensor) -> Tensor:
    """Turn a ``k x k`` kernel into the ``(k+1) x (k+1)`` sum of its four
    one-pixel shifts (zero-padded), as the official fused resampling convs do.

    A stride-2 transposed conv with this kernel equals nearest 2x upsampling
    followed by a conv with the spatially flipped ``k x k`` kernel; a stride-2
    conv with a quarter of it equals a conv followed by 2x2 average pooling.

    Args:
        weight: ``[A, B, k, k]`` runtime (already scaled) kernel.

    Returns:
        ``[A, B, k+1, k+1]``.
    """
    w = F.pad(weight, (1, 1, 1, 1))
    return w[:, :, 1:, 1:] + w[:, :, :-1, 1:] + w[:, :, 1:, :-1] + \
        w[:, :, :-1, :-1]

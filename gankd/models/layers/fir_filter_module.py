"""FIR resampling as a module holding its kernel (genforce's ``kernel``
buffer, so the state dict keys ``*.filter.kernel``, ``upsample.kernel`` and
``downsample.kernel`` exist as in the official converted checkpoints)."""
from typing import Sequence, Tuple

from torch import Tensor, nn

from gankd.models.layers.fir_filter import fir_kernel, upfirdn2d

__all__ = ['FIRFilter']


class FIRFilter(nn.Module):
    """``upfirdn2d`` with a fixed ``[1, 1, k, k]`` kernel buffer.

    The buffer is applied by correlation (no flip), as the reference applies
    its stored buffer; the kernels made here are symmetric anyway.

    Args:
        taps: 1-D taps of the separable kernel.
        gain: sum of the kernel (``up ** 2`` for upsampling filters, 1 for
            downsampling ones).
        up: zero-insertion factor.
        down: subsampling factor.
        pad: ``(before, after)`` padding, the same in both axes.

    Shapes:
        ``[N, C, H, W]`` -> ``[N, C, H', W']`` with
        ``H' = (H * up + before + after - k) // down + 1``.
    """

    def __init__(self, taps: Sequence[float] = (1, 3, 3, 1),
                 gain: float = 1.0, up: int = 1, down: int = 1,
                 pad: Tuple[int, int] = (0, 0)):
        super().__init__()
        self.register_buffer('kernel', fir_kernel(taps, gain)[None, None])
        self.up = up
        self.down = down
        self.pad = (pad[0], pad[1], pad[0], pad[1])

    def forward(self, x: Tensor) -> Tensor:
        # upfirdn2d convolves (flips); flipping first makes it a correlation
        # with the stored buffer.
        return upfirdn2d(x, self.kernel.flip((-2, -1)), up=self.up,
                         down=self.down, pad=self.pad)

    def extra_repr(self) -> str:
        return f'up={self.up}, down={self.down}, pad={self.pad[:2]}'

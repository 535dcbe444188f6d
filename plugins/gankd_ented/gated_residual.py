"""ENTED's residual connection [proposed, spec 2.2.2]: the quantised map
keeps identity information of the input through ``S_sem = U(d) + g * S``."""
import torch
from torch import Tensor, nn


__all__ = ['GatedResidual', 'RESIDUAL_MODES']

RESIDUAL_MODES = ('none', 'add', 'gated')


class GatedResidual(nn.Module):
    """``'gated'``: ``q + g * s`` with ``g`` ``[C]`` learnable, initialised
    to 0 (the output starts independent of the residual branch);
    ``'add'``: ``q + s``; ``'none'``: ``q`` (the ablation without residual).

    Shapes:
        ``forward(q [B, C, H, W], s [B, C, H, W]) -> [B, C, H, W]``.
    """

    def __init__(self, channels: int, mode: str = 'gated') -> None:
        super().__init__()
        if mode not in RESIDUAL_MODES:
            raise ValueError(f"residual={mode!r}: use one of "
                             f"{', '.join(RESIDUAL_MODES)}")
        self.mode = mode
        if mode == 'gated':
            self.gate = nn.Parameter(torch.zeros(channels))

    def forward(self, quantized: Tensor, skip: Tensor) -> Tensor:
        if self.mode == 'none':
            return quantized
        if self.mode == 'add':
            return quantized + skip
        return quantized + self.gate.view(1, -1, 1, 1) * skip

    def extra_repr(self) -> str:
        return f'mode={self.mode!r}'

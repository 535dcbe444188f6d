"""ENTED's code-word replacement [proposed realisation, spec 2.2.2]: each
position of the LQ semantic map is replaced by its nearest entry of a
dictionary learnt on clean faces (a VQ auto-encoder, stage A)."""
from typing import Dict

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce
from torch import Tensor, nn


__all__ = ['VectorQuantizer']


class VectorQuantizer(nn.Module):
    """``S -> U(d_j*)`` with ``j* = argmin_j ||P(s_p) - d_j||^2``.

    ``P`` (``channels -> dim``) and ``U`` (``dim -> channels``) are 1x1
    convolutions; the dictionary ``codebook`` is ``[M, dim]``. The forward
    value of the code map is exactly a codebook row per position; the
    gradient passes to ``P(s)`` unchanged (straight-through,
    ``sg[d] + z - sg[z]``). The loss (VQ-VAE) is
    ``L_vq = mean (sg[z] - d)^2 + beta * mean (z - sg[d])^2``; with
    ``ema=True`` the codebook instead follows an exponential moving average
    of the vectors assigned to it (its term is dropped, the commitment term
    kept), which needs no codebook learning rate.

    Args:
        channels: C of the input map.
        num_codes: M.
        dim: code size.
        beta: commitment weight.
        frozen: freeze the codebook (stage B with a dictionary from stage
            A); P and U still train. Fine-tuning instead is the default,
            with its learning rate set by the optimizer's paramwise config.
        ema: update the codebook by EMA instead of by gradient.
        decay: EMA decay.
        eps: Laplace smoothing of the EMA cluster sizes.

    Shapes:
        ``forward(S [B, C, H, W]) -> dict``: ``quantized`` ``U(d)``
        ``[B, C, H, W]``, ``codes`` ``d`` ``[B, dim, H, W]`` (straight-
        through), ``indices`` ``[B, H, W]`` (int64), ``loss`` ``[]``.
    """

    def __init__(self, channels: int, num_codes: int = 1024, dim: int = 256,
                 beta: float = 0.25, frozen: bool = False, ema: bool = False,
                 decay: float = 0.99, eps: float = 1e-5) -> None:
        super().__init__()
        self.num_codes, self.dim, self.beta = num_codes, dim, float(beta)
        self.ema, self.decay, self.eps = bool(ema), float(decay), float(eps)
        self.project_in = nn.Conv2d(channels, dim, 1)
        self.project_out = nn.Conv2d(dim, channels, 1)
        self.codebook = nn.Parameter(
            torch.empty(num_codes, dim).uniform_(-1 / num_codes,
                                                 1 / num_codes))
        self.frozen = bool(frozen)
        self.codebook.requires_grad_(not (self.frozen or self.ema))
        if self.ema:
            self.register_buffer('cluster_size', torch.zeros(num_codes))
            self.register_buffer('code_sum', self.codebook.detach().clone())

    def nearest(self, z: Tensor) -> Tensor:
        """Indices ``[N]`` of the nearest codes to rows of ``z`` ``[N, dim]``
        (ties: the lowest index)."""
        book = self.codebook
        distance = (z.pow(2).sum(1, keepdim=True) - 2 * z @ book.t()
                    + book.pow(2).sum(1)[None])
        return distance.argmin(dim=1)

    def usage(self, indices: Tensor) -> Tensor:
        """Codebook usage histogram ``[M]`` (counts) of ``indices``."""
        return torch.bincount(indices.flatten(), minlength=self.num_codes)

    def forward(self, features: Tensor) -> Dict[str, Tensor]:
        z = self.project_in(features)
        b, d, h, w = z.shape
        flat = z.permute(0, 2, 3, 1).reshape(-1, d)
        indices = self.nearest(flat.detach())
        chosen = self.codebook[indices]
        if self.ema and self.training and not self.frozen:
            self._ema_update(flat.detach(), indices)
        commitment = F.mse_loss(flat, chosen.detach())
        loss = self.beta * commitment
        if not self.ema:
            loss = loss + F.mse_loss(chosen, flat.detach())
        # straight-through: the value is exactly the code (z - sg[z] is an
        # exact 0, where z + sg[d - z] would round), the gradient is z's
        codes = chosen.detach() + (flat - flat.detach())
        codes = codes.view(b, h, w, d).permute(0, 3, 1, 2)
        return dict(quantized=self.project_out(codes), codes=codes,
                    indices=indices.view(b, h, w), loss=loss)

    @torch.no_grad()
    def _ema_update(self, flat: Tensor, indices: Tensor) -> None:
        one_hot = F.one_hot(indices, self.num_codes).type_as(flat)
        counts, sums = one_hot.sum(0), one_hot.t() @ flat
        # every process updates with the statistics of all: the codebooks
        # stay identical (DDP does not broadcast buffers here)
        all_reduce(counts, op='sum')
        all_reduce(sums, op='sum')
        self.cluster_size.mul_(self.decay).add_(counts, alpha=1 - self.decay)
        self.code_sum.mul_(self.decay).add_(sums, alpha=1 - self.decay)
        n = self.cluster_size.sum()
        size = (self.cluster_size + self.eps) / (
            n + self.num_codes * self.eps) * n
        self.codebook.data.copy_(self.code_sum / size[:, None])

    def extra_repr(self) -> str:
        return (f'num_codes={self.num_codes}, dim={self.dim}, '
                f'beta={self.beta:g}, frozen={self.frozen}, ema={self.ema}')

"""ENTED's latent-space refinement [proposed, spec 2.2.4]: per-layer style
codes from the degraded input, refined by cross-attention to the
reference's high-quality tokens."""
import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['LatentRefiner']


class LatentRefiner(nn.Module):
    """``w_lq = MLP(avgpool(S))``, ``q_l = w_lq + e_l``, then per block
    ``q = q + MHA(LN(q), LN(R), LN(R))`` with ``R`` the reference tokens
    projected to ``w_dim``.

    ``enabled=False`` (the ablation without refinement) or no tokens
    return the queries ``q_l`` themselves.

    Args:
        in_channels: C of the semantic map S.
        token_channels: C of the reference's token map.
        w_dim: code size; num_layers: L codes per image.
        num_heads: attention heads (w_dim must divide by it).
        num_blocks: attention blocks.
        enabled: whether the attention runs.

    Shapes:
        ``forward(S [B, C, h, w], tokens [B, C_r, h', w'] or None)
        -> [B, L, w_dim]``.
    """

    def __init__(self, in_channels: int, token_channels: int, w_dim: int,
                 num_layers: int, num_heads: int = 8, num_blocks: int = 1,
                 enabled: bool = True) -> None:
        super().__init__()
        self.enabled = bool(enabled)
        self.mlp = nn.Sequential(nn.Linear(in_channels, w_dim),
                                 nn.LeakyReLU(0.2),
                                 nn.Linear(w_dim, w_dim))
        self.layer_embedding = nn.Parameter(
            torch.randn(num_layers, w_dim) * 0.02)
        self.token_proj = nn.Linear(token_channels, w_dim)
        self.query_norms = nn.ModuleList(
            nn.LayerNorm(w_dim) for _ in range(num_blocks))
        self.token_norms = nn.ModuleList(
            nn.LayerNorm(w_dim) for _ in range(num_blocks))
        self.attentions = nn.ModuleList(
            nn.MultiheadAttention(w_dim, num_heads, batch_first=True)
            for _ in range(num_blocks))

    def queries(self, semantic: Tensor) -> Tensor:
        """``q_l = MLP(avgpool(S)) + e_l``: ``[B, L, w_dim]``."""
        w_lq = self.mlp(F.adaptive_avg_pool2d(semantic, 1).flatten(1))
        return w_lq[:, None] + self.layer_embedding[None]

    def forward(self, semantic: Tensor, tokens: Tensor = None) -> Tensor:
        query = self.queries(semantic)
        if not self.enabled or tokens is None:
            return query
        tokens = self.token_proj(tokens.flatten(2).transpose(1, 2))
        for q_norm, t_norm, attention in zip(self.query_norms,
                                             self.token_norms,
                                             self.attentions):
            keys = t_norm(tokens)
            update, _ = attention(q_norm(query), keys, keys,
                                  need_weights=False)
            query = query + update
        return query

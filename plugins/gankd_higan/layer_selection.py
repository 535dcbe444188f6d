"""HiGAN's choice of layers for a semantic: those whose layer-wise
re-scoring change reaches a share of the peak (higan.md §2.3, issue #5 of
the official repository: the layers with the highest change are the
relevant ones)."""
from typing import List, Sequence

import numpy as np

from gankd.errors import UserError

__all__ = ['select_layers']


def select_layers(delta: Sequence[float], ratio: float = 0.5) -> List[int]:
    """Relevant layers of one semantic from its layer-wise re-scoring.

    Args:
        delta: ``[L]`` layer-wise score changes ΔS^(l) of the semantic.
        ratio: keep layers with ``delta >= ratio * max(delta)``, in (0, 1].

    Returns:
        Sorted layer indices; ``[]`` when ``max(delta) <= 0`` (no layer moves
        the semantic).
    """
    delta = np.asarray(delta, dtype=np.float64)
    if delta.ndim != 1 or delta.size == 0:
        raise UserError(f'delta must be a non-empty [L] array, got shape '
                        f'{list(delta.shape)}')
    if not np.all(np.isfinite(delta)):
        raise UserError('delta holds NaN or inf: re-score again or drop '
                        'the semantic')
    if not 0.0 < ratio <= 1.0:
        raise UserError(f'ratio must be in (0, 1], got {ratio}')
    peak = float(delta.max())
    if peak <= 0.0:
        return []
    return [int(i) for i in np.flatnonzero(delta >= ratio * peak)]

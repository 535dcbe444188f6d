"""How well boundaries edit: scores of every semantic along every boundary.

One pass renders ``K`` codes moved by each of ``T`` distances along each of
``B`` directions and scores them; the figures of the report are reductions
of that ``[B, T, K, S]`` array (S scored semantics):

* score curve: mean score of each semantic versus the edit distance;
* flip rate: share of codes whose predicted attribute (score > 0) flips
  when moved by ``distance`` towards the other side of its own boundary;
* change matrix: mean |score change| of every semantic along every
  boundary; a row divided by its own semantic's change measures
  entanglement, and comparing a conditional boundary's row with the
  primal's gives how much conditioning spares the condition.

Distances are in units of the spread of the codes along each direction
(``std(n^T c)`` over the codes; 1 for z after renormalisation), so z and w
edits of "3" are equally far relative to their data. (Proposed here: the
official tools use raw distances in both spaces, and w codes spread more.)
"""
from typing import Dict, Sequence

import numpy as np
import torch
from torch import Tensor

from gankd.utils.progress import ProgressLine

__all__ = ['direction_spread', 'edit_scores', 'score_curves', 'flip_rate',
           'change_matrix']


def direction_spread(codes: Tensor, directions: Tensor) -> Tensor:
    """``std(n_b^T c)`` over codes ``[K, d]`` for directions ``[B, d]`` ->
    ``[B]``."""
    return (codes.double() @ directions.double().T).std(dim=0).float()


@torch.inference_mode()
def edit_scores(probe, codes: Tensor, space: str, directions: Tensor,
                distances: Sequence[float], progress: bool = True
                ) -> Dict[str, np.ndarray]:
    """Score ``codes`` ``[K, d]`` (z or w) moved along each direction.

    Args:
        probe: a :class:`LinearBoundaryProbe` (renders and scores codes).
        codes: ``[K, d]`` codes of ``space``.
        directions: ``[B, d]`` unit boundary normals.
        distances: T edit distances in spread units (include 0 to keep the
            unedited scores).

    Returns:
        dict: ``scores`` ``[B, T, K, S]`` float32, ``spread`` ``[B]``,
        ``distances`` ``[T]``.
    """
    directions = directions.float()
    spread = direction_spread(codes, directions)
    steps = torch.tensor([float(t) for t in distances])
    num_b, num_t, num_k = len(directions), len(steps), len(codes)
    line = ProgressLine(f'probe: editing in {space}',
                        num_b * num_t * num_k, unit='images',
                        enabled=progress, min_total=probe.batch_size)
    out = torch.empty(num_b, num_t, num_k, len(probe.names))
    for b, direction in enumerate(directions):
        # [K, T, d]: every code at every distance, scored in batches.
        moved = probe.edit(codes, direction[None], steps * spread[b])
        flat = moved.reshape(num_k * num_t, -1)
        scores = probe.score_codes(flat, space, progress=line)
        out[b] = scores.reshape(num_k, num_t, -1).transpose(0, 1)
    return dict(scores=out.numpy(), spread=spread.numpy(),
                distances=steps.numpy())


def score_curves(scores: np.ndarray) -> np.ndarray:
    """``[B, T, K, S]`` -> mean score ``[B, T, S]`` over the codes."""
    return scores.mean(axis=2)


def _index(distances: np.ndarray, value: float) -> int:
    hits = np.flatnonzero(np.isclose(distances, value))
    if not len(hits):
        raise ValueError(f'distance {value} was not evaluated; evaluated: '
                         f'{distances.tolist()}')
    return int(hits[0])


def flip_rate(scores: np.ndarray, distances: np.ndarray,
              semantic_of_direction: Sequence[int],
              distance: float = 3.0) -> np.ndarray:
    """Share of codes whose own semantic flips sign when moved ``distance``
    towards the other side (negatives up, positives down) -> ``[B]``.

    ``semantic_of_direction[b]`` is the score column direction ``b`` edits.
    """
    zero = _index(distances, 0.0)
    up, down = _index(distances, distance), _index(distances, -distance)
    rates = []
    for b, s in enumerate(semantic_of_direction):
        base = scores[b, zero, :, s] > 0
        moved = np.where(base, scores[b, down, :, s], scores[b, up, :, s])
        rates.append(float(np.mean((moved > 0) != base)))
    return np.array(rates)


def change_matrix(scores: np.ndarray, distances: np.ndarray,
                  distance: float = 3.0) -> np.ndarray:
    """Mean |score change| of each semantic when codes move ``+distance``
    along each direction -> ``[B, S]``."""
    zero, up = _index(distances, 0.0), _index(distances, distance)
    return np.abs(scores[:, up] - scores[:, zero]).mean(axis=1)

"""Learning speed and simultaneity: D_mean, D_std, D_var (spec §2.5), from
per-epoch weight distances d_e (``WeightDistanceHook``) and foreground
knowledge-point counts per checkpoint."""
import json
from typing import Dict, Sequence

import numpy as np

from gankd_knowledge_points.errors import KnowledgePointsError

__all__ = ['path_length', 'load_weight_distance', 'learning_speed']


def path_length(distances: Sequence[float], epoch: int) -> float:
    """P(c): the weights' path length from initialisation to the checkpoint
    after ``epoch`` epochs, ``sum(d_1 .. d_c)``; ``distances[e - 1]`` is
    d_e, the length walked during epoch e. P(0) = 0."""
    if not 0 <= epoch <= len(distances):
        raise KnowledgePointsError(
            f'checkpoint epoch {epoch} has no weight distance: the record '
            f'covers epochs 1..{len(distances)}')
    return float(np.sum(np.asarray(distances[:epoch], dtype=np.float64)))


def load_weight_distance(path: str) -> list:
    """The per-epoch d_e list of a ``WeightDistanceHook`` JSON file."""
    try:
        with open(path) as file:
            record = json.load(file)
        return [float(d) for d in record['distance']]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KnowledgePointsError(
            f'{path}: not a weight-distance record ({error}); it is the '
            "weight_distance.json that WeightDistanceHook writes") from None


def learning_speed(n_fg: np.ndarray, epochs: Sequence[int],
                   distances: Sequence[float], skip_initial: bool = False,
                   include_empty: bool = False) -> Dict[str, object]:
    """D metrics of N images.

    Args:
        n_fg: ``[M, N]`` foreground points per checkpoint and image.
        epochs: ``[M]`` the checkpoints' epochs, increasing.
        distances: d_e per epoch (``distances[e - 1]`` = epoch e).
        skip_initial: leave the first checkpoint out of the argmax (code,
            ResNets); the remaining checkpoints are indexed correctly.
        include_empty: keep images without any foreground point (their
            m_hat is the first checkpoint considered, as in the code).

    Returns:
        ``peak_epoch`` ``[N]`` (m_hat, first maximum; -1 when left out),
        ``D`` ``[N]`` (NaN when left out), ``D_mean``, ``D_var``
        (``np.var``, as the code), ``D_std`` (its square root, population
        std) and ``images`` (how many entered them).
    """
    n_fg = np.asarray(n_fg)
    epochs = list(epochs)
    if n_fg.ndim != 2 or n_fg.shape[0] != len(epochs):
        raise KnowledgePointsError(
            f'n_fg must be [M, N] with M = {len(epochs)} checkpoints, got '
            f'{list(n_fg.shape)}')
    start = 1 if skip_initial else 0
    counts, considered = n_fg[start:], epochs[start:]
    peaks = np.full(n_fg.shape[1], -1)
    d = np.full(n_fg.shape[1], np.nan)
    for image in range(n_fg.shape[1]):
        if counts[:, image].max() == 0 and not include_empty:
            continue
        peaks[image] = considered[int(np.argmax(counts[:, image]))]
        d[image] = path_length(distances, int(peaks[image]))
    kept = d[~np.isnan(d)]
    var = float(np.var(kept)) if kept.size else float('nan')
    return dict(peak_epoch=peaks, D=d,
                D_mean=float(np.mean(kept)) if kept.size else float('nan'),
                D_var=var, D_std=float(np.sqrt(var)), images=int(kept.size))

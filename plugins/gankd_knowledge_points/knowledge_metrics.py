"""Knowledge points and their quantity, quality and stability (spec §2.4,
§2.6).

Shapes: ``entropy`` ``[M, N, G, G]`` per-unit entropies of N images at M
checkpoints (in checkpoint order, last = final network); ``fg``
``[N, G, G]`` bool foreground.
"""
from typing import Dict

import torch
from torch import Tensor

from gankd_knowledge_points.errors import KnowledgePointsError

__all__ = ['background_mean', 'baseline_entropy', 'knowledge_points',
           'count_points', 'quality_ratio', 'stability']


def _check(entropy: Tensor, fg: Tensor) -> None:
    if entropy.dim() != 4 or tuple(fg.shape) != tuple(entropy.shape[1:]):
        raise KnowledgePointsError(
            f'entropy must be [M, N, G, G] and fg [N, G, G]; got '
            f'{list(entropy.shape)} and {list(fg.shape)}')


def background_mean(entropy: Tensor, fg: Tensor) -> Tensor:
    """Each image's mean background entropy, ``[M, N]``."""
    _check(entropy, fg)
    bg = (~fg).to(entropy.dtype)
    return (entropy * bg).flatten(2).sum(2) / bg.flatten(1).sum(1)


def baseline_entropy(entropy: Tensor, fg: Tensor,
                     mode: str = 'dataset_per_checkpoint') -> Tensor:
    """H-bar, broadcastable to ``[M, N]``.

    ``dataset_per_checkpoint`` (code): ``[M, 1]``, per checkpoint the mean
    over images of each image's mean background entropy. ``per_image``:
    ``[M, N]``, each image's own mean background entropy.
    """
    per_image = background_mean(entropy, fg)
    if mode == 'per_image':
        return per_image
    if mode == 'dataset_per_checkpoint':
        return per_image.mean(1, keepdim=True)
    raise KnowledgePointsError(
        f"baseline must be 'dataset_per_checkpoint' or 'per_image', got "
        f'{mode!r}')


def knowledge_points(entropy: Tensor, baseline: Tensor,
                     threshold: float) -> Tensor:
    """``[M, N, G, G]`` bool: ``H_bar - H_i > threshold`` (strict: a unit
    exactly ``threshold`` below the baseline is not a point)."""
    return (baseline[..., None, None] - entropy) > threshold


def count_points(points: Tensor, fg: Tensor) -> Dict[str, Tensor]:
    """``fg`` and ``bg`` counts ``[M, N]`` (at most G*G each)."""
    fg = fg.unsqueeze(0)
    return dict(fg=(points & fg).flatten(2).sum(2),
                bg=(points & ~fg).flatten(2).sum(2))


def quality_ratio(n_fg: Tensor, n_bg: Tensor) -> Tensor:
    """Per-image ``N_fg / (N_fg + N_bg)``, 0 for an image without points
    (code); same shape as the counts."""
    total = n_fg + n_bg
    return torch.where(total > 0, n_fg / total.clamp(min=1),
                       torch.zeros_like(n_fg, dtype=torch.float64))


def stability(points: Tensor, fg: Tensor) -> Dict[str, Tensor]:
    """rho per image ``[N]`` for ``fg``, ``bg`` and ``total`` points:
    ``|S_last| / |union over checkpoints of S_c|``, 0 for an empty union
    (code). In [0, 1]: a point learned and then discarded lowers it."""
    regions = dict(fg=fg, bg=~fg, total=torch.ones_like(fg))
    out = {}
    for name, region in regions.items():
        sets = points & region.unsqueeze(0)
        union = sets.any(0).flatten(1).sum(1)
        final = sets[-1].flatten(1).sum(1)
        out[name] = torch.where(
            union > 0, final / union.clamp(min=1),
            torch.zeros_like(union, dtype=torch.float64))
    return out

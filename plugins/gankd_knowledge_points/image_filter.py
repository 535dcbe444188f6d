"""Which images enter the metrics (spec §2.2 "Sample filtering", §2.7)."""
from typing import List, Sequence

import torch
from torch import Tensor

from gankd_knowledge_points.knowledge_metrics import background_mean
from gankd_knowledge_points.settings import PointsConfig

__all__ = ['valid_images', 'common_images']


def valid_images(entropy: Tensor, fg: Tensor, epochs: Sequence[int],
                 sigma_f2: Tensor, cfg: PointsConfig) -> Tensor:
    """``[N]`` bool: the images kept, by the official rules.

    An image is dropped if its entropy is not finite at some checkpoint
    (the code's sigma <= 0 filter), if ``s_f^2 = 0`` at some checkpoint
    (``drop_zero_sf``), or if at a checkpoint of epoch >=
    ``filter_min_epoch`` its mean background entropy is below its mean
    foreground entropy. Of the rest, the first ``max_images`` are kept.

    Args:
        entropy: ``[M, N, G, G]``; fg: ``[N, G, G]``; epochs: ``[M]``;
        sigma_f2: ``[M, N]``.
    """
    keep = torch.isfinite(entropy).flatten(2).all(2).all(0)
    if cfg.drop_zero_sf:
        keep &= (sigma_f2 > 0).all(0)
    if cfg.filter_min_epoch is not None:
        late = torch.tensor([e >= cfg.filter_min_epoch for e in epochs])
        if late.any():
            fgf = fg.to(entropy.dtype)
            fg_mean = (entropy * fgf).flatten(2).sum(2) / fgf.flatten(
                1).sum(1)
            gap = background_mean(entropy, fg) - fg_mean  # [M, N]
            # NaN compares False: an image with a NaN gap is dropped (code)
            keep &= (gap[late] >= 0).all(0)
    if cfg.max_images is not None:
        keep &= torch.cumsum(keep.long(), 0) <= cfg.max_images
    return keep


def common_images(*valid: Tensor) -> List[int]:
    """Sorted indices valid for every network (S and B are compared on the
    same images; the code's set intersection had a hash-seed order)."""
    both = torch.stack([torch.as_tensor(v, dtype=torch.bool)
                        for v in valid]).all(0)
    return sorted(int(i) for i in torch.nonzero(both).flatten())

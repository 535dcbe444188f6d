"""Foreground masks on the sigma grid (spec §2.3)."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from gankd_knowledge_points.errors import KnowledgePointsError
from gankd_knowledge_points.settings import MaskConfig

__all__ = ['central_box', 'pad_mask', 'mask_to_grid', 'foreground_grid']


def central_box(grid: int) -> Tensor:
    """``[grid, grid]`` bool, True on rows and columns ``int(grid / 6)``
    to ``int(5 * grid / 6)`` inclusive (code; 2..13 for 16)."""
    box = torch.zeros(grid, grid, dtype=torch.bool)
    low, high = int(grid / 6), int(grid * 5 / 6)
    box[low:high + 1, low:high + 1] = True
    return box


def pad_mask(mask: Tensor, factor: float) -> Tensor:
    """Zero-pad ``[H, W]`` to ``int(H * factor), int(W * factor)``, the
    original at offsets ``int((new - old) / 2)`` (code, VOC: 1.2)."""
    if factor == 1.0:
        return mask
    h, w = mask.shape
    out = mask.new_zeros(int(h * factor), int(w * factor))
    top, left = int((out.shape[0] - h) / 2), int((out.shape[1] - w) / 2)
    out[top:top + h, left:left + w] = mask
    return out


def mask_to_grid(mask: Tensor, grid: int, mode: str = 'nearest') -> Tensor:
    """``[H, W]`` mask (foreground > 0) to ``[grid, grid]`` bool.

    ``nearest`` samples one pixel per cell (``F.interpolate``, code);
    ``any`` marks a cell with any foreground pixel; ``majority`` one with
    more than half."""
    fg = (mask > 0).float()[None, None]
    if mode == 'nearest':
        return F.interpolate(fg, size=(grid, grid), mode='nearest')[0, 0] > 0
    share = F.adaptive_avg_pool2d(fg, grid)[0, 0]
    return share > 0 if mode == 'any' else share > 0.5


def foreground_grid(cfg: MaskConfig, grid: int, count: int,
                    masks: Optional[Sequence[Tensor]] = None,
                    image_size: Optional[Sequence[int]] = None,
                    indices: Optional[Sequence[int]] = None) -> Tensor:
    """Foreground of ``count`` images on the grid, ``[count, grid, grid]``.

    Args:
        cfg: mask settings.
        grid: G.
        count: number of images.
        masks: with ``source='dataset'``, one ``[H, W]`` mask per image
            (foreground > 0), at the image size.
        image_size: ``(H, W)`` of the inputs; each mask must have it.
        indices: image ids used in error messages (default positions).

    Raises:
        KnowledgePointsError: no masks given, a mask of another size, or an
            image whose grid is all background or all foreground (no
            knowledge-point baseline or count can be made from it).
    """
    indices = list(range(count)) if indices is None else list(indices)
    if cfg.source == 'central_box':
        fg = central_box(grid).expand(count, grid, grid).clone()
    else:
        if masks is None or len(masks) != count:
            raise KnowledgePointsError(
                f"masks: source 'dataset' needs one mask per image ({count})"
                f", got {'none' if masks is None else len(masks)}; give the "
                "dataset's masks or use source='central_box'.")
        grids = []
        for index, mask in zip(indices, masks):
            mask = torch.as_tensor(mask)
            if image_size is not None and tuple(mask.shape) != tuple(
                    image_size):
                raise KnowledgePointsError(
                    f'mask of image {index} is {list(mask.shape)}, the image '
                    f'is {list(image_size)}; give masks at the image size '
                    '(the same resize and crop as the image).')
            grids.append(mask_to_grid(pad_mask(mask, cfg.pad_factor), grid,
                                      cfg.downsample))
        fg = torch.stack(grids)
    for index, cells in zip(indices, fg):
        if not cells.any() or cells.all():
            what = 'no foreground' if not cells.any() else 'no background'
            raise KnowledgePointsError(
                f'image {index}: {what} cell on the {grid}x{grid} grid; '
                'check its mask (foreground = mask > 0) or leave the image '
                'out.')
    return fg

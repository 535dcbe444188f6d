"""Images as tensors and PNG files: ``[-1, 1]`` to ``uint8``, grids, atomic
PNG writes, and dataset images as a batch.

Generator outputs are ``[N, 3, H, W]`` in ``[-1, 1]``; they become ``uint8``
as ``floor((x + 1) * 127.5 + 0.5)``, clipped to ``[0, 255]``.
"""
import math

import numpy as np
import torch
from torch import Tensor

from gankd.errors import UserError
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['ImageWriteError', 'to_uint8', 'image_grid', 'save_png',
           'dataset_images']


class ImageWriteError(UserError):
    """An image could not be encoded or written."""


def to_uint8(images: Tensor) -> Tensor:
    """``[N, 3, H, W]`` in ``[-1, 1]`` -> ``uint8``, rounding half up."""
    return torch.floor((images + 1) * 127.5 + 0.5).clamp(0, 255).to(
        torch.uint8)


def image_grid(images: Tensor, nrow: int, padding: int = 2,
               fill: int = 255) -> np.ndarray:
    """``uint8 [N, 3, H, W]`` -> ``[rows*(H+p)+p, nrow*(W+p)+p, 3]`` RGB;
    image ``i`` at row ``i // nrow``, column ``i % nrow``, ``p`` pixels of
    ``fill`` around every tile."""
    n, _, h, w = images.shape
    rows = math.ceil(n / nrow)
    grid = np.full((rows * (h + padding) + padding,
                    nrow * (w + padding) + padding, 3), fill, np.uint8)
    tiles = images.permute(0, 2, 3, 1).numpy()
    for i, tile in enumerate(tiles):
        y = padding + (i // nrow) * (h + padding)
        x = padding + (i % nrow) * (w + padding)
        grid[y:y + h, x:x + w] = tile
    return grid


def save_png(grid: np.ndarray, path: str) -> None:
    """Write an RGB ``uint8 [H, W, 3]`` array as PNG, atomically."""
    import cv2
    ok, encoded = cv2.imencode('.png', np.ascontiguousarray(grid[..., ::-1]))
    if not ok:
        raise ImageWriteError(f'{path}: PNG encoding failed')
    atomic_write_bytes(encoded.tobytes(), path)


def dataset_images(dataset: dict, num_images: int) -> Tensor:
    """The first ``num_images`` images of a gankd dataset config (``img``:
    uint8 BGR ``[H, W, 3]``) as RGB ``[M, 3, H, W]`` in ``[-1, 1]``."""
    from gankd.registry import DATASETS
    data = DATASETS.build(dict(dataset, num_samples=num_images))
    images = np.stack([data[i]['img'][..., ::-1] for i in range(num_images)])
    return torch.from_numpy(images.copy()).permute(0, 3, 1, 2) / 127.5 - 1

"""Restoration batches: uint8 BGR images -> float RGB in ``[-1, 1]``."""
from typing import Sequence

import torch
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from gankd.errors import UserError
from gankd.registry import MODELS

__all__ = ['RestorationDataPreprocessor', 'RestorationBatchError']


class RestorationBatchError(UserError):
    """A batch that is not the packed restoration format."""


@MODELS.register_module()
class RestorationDataPreprocessor(BaseDataPreprocessor):
    """Normalises :class:`~gankd.datasets.PackRestorationInputs` batches.

    In (collated): ``inputs`` a dict of image lists (``degraded``, and
    ``reference`` for reference-based methods), each image ``[3, H, W]``
    uint8; ``data_samples`` whose optional ``gt_img`` is ``[3, H, W]``
    uint8. Out: ``inputs`` a dict of ``[N, 3, H, W]`` float tensors and
    ``gt_img`` ``[3, H, W]`` float, all ``(x - mean) / std`` with the
    channels reversed when ``to_rgb`` (the datasets' BGR -> RGB), on the
    model's device. With the defaults, 0 -> -1 and 255 -> 1.

    Args:
        mean: per-channel mean (after the channel flip).
        std: per-channel std.
        to_rgb: reverse the channel order first.
        non_blocking: passed to mmengine's device transfer.
    """

    def __init__(self, mean: Sequence[float] = (127.5, 127.5, 127.5),
                 std: Sequence[float] = (127.5, 127.5, 127.5),
                 to_rgb: bool = True, non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        self.register_buffer('mean', torch.tensor(mean).view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, 3, 1, 1),
                             persistent=False)
        self.to_rgb = bool(to_rgb)

    def normalise(self, images: Tensor, name: str) -> Tensor:
        """uint8 ``[N, 3, H, W]`` -> float ``[N, 3, H, W]``."""
        if images.dtype != torch.uint8 or images.dim() != 4 or \
                images.shape[1] != 3:
            raise RestorationBatchError(
                f'{name}: expected uint8 [N, 3, H, W] images (packed by '
                f'PackRestorationInputs), got {images.dtype} '
                f'{list(images.shape)}')
        if self.to_rgb:
            images = images.flip(1)
        return (images.float() - self.mean) / self.std

    def _stack(self, images, name: str) -> Tensor:
        if isinstance(images, Tensor):
            return images
        shapes = {tuple(image.shape) for image in images}
        if len(shapes) > 1:
            raise RestorationBatchError(
                f'{name}: images of different sizes in one batch '
                f'{sorted(shapes)}; resize them to one size first')
        return torch.stack(list(images))

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data.get('inputs')
        if not isinstance(inputs, dict) or 'degraded' not in inputs:
            raise RestorationBatchError(
                'a restoration batch has inputs=dict(degraded=..., '
                "reference=...); pack samples with PackRestorationInputs")
        inputs = {key: self.normalise(self._stack(value, key), key)
                  for key, value in inputs.items()}
        samples = data.get('data_samples')
        for sample in samples or ():
            if 'gt_img' in sample:
                sample.gt_img = self.normalise(sample.gt_img[None],
                                               'gt_img')[0]
        return dict(inputs=inputs, data_samples=samples)

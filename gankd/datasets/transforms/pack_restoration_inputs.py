"""Packs a restoration sample for a :class:`~gankd.kinds.BaseRestorer`."""
from typing import Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement

from gankd.registry import TRANSFORMS
from .degradation_step import DegradationTransformError

__all__ = ['PackRestorationInputs']

#: sample keys kept as data-sample metainfo when present.
META_KEYS = ('sample_idx', 'synth_index', 'gt_label', 'ref_label',
             'ref_index', 'degradation', 'img_path', 'ori_shape')


def _chw(image: np.ndarray, key: str) -> torch.Tensor:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or \
            image.ndim != 3 or image.shape[2] != 3:
        desc = (f'{image.dtype} {list(image.shape)}'
                if isinstance(image, np.ndarray) else type(image).__name__)
        raise DegradationTransformError(
            f'PackRestorationInputs: {key!r} must be a uint8 (H, W, 3) '
            f'image, got {desc}')
    return torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))


@TRANSFORMS.register_module()
class PackRestorationInputs(BaseTransform):
    """``results`` -> ``dict(inputs, data_samples)`` for a restorer.

    ``inputs = dict(degraded=[3, H, W], reference=[3, H', W'])`` and the
    data sample's ``gt_img`` ``[3, H, W]``: uint8 tensors in the images'
    (BGR) channel order; :class:`~gankd.models.RestorationDataPreprocessor`
    turns them into RGB in ``[-1, 1]``. Metainfo: :data:`META_KEYS` found.

    Args:
        degraded_key: the degraded image (the degradation transforms'
            ``lq_img``).
        reference_key: the reference (``ref_img``); None for restorers
            without one.
        gt_key: the ground truth (``img``); a missing one is skipped (real
            degraded photos have none).
        meta_keys: sample keys copied to the metainfo.
    """

    def __init__(self, degraded_key: str = 'lq_img',
                 reference_key: Optional[str] = 'ref_img',
                 gt_key: str = 'img',
                 meta_keys: Sequence[str] = META_KEYS) -> None:
        self.degraded_key, self.reference_key = degraded_key, reference_key
        self.gt_key, self.meta_keys = gt_key, tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        for key, hint in ((self.degraded_key, 'put the degradation '
                           'transforms first'),
                          (self.reference_key, 'wrap the dataset in '
                           'ReferencePairDataset')):
            if key is not None and key not in results:
                raise DegradationTransformError(
                    f'PackRestorationInputs: the sample has no {key!r}: '
                    f'{hint}')
        inputs = dict(degraded=_chw(results[self.degraded_key],
                                    self.degraded_key))
        if self.reference_key is not None:
            inputs['reference'] = _chw(results[self.reference_key],
                                       self.reference_key)
        sample = BaseDataElement(metainfo={
            key: results[key] for key in self.meta_keys if key in results})
        if self.gt_key in results:
            sample.gt_img = _chw(results[self.gt_key], self.gt_key)
        return dict(inputs=inputs, data_samples=sample)

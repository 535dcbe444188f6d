"""Restoration samples: a face and a reference photo of the same person."""
import copy
from typing import Optional, Sequence, Union

import numpy as np
from mmengine.dataset import Compose

from gankd.errors import UserError
from gankd.registry import DATASETS, TRANSFORMS

__all__ = ['ReferencePairDataset', 'ReferencePairError']

MODES = ('paired', 'same_identity', 'other_identity')


class ReferencePairError(UserError):
    """No usable reference for a sample."""


@DATASETS.register_module()
class ReferencePairDataset:
    """Each sample of ``dataset`` with a reference image (``ref_img``).

    The wrapped dataset gives samples by ``get_data_info(i)`` with ``img``
    (uint8 BGR ``(H, W, 3)``, or ``img_path`` to read) and ``gt_label``
    (the identity); its own pipeline must be empty (this wrapper's
    ``pipeline`` runs on the pair: degradations, then packing).

    Reference modes:

    * ``'paired'``: SynthFaces' paired mode (``paired=True``): the sample's
      own second view, same identity and appearance, other pose,
      expression and lighting (``ref_index = -1``).
    * ``'same_identity'``: another sample of the same identity, never the
      sample itself (a folder of several photos per person, or SynthFaces
      unpaired, whose views may also differ in glasses, hair and
      background).
    * ``'other_identity'``: a sample of a different identity (the check
      that a restorer uses its reference: spec 6.5).

    A reference whose bytes equal the ground truth's is refused: the
    restorer would be shown the answer.

    Args:
        dataset: the dataset (object or DATASETS config).
        reference: one of ``'paired'``, ``'same_identity'``,
            ``'other_identity'``.
        seed: None: draw the reference index from numpy's global generator
            (training); an int: fixed by ``(seed, index)`` (test mode).
        pipeline: transforms (configs or callables) applied to the pair.
        test_mode: kept for mmengine's loops.

    Samples: the wrapped sample's keys plus ``ref_img``, ``ref_label`` and
    ``ref_index``, after ``pipeline``.
    """

    def __init__(self, dataset: Union[dict, object], reference: str = 'paired',
                 seed: Optional[int] = None, pipeline: Sequence = (),
                 test_mode: bool = False) -> None:
        if reference not in MODES:
            raise ReferencePairError(f"reference={reference!r}: use one of "
                                 f"{', '.join(MODES)}")
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset
        inner = getattr(self.dataset, 'pipeline', None)
        if inner is not None and getattr(inner, 'transforms', None):
            raise ReferencePairError(
                'ReferencePairDataset: give the wrapped dataset pipeline=[] '
                'and put the transforms in the wrapper\'s pipeline (they '
                'must see both images)')
        self.reference, self.test_mode = reference, bool(test_mode)
        self.seed = None if seed is None else int(seed)
        self.pipeline = Compose([TRANSFORMS.build(t) if isinstance(t, dict)
                                 else t for t in pipeline])
        self._labels = None

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    def full_init(self) -> None:
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()

    def __len__(self) -> int:
        return len(self.dataset)

    def labels(self) -> np.ndarray:
        """Identity of every sample, ``(len(self),)``, images not read."""
        if hasattr(self.dataset, 'get_gt_labels'):
            return np.asarray(self.dataset.get_gt_labels(), dtype=np.int64)
        return np.array([self.dataset.get_cat_ids(i)[0]
                         for i in range(len(self))], dtype=np.int64)

    def _rng(self, idx: int) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng(np.random.randint(0, 2**31 - 1))
        return np.random.default_rng([self.seed, 0x5EF, int(idx)])

    def reference_index(self, idx: int) -> int:
        """The index of the reference of sample ``idx`` (-1: paired)."""
        if self.reference == 'paired':
            return -1
        if self._labels is None:  # read once: the labels never change
            self._labels = self.labels()
        labels = self._labels
        same = labels == labels[idx]
        if self.reference == 'same_identity':
            same[idx] = False
            candidates = np.flatnonzero(same)
            if candidates.size == 0:
                raise ReferencePairError(
                    f'sample {idx}: identity {int(labels[idx])} has no other '
                    'image to serve as its reference; give every identity '
                    'at least two images')
        else:
            candidates = np.flatnonzero(~same)
            if candidates.size == 0:
                raise ReferencePairError('other_identity references need at '
                                     'least two identities')
        return int(candidates[self._rng(idx).integers(candidates.size)])

    def _info(self, idx: int) -> dict:
        info = self.dataset.get_data_info(idx)
        if 'img' not in info:
            if 'img_path' not in info:
                raise ReferencePairError(f'sample {idx} has neither img nor '
                                     'img_path')
            import mmcv
            info['img'] = mmcv.imread(info['img_path'], channel_order='bgr')
            if info['img'] is None:
                raise ReferencePairError(f"cannot read {info['img_path']}")
        return info

    def get_data_info(self, idx: int) -> dict:
        """The pair before the pipeline."""
        info = self._info(idx)
        ref_index = self.reference_index(idx)
        if ref_index < 0:
            if 'ref_img' not in info:
                raise ReferencePairError(
                    "reference='paired' needs SynthFaces(paired=True) (a "
                    "second view per sample); for other datasets use "
                    "reference='same_identity'")
            ref_label = info['gt_label']
        else:
            ref = self._info(ref_index)
            info['ref_img'], ref_label = ref['img'], ref['gt_label']
        if info['ref_img'].tobytes() == info['img'].tobytes():
            raise ReferencePairError(f'sample {idx}: the reference is the '
                                 'ground-truth image itself')
        info.update(ref_label=int(ref_label), ref_index=ref_index)
        return info

    def __getitem__(self, idx: int) -> dict:
        return self.pipeline(self.get_data_info(idx))

"""Base class of gankd's embedded procedural datasets.

A procedural dataset holds no images: its data list is a few integers per
sample, and :meth:`ProceduralDataset.get_data_info` renders the sample on
demand from a random generator keyed on ``(seed, split, index)``. The same key
always gives the same bytes, in any process and in any order of access, so
resuming, sharding across workers or ranks, and ``indices`` subsets never
change what a sample looks like.
"""
from typing import List, Optional, Sequence, Union

import numpy as np
from mmpretrain.datasets import BaseDataset

__all__ = ['ProceduralDataset', 'SPLITS']

#: Split name -> the integer mixed into every random key of that split.
SPLITS = {'train': 0, 'val': 1, 'test': 2}

# Stream tags keep the label permutation, the samples and anything a subclass
# derives (identities) on disjoint random streams. numpy's SeedSequence pads
# short keys with zeros, so [seed, split] and [seed, split, 0] would collide
# without a tag in a fixed position.
STREAM_LABELS = 0x1AB
STREAM_SAMPLES = 0x5A3


class ProceduralDataset(BaseDataset):
    """Lazily rendered, deterministic dataset (abstract).

    Subclasses implement :meth:`render`. Labels are balanced: every block of
    ``num_classes`` consecutive indices holds each class exactly once, in an
    order shuffled per ``(seed, split, block)``, so any prefix of ``k *
    num_classes`` samples (``indices=N``) is exactly balanced as well.

    Args:
        num_samples (int): Number of samples in the split.
        num_classes (int): Number of labels ``gt_label`` takes.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Splits share
            classes (and identities) but never samples.
        seed (int): Non-negative seed of the whole dataset.
        metainfo (dict, optional): Meta information; the subclass adds
            ``classes`` (and more) to it.
        pipeline (Sequence[dict]): mmpretrain/mmcv transforms applied to the
            rendered sample dict.
        test_mode (bool): Passed to mmengine's ``BaseDataset``.
        indices (int | Sequence[int], optional): Keep a subset; samples keep
            their own rendering key, not their position in the subset.
        lazy_init (bool): Defer building the (tiny) data list.
        serialize_data (bool): Passed to mmengine's ``BaseDataset``.
        max_refetch (int): Passed to mmengine's ``BaseDataset``.
        cache (bool): Keep every rendered sample in memory (per process:
            each dataloader worker has its own), so epochs after the first
            only copy arrays. About 4 KB per 32x32 SynthShapes sample; the
            bytes are identical either way. Defaults to False.
    """

    def __init__(self,
                 num_samples: int,
                 num_classes: int,
                 split: str = 'train',
                 seed: int = 0,
                 metainfo: Optional[dict] = None,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 lazy_init: bool = False,
                 serialize_data: bool = True,
                 max_refetch: int = 1000,
                 cache: bool = False):
        if split not in SPLITS:
            raise ValueError(f'split={split!r}: use one of {sorted(SPLITS)}.')
        if int(num_samples) < 1:
            raise ValueError(f'num_samples={num_samples}: must be >= 1.')
        if int(num_classes) < 1:
            raise ValueError(f'num_classes={num_classes}: must be >= 1.')
        if int(seed) < 0:
            raise ValueError(f'seed={seed}: must be >= 0 (numpy seeds are '
                             'unsigned).')
        self.num_samples = int(num_samples)
        self.num_classes = int(num_classes)
        self.split = split
        self.split_id = SPLITS[split]
        self.seed = int(seed)
        self.cache = bool(cache)
        self._rendered = {}
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            pipeline=pipeline,
            test_mode=test_mode,
            indices=indices,
            lazy_init=lazy_init,
            serialize_data=serialize_data,
            max_refetch=max_refetch)

    def balanced_labels(self) -> np.ndarray:
        """Labels of all ``num_samples`` samples, shape ``(num_samples,)``."""
        num_blocks = -(-self.num_samples // self.num_classes)
        rng = np.random.default_rng(
            [self.seed, STREAM_LABELS, self.split_id])
        blocks = [rng.permutation(self.num_classes) for _ in range(num_blocks)]
        return np.concatenate(blocks)[:self.num_samples]

    def load_data_list(self) -> List[dict]:
        """One small dict per sample: its label and its rendering key."""
        return [
            dict(gt_label=int(label), synth_index=index)
            for index, label in enumerate(self.balanced_labels())
        ]

    def sample_rng(self, index: int) -> np.random.Generator:
        """The generator that renders sample ``index`` of this split."""
        return np.random.default_rng(
            [self.seed, STREAM_SAMPLES, self.split_id, int(index)])

    def _entry(self, idx: int) -> dict:
        """The stored entry of ``idx`` without rendering it."""
        return BaseDataset.get_data_info(self, idx)

    def get_data_info(self, idx: int) -> dict:
        """The entry of ``idx`` with the rendered sample added.

        Returns:
            dict: ``gt_label``, ``sample_idx`` (position in this dataset),
            ``synth_index`` (rendering key) and what :meth:`render` returns.
        """
        info = self._entry(idx)
        index = info['synth_index']
        if not self.cache:
            info.update(self.render(index, info['gt_label'],
                                    self.sample_rng(index)))
            return info
        if index not in self._rendered:
            self._rendered[index] = self.render(index, info['gt_label'],
                                                self.sample_rng(index))
        # Copies: a transform may change arrays in place.
        info.update({key: value.copy() if isinstance(value, np.ndarray)
                     else value
                     for key, value in self._rendered[index].items()})
        return info

    def render(self, index: int, label: int, rng: np.random.Generator) -> dict:
        """Render sample ``index`` with label ``label`` (subclasses).

        Must use only ``rng`` (and fixed per-dataset tables) for randomness.
        """
        raise NotImplementedError

    def get_gt_labels(self) -> np.ndarray:
        """All labels, shape ``(len(self),)``, without rendering images."""
        return np.array([self._entry(i)['gt_label'] for i in range(len(self))],
                        dtype=np.int64)

    def get_cat_ids(self, idx: int) -> List[int]:
        """Label of ``idx`` as a list (for class-balanced wrappers)."""
        return [int(self._entry(idx)['gt_label'])]

    def extra_repr(self) -> List[str]:
        return [
            f'Split: \t{self.split}', f'Seed: \t{self.seed}',
            f'Number of classes: \t{self.num_classes}'
        ]

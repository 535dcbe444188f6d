"""Images with binary attributes from a CelebA-style attribute list file."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.fileio import get_file_backend, list_from_file
from mmpretrain.datasets import BaseDataset

from gankd.registry import DATASETS
from .procedural_dataset import SPLITS

__all__ = ['AttributeListDataset']


def _read_pairs(path: str) -> Dict[str, str]:
    """``'<filename> <value>'`` lines -> {filename: value}."""
    pairs = {}
    for line in list_from_file(path):
        parts = line.split()
        if len(parts) == 2:
            pairs[parts[0]] = parts[1]
    return pairs


@DATASETS.register_module()
class AttributeListDataset(BaseDataset):
    """Images and binary attributes read from ``list_attr_celeba.txt``.

    The attribute file has the image count on the first line, the attribute
    names on the second, then one line per image: ``<filename> v1 v2 ...``
    with -1/1 (CelebA) or 0/1 values; positive values become 1, others 0.
    Samples follow the :class:`SynthFaces` contract: ``gt_attrs`` float32
    ``(A,)`` and ``metainfo['attributes']`` (every attribute ``binary``),
    so the same head and metric serve both.

    Args:
        ann_file (str): The attribute list file (relative to ``data_root``).
        data_root (str): Dataset root, e.g. ``'data/celeba'``.
        data_prefix (str | dict): Image folder, e.g. ``'img_align_celeba'``.
        attributes (Sequence[str], optional): Keep only these attributes, in
            this order (a name not in the file raises). Defaults to all.
        identity_file (str, optional): CelebA ``identity_CelebA.txt``
            (``<filename> <id>``); sets ``gt_label`` to the index of the id
            among the sorted ids and ``metainfo['classes']`` to the ids.
        partition_file (str, optional): CelebA ``list_eval_partition.txt``
            (``<filename> <0|1|2>``); with ``split`` keeps one partition.
        split (str, optional): ``'train'``, ``'val'`` or ``'test'``
            (partitions 0, 1, 2); needs ``partition_file``.
        pipeline (Sequence[dict]): Must load the image, e.g.
            ``dict(type='mmpretrain.LoadImageFromFile')``.
        **kwargs: Other arguments of mmpretrain's ``BaseDataset``.

    Samples (before the pipeline): ``img_path``, ``gt_attrs``, ``sample_idx``
    and, with ``identity_file``, ``gt_label``.
    """

    def __init__(self,
                 ann_file: str,
                 data_root: str = '',
                 data_prefix: str = '',
                 attributes: Optional[Sequence[str]] = None,
                 identity_file: Optional[str] = None,
                 partition_file: Optional[str] = None,
                 split: Optional[str] = None,
                 pipeline: Sequence = (),
                 metainfo: Optional[dict] = None,
                 **kwargs):
        if split is not None and split not in SPLITS:
            raise ValueError(f'split={split!r}: use one of {sorted(SPLITS)}.')
        if split is not None and partition_file is None:
            raise ValueError('split needs partition_file (CelebA '
                             'list_eval_partition.txt).')
        self.attribute_subset = None if attributes is None else list(
            attributes)
        self.identity_file = self._join(data_root, identity_file)
        self.partition_file = self._join(data_root, partition_file)
        self.split = split
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            pipeline=pipeline,
            metainfo=metainfo,
            **kwargs)

    @staticmethod
    def _join(root: str, path: Optional[str]) -> Optional[str]:
        if path is None or not root or osp.isabs(path):
            return path
        return osp.join(root, path)

    def _read_attributes(self):
        lines = list_from_file(self.ann_file)
        if len(lines) < 2:
            raise ValueError(f'{self.ann_file}: expected a count line and a '
                             'header of attribute names.')
        names = lines[1].split()
        rows = []
        for n, line in enumerate(lines[2:], start=3):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != len(names) + 1:
                raise ValueError(
                    f'{self.ann_file}, line {n}: {len(parts) - 1} values for '
                    f'{len(names)} attributes.')
            rows.append((parts[0], [int(v) > 0 for v in parts[1:]]))
        return names, rows

    def load_data_list(self) -> List[dict]:
        """Parse the attribute file (and identity/partition files)."""
        names, rows = self._read_attributes()
        keep = self.attribute_subset or names
        missing = [n for n in keep if n not in names]
        if missing:
            raise KeyError(f'attributes {missing} are not in '
                           f'{self.ann_file}; it has {names}.')
        columns = [names.index(n) for n in keep]
        self._metainfo['attributes'] = [
            dict(name=n, type='binary') for n in keep
        ]
        if self.partition_file is not None and self.split is not None:
            partition = _read_pairs(self.partition_file)
            wanted = str(SPLITS[self.split])
            rows = [r for r in rows if partition.get(r[0]) == wanted]
        identities = None
        if self.identity_file is not None:
            raw = _read_pairs(self.identity_file)
            ids = sorted({raw[f] for f, _ in rows if f in raw}, key=int)
            index = {v: i for i, v in enumerate(ids)}
            identities = {f: index[raw[f]] for f, _ in rows if f in raw}
            self._metainfo['classes'] = tuple(ids)
        backend = get_file_backend(self.img_prefix, enable_singleton=True)
        data_list = []
        for filename, values in rows:
            info = dict(
                img_path=backend.join_path(self.img_prefix, filename),
                gt_attrs=np.array([values[c] for c in columns], np.float32))
            if identities is not None:
                if filename not in identities:
                    raise KeyError(f'{filename} has no identity in '
                                   f'{self.identity_file}.')
                info['gt_label'] = identities[filename]
            data_list.append(info)
        return data_list

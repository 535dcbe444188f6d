"""Teacher outputs served from a :class:`TeacherCacheStore`: rows already
filled are read, the others computed once (the first epoch, or
``gankd build-teacher-cache``) and stored (FKD, Shen & Xing, ECCV 2022).
"""
from typing import Any, Callable, Dict, List, Sequence

import numpy as np
import torch
from torch import Tensor

from gankd.models.distillers.cache_key import (AugmentationKey,
                                               TeacherCacheError)
from gankd.models.distillers.teacher_cache_store import TeacherCacheStore

__all__ = ['CachedTeacher', 'DTYPES', 'output_leaves', 'output_structure']

DTYPES = {'float32': torch.float32, 'float16': torch.float16}


def output_leaves(value) -> List[Tensor]:
    """The tensors of a recorded output (a tensor, or a tuple/list of
    them, e.g. a backbone's stages)."""
    return list(value) if isinstance(value, (tuple, list)) else [value]


def output_structure(value) -> str:
    """``'tensor'``, ``'tuple'`` or ``'list'``: how to rebuild it."""
    return type(value).__name__ if isinstance(value, (tuple, list)) \
        else 'tensor'


def _assemble(structure: str, leaves: List[Tensor]):
    if structure == 'tuple':
        return tuple(leaves)
    return leaves if structure == 'list' else leaves[0]


class CachedTeacher:
    """A distiller's teacher features, cached per sample.

    Args:
        store (TeacherCacheStore): The open cache.
        augmentation (AugmentationKey): Maps data samples to rows.
        num_samples (int): Length of the dataset the cache is bound to.
    """

    def __init__(self, store: TeacherCacheStore,
                 augmentation: AugmentationKey, num_samples: int) -> None:
        self.store = store
        self.augmentation = augmentation
        self.num_samples = int(num_samples)
        self.layers = store.key['layers']
        self.storage = DTYPES[store.key['dtype']]
        self.hits = self.misses = 0

    def features(self, inputs: Tensor, names: Sequence[str], data_samples,
                 compute: Callable[[Tensor, Sequence[str]], Dict[str, Any]]
                 ) -> Dict[str, Any]:
        """What ``compute(inputs, names)`` would return for the batch,
        with rows already cached read from disk and only the others
        computed (on those samples alone) and stored.

        Values pass through the cache dtype either way, so every epoch sees
        the same teacher outputs (with float32, exactly ``compute``'s).

        Args:
            inputs (Tensor): ``[N, C, H, W]``, preprocessed.
            names: recorder names.
            data_samples: ``N`` samples with ``sample_idx`` (and the
                augmentation fields the key reads) in their metainfo.
            compute: the uncached teacher forward.
        """
        names = list(names)
        rows = self.augmentation.rows(data_samples, self.num_samples)
        missing, hit = self._split(names, rows)
        self.hits += hit.size
        self.misses += missing.size
        computed = self._compute(inputs, names, rows, missing, hit.size > 0,
                                 compute)
        result = {}
        for name in names:
            layer = self.layers[name]
            dtype = getattr(torch, layer['dtype'].rpartition('.')[2])
            if not hit.size:
                result[name] = _assemble(layer['structure'], computed[name])
                continue
            cached = [torch.from_numpy(a).to(inputs.device, dtype)
                      for a in self.store.read(name, rows[hit])]
            if missing.size:
                hit_t = torch.as_tensor(hit, device=inputs.device)
                miss_t = torch.as_tensor(missing, device=inputs.device)
                merged = []
                for stored, fresh in zip(cached, computed[name]):
                    full = stored.new_empty((len(rows), *stored.shape[1:]))
                    full[hit_t] = stored
                    full[miss_t] = fresh
                    merged.append(full)
                cached = merged
            result[name] = _assemble(layer['structure'], cached)
        return result

    def fill(self, inputs: Tensor, names: Sequence[str], data_samples,
             compute: Callable[[Tensor, Sequence[str]], Dict[str, Any]]
             ) -> int:
        """Compute and store the rows of the batch not cached yet (nothing
        is read back); returns how many samples the teacher ran on."""
        names = list(names)
        rows = self.augmentation.rows(data_samples, self.num_samples)
        missing, hit = self._split(names, rows)
        self._compute(inputs, names, rows, missing, hit.size > 0, compute)
        return int(missing.size)

    def missing_samples(self, names: Sequence[str], variant: int
                        ) -> List[int]:
        """Dataset indices whose row for augmentation ``variant`` lacks
        an output of ``names``."""
        rows = np.arange(self.num_samples) * \
            self.augmentation.num_variants + variant
        return self._split(names, rows)[0].tolist()

    def _split(self, names, rows):
        """(positions in the batch to compute, positions cached)."""
        known = np.ones(len(rows), dtype=bool)
        for name in names:
            known &= self.store.known(name, rows)
        return np.flatnonzero(~known), np.flatnonzero(known)

    def _compute(self, inputs, names, rows, missing, subset: bool, compute):
        """Run the teacher on ``inputs[missing]`` (all of it unless
        ``subset``), store the rows, return name -> leaves as stored."""
        computed = {}
        if not missing.size:
            return computed
        if subset:
            inputs = inputs[torch.as_tensor(missing, device=inputs.device)]
        outputs = compute(inputs, names)
        for name in names:
            own = output_leaves(outputs[name])
            leaves = [leaf.detach().to(self.storage) for leaf in own]
            self._check(name, leaves)
            self.store.write(name, rows[missing],
                             [leaf.cpu().numpy() for leaf in leaves])
            computed[name] = [stored.to(leaf.dtype)
                              for stored, leaf in zip(leaves, own)]
        return computed

    def _check(self, name: str, leaves: List[Tensor]) -> None:
        shapes = [list(leaf.shape[1:]) for leaf in leaves]
        if shapes != self.layers[name]['shapes']:
            raise TeacherCacheError(
                f"teacher_cache: recorder '{name}' gave per-sample shapes "
                f"{shapes}, the cache was built for "
                f"{self.layers[name]['shapes']}; inputs of another size "
                'need another cache (rebuild it).')

    def sync(self, barrier=None) -> None:
        """Publish the rows written so far and pick up other processes'
        (see TeacherCacheStore); ``barrier()``, if given, is called in
        between so that every process has published first."""
        self.store.publish()
        if barrier is not None:
            barrier()
        self.store.refresh()

    def take_stats(self) -> Dict[str, int]:
        """Rows served from the cache and computed since the last call."""
        stats = dict(hits=self.hits, misses=self.misses)
        self.hits = self.misses = 0
        return stats

    def close(self) -> None:
        self.store.close()

"""Teacher outputs served from a :class:`TeacherCacheStore`: rows already
filled are read, the others computed once (the first epoch, or
``gankd build-teacher-cache``) and stored (FKD, Shen & Xing, ECCV 2022).
"""
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from gankd.models.distillers.cache_key import (AugmentationKey,
                                               TeacherCacheError,
                                               augmentation_key,
                                               dataset_identity, plain_json,
                                               state_dict_sha256)
from gankd.models.distillers.teacher_cache_store import TeacherCacheStore

__all__ = ['CachedTeacher', 'check_cache_config', 'open_teacher_cache']

DTYPES = {'float32': torch.float32, 'float16': torch.float16}
FIELDS = ('dir', 'dtype', 'on_mismatch', 'deterministic_transforms')


def check_cache_config(cfg: Optional[dict]) -> Optional[dict]:
    """``model.teacher_cache`` with defaults filled in, or None (off).

    Raises:
        TeacherCacheError: an unknown field or value, naming it.
    """
    if cfg is None:
        return None
    cfg = dict(cfg)
    unknown = sorted(set(cfg) - set(FIELDS))
    if unknown:
        raise TeacherCacheError(
            f'model.teacher_cache: unknown field(s) {unknown}; the fields '
            f'are {list(FIELDS)}.')
    if not cfg.get('dir'):
        raise TeacherCacheError(
            'model.teacher_cache.dir: missing; give the folder of the cache, '
            "e.g. teacher_cache=dict(dir='work_dirs/teacher_cache').")
    cfg.setdefault('dtype', 'float32')
    cfg.setdefault('on_mismatch', 'rebuild')
    cfg['deterministic_transforms'] = list(
        cfg.get('deterministic_transforms') or [])
    if cfg['dtype'] not in DTYPES:
        raise TeacherCacheError(
            f"model.teacher_cache.dtype={cfg['dtype']!r}: use one of "
            f'{list(DTYPES)}.')
    if cfg['on_mismatch'] not in ('rebuild', 'error'):
        raise TeacherCacheError(
            f"model.teacher_cache.on_mismatch={cfg['on_mismatch']!r}: use "
            "'rebuild' or 'error'.")
    return cfg


def _leaves(value) -> List[Tensor]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _structure(value) -> str:
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
            own = _leaves(outputs[name])
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


def _layers(distiller, probe: Tensor) -> dict:
    """name -> source, structure, per-sample shapes and dtype of every
    teacher recorder, from one forward on ``probe`` ``[1, C, H, W]``."""
    outputs = distiller.compute_teacher_features(probe, None)
    layers = {}
    for name, value in outputs.items():
        leaves = _leaves(value)
        if not all(isinstance(leaf, Tensor) and leaf.dim() >= 1 and
                   leaf.shape[0] == probe.shape[0] for leaf in leaves):
            raise TeacherCacheError(
                f"teacher_cache: recorder '{name}' does not give one tensor "
                'row per sample, so it cannot be cached per sample; drop '
                'model.teacher_cache.')
        recorder = distiller.teacher_recorders.get_recorder(name)
        layers[name] = dict(
            source=getattr(recorder, 'source', repr(recorder)),
            structure=_structure(value),
            shapes=[list(leaf.shape[1:]) for leaf in leaves],
            dtype=str(leaves[0].dtype))
    return layers


def open_teacher_cache(distiller, cfg: dict, dataset_cfg: dict,
                       num_samples: int, probe: Tensor,
                       create: bool = True,
                       on_mismatch: Optional[str] = None) -> CachedTeacher:
    """Open ``distiller``'s cache for the train dataset ``dataset_cfg``.

    Args:
        distiller: a SingleTeacherDistiller (teacher loaded).
        cfg (dict): ``model.teacher_cache`` (see :func:`check_cache_config`).
        dataset_cfg (dict): the train dataset's config (its ``pipeline``
            and identity enter the key).
        num_samples (int): ``len(dataset)``.
        probe (Tensor): one preprocessed input ``[1, C, H, W]``, for the
            recorded shapes.
        create (bool): whether this process may (re)build the files.
        on_mismatch (str, optional): overrides ``cfg['on_mismatch']``.

    Raises:
        TeacherCacheError: the pipeline or preprocessing cannot be keyed,
            or the cache refuses (see TeacherCacheStore).
    """
    batch_augments = getattr(distiller.data_preprocessor, 'batch_augments',
                             None)
    if batch_augments is not None:
        raise TeacherCacheError(
            'teacher_cache: data_preprocessor.batch_augments '
            f'({type(batch_augments).__name__}) mixes samples at random, '
            'which no cache key can follow; remove batch_augments or drop '
            'model.teacher_cache.')
    pipeline = dataset_cfg.get('pipeline') or []
    augmentation = augmentation_key(pipeline, cfg['deterministic_transforms'])
    key = dict(
        teacher=plain_json(distiller.teacher_cfg),
        teacher_weights=state_dict_sha256(distiller.teacher),
        layers=_layers(distiller, probe),
        pipeline=plain_json(pipeline),
        augmentation=augmentation.describe(),
        preprocessor=plain_json(distiller.data_preprocessor_cfg),
        dataset=dataset_identity(dataset_cfg, num_samples),
        dtype=cfg['dtype'])
    store = TeacherCacheStore(
        cfg['dir'], key, num_samples * augmentation.num_variants,
        on_mismatch=on_mismatch or cfg['on_mismatch'], create=create)
    return CachedTeacher(store, augmentation, num_samples)

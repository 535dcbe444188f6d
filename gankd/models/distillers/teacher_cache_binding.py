"""Opening a distiller's teacher cache: ``model.teacher_cache`` checked,
the key built (teacher, recorded layers, pipeline, dataset, preprocessing,
dtype) and the store opened or rebuilt for it."""
from typing import Optional

from torch import Tensor

from gankd.models.distillers.cache_key import (TeacherCacheError,
                                               augmentation_key,
                                               dataset_identity, plain_json,
                                               state_dict_sha256)
from gankd.models.distillers.cached_teacher import (DTYPES, CachedTeacher,
                                                    output_leaves,
                                                    output_structure)
from gankd.models.distillers.teacher_cache_store import TeacherCacheStore

__all__ = ['check_cache_config', 'open_teacher_cache']

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


def _layers(distiller, probe: Tensor) -> dict:
    """name -> source, structure, per-sample shapes and dtype of every
    teacher recorder, from one forward on ``probe`` ``[1, C, H, W]``."""
    outputs = distiller.compute_teacher_features(probe, None)
    layers = {}
    for name, value in outputs.items():
        leaves = output_leaves(value)
        if not all(isinstance(leaf, Tensor) and leaf.dim() >= 1 and
                   leaf.shape[0] == probe.shape[0] for leaf in leaves):
            raise TeacherCacheError(
                f"teacher_cache: recorder '{name}' does not give one tensor "
                'row per sample, so it cannot be cached per sample; drop '
                'model.teacher_cache.')
        recorder = distiller.teacher_recorders.get_recorder(name)
        layers[name] = dict(
            source=getattr(recorder, 'source', repr(recorder)),
            structure=output_structure(value),
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

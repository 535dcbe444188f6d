"""``model.teacher_cache`` in a training config: checked before the Runner
is built (a pipeline the cache cannot key is one line naming the
transform), and its hook added so that ``gankd train`` needs nothing else.
"""
from typing import List

__all__ = ['check_teacher_cache', 'add_teacher_cache_hook']

HOOK = 'TeacherCacheHook'


def _cache_cfg(cfg):
    model = cfg.get('model')
    return model.get('teacher_cache') if isinstance(model, dict) else None


def check_teacher_cache(cfg) -> List[str]:
    """Problems of ``model.teacher_cache`` against the train pipeline and
    preprocessing, one line each (none when the cache is off)."""
    cache = _cache_cfg(cfg)
    if cache is None:
        return []
    from gankd.models.distillers.cache_key import augmentation_key
    from gankd.models.distillers.teacher_cache_binding import (
        check_cache_config)
    from gankd.errors import UserError
    try:
        cache = check_cache_config(cache)
        dataset = (cfg.get('train_dataloader') or {}).get('dataset') or {}
        augmentation_key(dataset.get('pipeline'),
                         cache['deterministic_transforms'])
    except UserError as error:
        return [str(error)]
    for field in ('model.data_preprocessor', 'data_preprocessor'):
        node = cfg
        for part in field.split('.'):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get('batch_augments'):
            return [f'teacher_cache: {field}.batch_augments mixes samples '
                    'at random, which no cache key can follow; remove it or '
                    'drop model.teacher_cache.']
    return []


def add_teacher_cache_hook(cfg) -> None:
    """Append ``TeacherCacheHook`` to ``custom_hooks`` when the model has a
    teacher cache and the config does not list the hook already."""
    if _cache_cfg(cfg) is None:
        return
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(str(h.get('type', '')).rpartition('.')[2] == HOOK
               for h in hooks if isinstance(h, dict)):
        hooks.append(dict(type=HOOK))
    cfg.custom_hooks = hooks

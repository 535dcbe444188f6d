"""The runner state of a checkpoint as plain data, and back.

mmengine stores its message hub (the logging history: ``HistoryBuffer``
objects holding numpy arrays, numpy scalars in the runtime info) as Python
objects; reading those back needs an unpickler that may construct classes,
and an allowlist wide enough for that is also wide enough to run code.
gankd's runner therefore writes that state as tensors and plain data
(:func:`to_plain`) and rebuilds the objects itself after a weights-only
load (:func:`from_plain`): the file names no class, the code that rebuilds
them is ours.

A rebuilt object is tagged ``{TAG: kind, ...}``; only the two kinds below
exist, and their fields are checked before anything is built.
"""
from collections import OrderedDict
from typing import Any, List

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

__all__ = ['TAG', 'to_plain', 'from_plain', 'non_plain_fields']

TAG = '__gankd_plain__'

#: Leaf types torch's weights-only loader reads without any allowlist.
PLAIN_LEAVES = (str, bytes, int, float, bool, type(None), torch.Tensor,
                torch.dtype, torch.device, torch.Size)


def to_plain(obj: Any) -> Any:
    """``obj`` with every ``HistoryBuffer`` and numpy array / scalar
    replaced by plain data (containers rebuilt, other leaves kept)."""
    if isinstance(obj, HistoryBuffer):
        log, count = obj.data
        return {TAG: 'HistoryBuffer', 'max_length': int(obj.max_length),
                'log': torch.from_numpy(np.array(log)),
                'count': torch.from_numpy(np.array(count))}
    if isinstance(obj, np.ndarray) and obj.dtype.kind in 'biuf':
        return {TAG: 'ndarray', 'data': torch.from_numpy(obj.copy())}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return type(obj)((key, to_plain(value)) for key, value in obj.items())
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return type(obj)(to_plain(value) for value in obj)
    return obj


def _rebuild(obj: dict) -> Any:
    kind = obj[TAG]
    if kind == 'HistoryBuffer' and isinstance(obj.get('log'), torch.Tensor) \
            and isinstance(obj.get('count'), torch.Tensor) \
            and isinstance(obj.get('max_length'), int):
        return HistoryBuffer(obj['log'].numpy(), obj['count'].numpy(),
                             obj['max_length'])
    if kind == 'ndarray' and isinstance(obj.get('data'), torch.Tensor):
        return obj['data'].numpy()
    raise ValueError(f'unknown or malformed {TAG} entry {kind!r}')


def from_plain(obj: Any) -> Any:
    """Inverse of :func:`to_plain`: tagged entries become the objects.

    Raises:
        ValueError: a tagged entry of unknown kind or with wrong fields.
    """
    if isinstance(obj, dict):
        if TAG in obj:
            return _rebuild(obj)
        return type(obj)((key, from_plain(value))
                         for key, value in obj.items())
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return type(obj)(from_plain(value) for value in obj)
    return obj


def non_plain_fields(obj: Any, prefix: str = 'checkpoint') -> List[str]:
    """``'field: type'`` for every leaf that the weights-only loader would
    refuse (what :func:`to_plain` does not know how to convert)."""
    if isinstance(obj, dict) and type(obj) in (dict, OrderedDict):
        return [line for key, value in obj.items()
                for line in non_plain_fields(value, f'{prefix}.{key}')]
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return [line for i, value in enumerate(obj)
                for line in non_plain_fields(value, f'{prefix}[{i}]')]
    if type(obj) in PLAIN_LEAVES or isinstance(obj, torch.Tensor):
        return []
    return [f'{prefix}: {type(obj).__module__}.{type(obj).__qualname__}']

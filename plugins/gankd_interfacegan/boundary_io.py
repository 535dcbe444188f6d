"""Boundary files: the official InterFaceGAN ``.npy`` and HiGAN's dicts.

InterFaceGAN publishes each boundary as a plain ``.npy`` array ``[1, d]``.
HiGAN saves ``np.save(path, {'boundary': array, 'meta_data': dict})``, a
pickled 0-d object array; loading that with ``allow_pickle=True`` would run
whatever the file asks for, so it is read here with an unpickler that only
rebuilds numpy arrays, dtypes, scalars and builtin containers.
"""
import io
import os
import pickle

import numpy as np

from gankd.errors import UserError
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['BoundaryFormatError', 'load_boundary', 'save_boundary']

# (module, name) pairs a boundary pickle may reference: numpy's array and
# scalar reconstruction (numpy 1 and numpy 2 module names) and a few
# builtin containers. Everything else (os.system, eval, ...) is refused.
_ALLOWED = {
    (module, name)
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray')
    for name in ('_reconstruct', 'scalar')
} | {
    ('numpy.core.numeric', '_frombuffer'),
    ('numpy._core.numeric', '_frombuffer'),
    ('numpy', 'ndarray'), ('numpy', 'dtype'),
    ('builtins', 'set'), ('builtins', 'frozenset'),
    ('builtins', 'complex'), ('collections', 'OrderedDict'),
}
_UNIT_TOL = 1e-3


class BoundaryFormatError(UserError):
    """A boundary file (or array) that is not a usable boundary."""


class _SafeUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the globals in ``_ALLOWED``."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f'{module}.{name} is not allowed')


def _safe_unpickle(stream) -> object:
    try:
        return _SafeUnpickler(stream).load()
    except Exception as error:  # a malformed pickle fails in many ways
        raise BoundaryFormatError(
            f'cannot read the pickled boundary dict: {error}; only numpy '
            f'arrays and builtin containers are accepted') from error


def _read_npy(data: bytes, where: str) -> object:
    """Plain array (no pickle) or the restricted-unpickled object."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            _, _, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            _, _, dtype = np.lib.format.read_array_header_2_0(stream)
    except ValueError as error:
        raise BoundaryFormatError(
            f'{where} is not a .npy file ({error})') from error
    if not dtype.hasobject:
        try:
            return np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, EOFError) as error:  # data shorter than header
            raise BoundaryFormatError(
                f'{where} is truncated or corrupt ({error}); write it '
                'again') from None
    obj = _safe_unpickle(stream)
    if isinstance(obj, np.ndarray) and obj.shape == () and obj.dtype.hasobject:
        obj = obj.item()
    return obj


def _to_builtin(value):
    """numpy scalars/arrays inside meta -> ints, floats, lists (JSON-able)."""
    if isinstance(value, dict):
        return {key: _to_builtin(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_builtin(item) for item in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return _to_builtin(value.tolist())
    return value


def _check_normal(normal, where: str) -> np.ndarray:
    """Validate and reshape to ``[1, d]`` or ``[1, L, d]``."""
    if not isinstance(normal, np.ndarray):
        raise BoundaryFormatError(
            f'{where}: the boundary is a {type(normal).__name__}, not an '
            f'array')
    if not np.issubdtype(normal.dtype, np.floating):
        raise BoundaryFormatError(
            f'{where}: the boundary has dtype {normal.dtype}; expected '
            f'float32 or float64')
    if normal.ndim == 1:
        normal = normal[None]
    elif normal.ndim == 2 and normal.shape[0] > 1:
        normal = normal[None]  # [L, d]: one direction per layer
    elif not (normal.ndim == 2 or (normal.ndim == 3
                                   and normal.shape[0] == 1)):
        raise BoundaryFormatError(
            f'{where}: the boundary has shape {normal.shape}; expected '
            f'[1, d], [d], [L, d] or [1, L, d]')
    if normal.size == 0 or not np.isfinite(normal).all():
        raise BoundaryFormatError(
            f'{where}: the boundary is empty or holds NaN/inf values')
    norms = np.linalg.norm(normal.astype(np.float64), axis=-1).ravel()
    if (norms == 0).any():
        raise BoundaryFormatError(f'{where}: the boundary is all zeros')
    worst = norms[np.argmax(np.abs(norms - 1))]
    if abs(worst - 1) > _UNIT_TOL:
        raise BoundaryFormatError(
            f'{where}: a direction has L2 norm {worst:.6g}, not 1 '
            f'(tolerance {_UNIT_TOL}); normalise it before use')
    return np.ascontiguousarray(normal)


def load_boundary(path):
    """Read an InterFaceGAN or HiGAN boundary file.

    Args:
        path: ``.npy`` file: a plain float array ``[1, d]``, ``[d]``,
            ``[L, d]`` or ``[1, L, d]``; or HiGAN's pickled dict
            ``{'boundary': array, 'meta_data': dict}``.

    Returns:
        ``(normal, meta)``: normal ``[1, d]`` or ``[1, L, d]`` in the file's
        dtype, every direction of unit norm (within 1e-3); meta is the
        dict's ``meta_data`` with numpy values turned into Python ones
        (``{}`` for plain arrays).

    Raises:
        BoundaryFormatError: unreadable file, disallowed pickle content,
            wrong shape or dtype, NaN/inf, zero or non-unit directions.
    """
    where = os.fspath(path)
    try:
        with open(where, 'rb') as file:
            data = file.read()
    except OSError as error:
        raise BoundaryFormatError(
            f'cannot read boundary file {where}: {error.strerror}') from error
    obj = _read_npy(data, where)
    meta = {}
    if isinstance(obj, dict):
        if 'boundary' not in obj:
            raise BoundaryFormatError(
                f"{where}: the dict has keys {sorted(map(str, obj))}, "
                f"expected 'boundary' (and 'meta_data')")
        meta = obj.get('meta_data') or {}
        if not isinstance(meta, dict):
            raise BoundaryFormatError(
                f"{where}: 'meta_data' is a {type(meta).__name__}, not a "
                f"dict")
        obj, meta = obj['boundary'], _to_builtin(meta)
    return _check_normal(obj, where), meta


def save_boundary(path, normal, meta=None, fmt='npy') -> None:
    """Write a boundary atomically.

    Args:
        path: destination file (written as given; no suffix is added).
        normal: ``[1, d]`` (official layout), ``[d]``, ``[L, d]`` or
            ``[1, L, d]`` float array of unit directions; stored with the
            shape as given.
        meta: dict for HiGAN's ``meta_data`` (``fmt='higan'`` only), of
            builtin values and numpy arrays.
        fmt: 'npy' (plain array, InterFaceGAN) or 'higan' (pickled dict
            readable by ``np.load(path, allow_pickle=True)[()]``).
    """
    where = os.fspath(path)
    normal = np.asarray(normal)
    _check_normal(normal, f'boundary for {where}')
    buffer = io.BytesIO()
    if fmt == 'npy':
        if meta:
            raise BoundaryFormatError(
                f"fmt='npy' stores no meta data (got keys {sorted(meta)}); "
                f"use fmt='higan' to keep it")
        np.save(buffer, normal, allow_pickle=False)
    elif fmt == 'higan':
        if meta is not None and not isinstance(meta, dict):
            raise BoundaryFormatError(
                f'meta must be a dict, got {type(meta).__name__}')
        np.save(buffer, {'boundary': normal, 'meta_data': dict(meta or {})},
                allow_pickle=True)
        # Refuse what load_boundary would refuse, before touching the disk.
        _read_npy(buffer.getvalue(), f'meta for {where}')
    else:
        raise BoundaryFormatError(
            f"fmt must be 'npy' or 'higan', got {fmt!r}")
    atomic_write_bytes(buffer.getvalue(), where)

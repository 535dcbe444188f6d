"""Safe checkpoint I/O: weights-only loading, clear errors, atomic writes.

Every file is read with ``torch.load(weights_only=True)`` and nothing added
to its allowlist: tensors and plain Python data only (dicts, lists, tuples,
strings, numbers). No class or function named in a file is ever called, so
a crafted file cannot run code, whatever it holds.

* **Weights** (pretrained models, official checkpoints, teachers,
  predictors, encoders): :func:`load_weights`.
* **Training checkpoints** of gankd's own runs (``--resume``,
  ``load_from``): :func:`load_training_checkpoint`, the same loader plus a
  check that the file is a checkpoint dict. gankd's runner writes the
  runner state (mmengine's logging history) as plain data
  (:mod:`gankd.engine.runner_state`) so that nothing more is needed.

Weights files may also hold the ``argparse.Namespace`` of the arguments a
training script ran with (rosinality's ``train.py`` saves ``args``): it is
read as an OrderedDict of its fields by rewriting the pickle's reference
to the class, never by allowing it (:mod:`gankd.utils.namespace_pickle`).

A checkpoint written by plain mmengine keeps that history as Python objects
(``HistoryBuffer``, numpy arrays); it is refused with a line that says how
to keep only its weights, if you trust it (``docs/safety.md``).

Any failure is one line naming the file: missing, empty or truncated,
corrupt, or holding objects other than tensors and plain data.
"""
import io
import os
import pickle
import re
import uuid
from typing import Any, Callable, Optional, Union

import torch

from gankd.errors import UserError
from gankd.utils.namespace_pickle import (NAMESPACE_GLOBAL,
                                          load_namespaces_as_data)

__all__ = [
    'CheckpointError', 'require_checkpoint', 'load_weights',
    'load_training_checkpoint', 'atomic_write_bytes', 'save_checkpoint'
]

#: Globals of mmengine's runner state as plain mmengine pickles it.
RUNNER_STATE_GLOBALS = ('mmengine.logging.history_buffer',
                        'numpy._core.multiarray', 'numpy.core.multiarray',
                        'numpy.dtype', 'numpy.ndarray', 'getattr')


class CheckpointError(UserError, RuntimeError):
    """A checkpoint file cannot be read; the message names the file."""


MapLocation = Union[str, torch.device, Callable, None]


def _unpickler_reason(message: str) -> str:
    """The one informative line of torch's long weights-only message."""
    match = re.search(r'WeightsUnpickler error:\s*(.+)', message)
    reason = match.group(1) if match else message.strip()
    return reason.splitlines()[0].split('. ')[0] if reason else 'unknown'


def _refusal(path: str, name: str) -> str:
    if name.startswith(RUNNER_STATE_GLOBALS):
        return (f'{path}: holds {name}: a training checkpoint that keeps '
                "mmengine's runner state as Python objects (written by plain "
                'mmengine or an earlier gankd), which the weights-only '
                'loader does not read. If you trust the file, keep only its '
                'weights as docs/safety.md shows, or retrain with gankd.')
    return (f'{path}: holds {name}, which the weights-only loader does not '
            'allow (only tensors and plain Python data). Re-save it as a '
            'state dict, or convert it with tools/convert_checkpoint.py.')


class _RefusedGlobal(CheckpointError):
    """The weights-only loader refused ``name``, a global the file holds."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


def _torch_load(source, path: str, map_location: MapLocation) -> Any:
    """``torch.load(source, weights_only=True)``; failures as one line
    naming ``path``."""
    try:
        return torch.load(source, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as error:
        reason = _unpickler_reason(str(error))
        refused = re.search(r'Unsupported global: GLOBAL (\S+)', reason)
        if refused is None:  # not a pickle of allowed shape: a damaged file
            raise CheckpointError(
                f'{path}: not a readable PyTorch checkpoint (truncated or '
                f'corrupt?): {reason}') from None
        name = refused.group(1)
        raise _RefusedGlobal(_refusal(path, name), name) from None
    except Exception as error:  # garbage makes the unpickler raise anything
        # torch's messages run on for several sentences; keep the first.
        first = str(error).strip().splitlines()[0].split('. ')[0] \
            if str(error) else ''
        raise CheckpointError(
            f'{path}: not a readable PyTorch checkpoint (truncated or '
            f'corrupt?): {type(error).__name__}: {first}') from None


def require_checkpoint(path: Optional[str], what: str,
                       config: Optional[str] = None) -> str:
    """``path`` if it is a file; else one line saying what it should be
    and, given the ``config`` that trains it, the command that writes it.

    Raises:
        CheckpointError: ``path`` is not a file.
    """
    if path and os.path.isfile(path):
        return path
    made_by = (f'; `python tools/train.py {config}` writes it (see that '
               "config's README)" if config else '')
    raise CheckpointError(f'{what} checkpoint not found: {path}{made_by}, '
                          'or give the path of one you have')


def _load(path: str, map_location: MapLocation,
          namespaces: bool = False) -> Any:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    if os.path.getsize(path) == 0:
        raise CheckpointError(f'checkpoint is empty: {path}')
    try:
        return _torch_load(path, path, map_location)
    except _RefusedGlobal as refused:
        if not (namespaces and refused.name == NAMESPACE_GLOBAL):
            raise
        # Saved command-line arguments: read them as plain data, allowing
        # no new type (gankd/utils/namespace_pickle.py says why).
        try:
            loaded = load_namespaces_as_data(
                path, lambda copy: _torch_load(copy, path, map_location))
        except OSError as error:
            raise CheckpointError(
                f'{path}: holds saved arguments (argparse.Namespace), read '
                f'from a temporary copy of the file, which failed: '
                f'{error}') from None
        if loaded is None:
            raise
        return loaded


def load_weights(path: str, map_location: MapLocation = 'cpu') -> Any:
    """Load a weights file (pretrained, official, downloaded) safely.

    ``argparse.Namespace`` objects (the arguments training scripts save
    next to the weights, e.g. rosinality's ``args``) are read as
    OrderedDicts of their fields, without allowing the class
    (:mod:`gankd.utils.namespace_pickle`).

    Args:
        path: file written by ``torch.save`` holding tensors and plain data.
        map_location: as for ``torch.load``; CPU by default.

    Raises:
        CheckpointError: one line naming ``path`` and what is wrong.
    """
    return _load(path, map_location, namespaces=True)


def load_training_checkpoint(path: str,
                             map_location: MapLocation = 'cpu') -> dict:
    """Load a checkpoint written by gankd's runner: a dict with
    ``state_dict`` and plain-data runner state, read like weights.

    Raises:
        CheckpointError: one line naming ``path`` and what is wrong.
    """
    checkpoint = _load(path, map_location)
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f'{path}: expected a dict checkpoint, got '
            f'{type(checkpoint).__name__}')
    return checkpoint


def atomic_write_bytes(data: bytes, path: str) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one,
    never a partial one (temp file in the same folder, fsync, rename).

    The file gets the usual permissions (0o666 less the umask).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(
        folder, f'.{os.path.basename(path)}.{os.getpid()}.'
        f'{uuid.uuid4().hex[:8]}.tmp')
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, 'wb') as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(obj: Any, path: str,
                    meta: Optional[dict] = None) -> None:
    """``torch.save`` ``obj`` to ``path`` atomically.

    Args:
        obj: what to save (usually a dict with ``state_dict``).
        path: destination; its folder is created.
        meta: merged into ``obj['meta']`` when ``obj`` is a dict.
    """
    if meta is not None and isinstance(obj, dict):
        obj = dict(obj, meta={**obj.get('meta', {}), **meta})
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(buffer.getvalue(), path)

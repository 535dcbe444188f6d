"""Safe checkpoint I/O: weights-only loading, clear errors, atomic writes.

Two kinds of file are read, never with safety switched off:

* **Weights** (anything a user downloads: pretrained models, official
  checkpoints for converters, teacher weights): :func:`load_weights` uses
  ``torch.load(weights_only=True)`` with nothing added to the allowlist.
* **Training checkpoints** written by gankd's own runs (resume, ``load_from``):
  :func:`load_training_checkpoint` adds, only for the duration of that one
  load, the few types mmengine's runner state needs
  (:data:`TRAINING_STATE_ALLOWLIST`): its ``HistoryBuffer`` and the numpy
  array/scalar reconstructors. None of them runs code from the file.

Any failure is one line naming the file: missing, empty or truncated,
corrupt, or holding types outside the allowlist.
"""
import io
import os
import pickle
import re
import uuid
from typing import Any, Callable, Optional, Union

import numpy as np
import torch

__all__ = [
    'CheckpointError', 'TRAINING_STATE_ALLOWLIST', 'load_weights',
    'load_training_checkpoint', 'atomic_write_bytes', 'save_checkpoint'
]


class CheckpointError(RuntimeError):
    """A checkpoint file cannot be read; the message names the file."""


def _training_state_allowlist() -> list:
    from mmengine.logging.history_buffer import HistoryBuffer
    dtype_classes = [
        getattr(np.dtypes, name) for name in dir(np.dtypes)
        if name.endswith('DType')
    ]
    return [
        HistoryBuffer,
        getattr,  # numpy pickles dtypes through getattr(module, name)
        np._core.multiarray._reconstruct,
        np._core.multiarray.scalar,
        np.ndarray,
        np.dtype,
        *dtype_classes,
    ]


#: Types a full mmengine Runner checkpoint needs beyond plain tensors.
TRAINING_STATE_ALLOWLIST = _training_state_allowlist()

MapLocation = Union[str, torch.device, Callable, None]


def _unpickler_reason(message: str) -> str:
    """The one informative line of torch's long weights-only message."""
    match = re.search(r'WeightsUnpickler error:\s*(.+)', message)
    reason = match.group(1) if match else message.strip()
    return reason.splitlines()[0].split('. ')[0] if reason else 'unknown'


def _load(path: str, map_location: MapLocation, allow: list) -> Any:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    if os.path.getsize(path) == 0:
        raise CheckpointError(f'checkpoint is empty: {path}')
    try:
        with torch.serialization.safe_globals(allow):
            return torch.load(path, map_location=map_location,
                              weights_only=True)
    except pickle.UnpicklingError as error:
        reason = _unpickler_reason(str(error))
        refused = re.search(r'Unsupported global: GLOBAL (\S+)', reason)
        if refused is None:  # not a pickle of allowed shape: a damaged file
            raise CheckpointError(
                f'{path}: not a readable PyTorch checkpoint (truncated or '
                f'corrupt?): {reason}') from None
        raise CheckpointError(
            f'{path}: holds {refused.group(1)}, which the weights-only '
            'loader does not allow (only tensors and plain Python data). '
            'Re-save it as a state dict, or convert it with '
            'tools/convert_checkpoint.py.') from None
    except Exception as error:  # garbage makes the unpickler raise anything
        # torch's messages run on for several sentences; keep the first.
        first = str(error).strip().splitlines()[0].split('. ')[0] \
            if str(error) else ''
        raise CheckpointError(
            f'{path}: not a readable PyTorch checkpoint (truncated or '
            f'corrupt?): {type(error).__name__}: {first}') from None


def load_weights(path: str, map_location: MapLocation = 'cpu') -> Any:
    """Load a weights file (pretrained, official, downloaded) safely.

    Args:
        path: file written by ``torch.save`` holding tensors and plain data.
        map_location: as for ``torch.load``; CPU by default.

    Raises:
        CheckpointError: one line naming ``path`` and what is wrong.
    """
    return _load(path, map_location, [])


def load_training_checkpoint(path: str,
                             map_location: MapLocation = 'cpu') -> dict:
    """Load a checkpoint written by an mmengine Runner (gankd's own runs).

    The :data:`TRAINING_STATE_ALLOWLIST` is in force for this call only.

    Raises:
        CheckpointError: one line naming ``path`` and what is wrong.
    """
    checkpoint = _load(path, map_location, TRAINING_STATE_ALLOWLIST)
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

"""A local file backend whose writes are atomic (temp file + rename).

mmengine's checkpoint hook writes checkpoints and the ``last_checkpoint``
pointer through a file backend; with the plain local backend a run killed
mid-write leaves a truncated file that resume then trips over. gankd's runner
gives checkpoint hooks this backend unless a config names another.
"""
from typing import Union
from pathlib import Path

from mmengine.fileio import LocalBackend, register_backend

from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['AtomicLocalBackend', 'ATOMIC_BACKEND']

ATOMIC_BACKEND = 'gankd_atomic_local'


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """:class:`mmengine.fileio.LocalBackend` with atomic ``put``/``put_text``."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(obj, str(filepath))

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), str(filepath))

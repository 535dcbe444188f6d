"""Checking output paths before a command starts its work.

A command that runs for minutes and then fails to write its result wastes
the run, so every command checks its output paths (``work_dir``, ``--out``,
``--out-dir``, ``--save-codes``, ...) first, with
:func:`check_output_paths`. A path passes when it can be written:

* a file path is not an existing folder, a folder path not an existing file;
* the nearest existing ancestor is a folder (so the missing folders can be
  created) and a file can be created in it.

Writability is tested by creating (and at once removing) a temporary file,
not with ``os.access``: that also holds for root, read-only mounts and
network file systems. Nothing else is created: missing folders are made by
whoever writes there.
"""
import os
import tempfile
from typing import Mapping, Optional

from gankd.errors import UserError

__all__ = ['OutputPathError', 'check_output_paths']


class OutputPathError(UserError):
    """An output path that cannot be written; the message names the flag."""


def _nearest_existing(path: str) -> str:
    current = os.path.abspath(path)
    while not os.path.lexists(current):
        current = os.path.dirname(current)
    return current


def _check_creatable(flag: str, path: str, folder: str) -> None:
    """``folder`` (missing folders included) can be created and written."""
    existing = _nearest_existing(folder)
    if not os.path.isdir(existing):
        raise OutputPathError(
            f'{flag} {path}: {existing} is a file, so the folder '
            f'{folder} cannot be created; choose another path')
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise OutputPathError(
            f'{flag} {path}: cannot write in {existing} '
            f'({error.strerror}); choose a writable location') from None


def _check_file(flag: str, path: str) -> None:
    if os.path.isdir(path):
        raise OutputPathError(
            f'{flag} {path}: is a folder; give the path of a file to '
            'write')
    folder = os.path.dirname(os.path.abspath(path))
    _check_creatable(flag, path, folder)


def _check_folder(flag: str, path: str) -> None:
    if os.path.lexists(path) and not os.path.isdir(path):
        raise OutputPathError(
            f'{flag} {path}: is a file, not a folder; give a folder path')
    _check_creatable(flag, path, os.path.abspath(path))


def check_output_paths(files: Optional[Mapping[str, Optional[str]]] = None,
                       folders: Optional[Mapping[str, Optional[str]]] = None
                       ) -> None:
    """Check that each output path can be written, before any work starts.

    Args:
        files: flag (as the user typed it, e.g. ``'--out'``) -> file path;
            ``None`` paths (an option not given) are skipped.
        folders: flag (e.g. ``'--work-dir'``) -> folder path; likewise.

    Raises:
        OutputPathError: naming the flag, the path and what to change: an
            empty path, a folder given for a file or the reverse, a file in
            the way of a folder to create, or a location that cannot be
            written.
    """
    for checks, items in ((_check_file, files), (_check_folder, folders)):
        for flag, path in (items or {}).items():
            if path is None:
                continue
            path = os.fspath(path)
            if not path:
                raise OutputPathError(f'{flag}: the path is empty; give one')
            checks(flag, path)

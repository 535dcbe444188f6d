"""The model index: pretrained weights plugins know of, with checksums.

Nothing is downloaded. Entries (from ``gankd_model_index``) tell users which
file to fetch and from where; :func:`verify_weights` checks a file they give
against the entry's sha256 before it is used.
"""
import hashlib
from typing import Dict

from gankd.errors import UserError
from gankd.plugins import hook_results

__all__ = ['ModelIndexError', 'model_index', 'verify_weights', 'sha256sum']

REQUIRED_KEYS = ('name', 'config', 'filename', 'sha256', 'source')


class ModelIndexError(UserError):
    """A malformed entry, an unknown name, or a file that fails its check."""


def model_index() -> Dict[str, dict]:
    """name -> entry (with ``plugin`` added), over every loaded plugin."""
    index: Dict[str, dict] = {}
    for plugin, entries in hook_results('gankd_model_index'):
        for entry in entries:
            missing = [key for key in REQUIRED_KEYS if key not in entry]
            if missing:
                raise ModelIndexError(
                    f"plugin '{plugin}': model index entry "
                    f"{entry.get('name', '?')!r} lacks {missing}")
            if entry['name'] in index:
                raise ModelIndexError(
                    f"model '{entry['name']}' is listed by both plugin "
                    f"'{index[entry['name']]['plugin']}' and '{plugin}'")
            index[entry['name']] = dict(entry, plugin=plugin)
    return index


def sha256sum(path: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for block in iter(lambda: file.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(name: str, path: str) -> dict:
    """Check ``path`` is the file the index lists as ``name``.

    Returns:
        dict: the entry.

    Raises:
        ModelIndexError: unknown name, or a checksum mismatch (naming both
            hashes and where the right file comes from).
    """
    index = model_index()
    if name not in index:
        raise ModelIndexError(
            f"unknown model '{name}'; known: {', '.join(sorted(index))}")
    entry = index[name]
    actual = sha256sum(path)
    if actual != entry['sha256'].lower():
        raise ModelIndexError(
            f"{path}: sha256 {actual[:12]}... does not match model '{name}' "
            f"({entry['sha256'][:12]}...); get {entry['filename']} from "
            f"{entry['source']}")
    return entry

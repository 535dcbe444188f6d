"""The inputs of ``gankd restore``: degraded faces paired by name with
their references (and, optionally, ground truths).

A problem with the listing as a whole (nothing to restore, a malformed
reference list, two files claiming one name) stops the command
(:class:`InputListError`); a problem with one image (no reference, an
unreadable or wrongly sized file) skips that image only and is reported
as a line starting with its name.
"""
import os
from typing import Dict, List, Optional, Sequence

from gankd.apis.invert_inputs import (IMAGE_SUFFIXES, InputListError,
                                      list_inputs)

__all__ = ['pair_inputs', 'by_stem', 'read_reference_list']


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def by_stem(folder: str, what: str) -> Dict[str, str]:
    """``{stem: path}`` of the images in ``folder``.

    Raises:
        InputListError: not a folder, or two images with one stem.
    """
    if not os.path.isdir(folder):
        raise InputListError(f'{what} {folder}: not a folder')
    found: Dict[str, str] = {}
    for name in sorted(os.listdir(folder)):
        if not name.lower().endswith(IMAGE_SUFFIXES):
            continue
        stem = _stem(name)
        if stem in found:
            raise InputListError(
                f'{what} {folder}: {os.path.basename(found[stem])} and '
                f'{name} both match images named {stem!r}; keep one')
        found[stem] = os.path.join(folder, name)
    return found


def read_reference_list(path: str) -> Dict[str, str]:
    """A ``.txt`` list, one ``NAME REFERENCE_PATH`` per line (the path
    relative to the list's folder; blank lines and ``#`` comments
    skipped) -> ``{name: path}``.

    Raises:
        InputListError: a line without both fields, or a name twice.
    """
    root = os.path.dirname(path)
    pairs: Dict[str, str] = {}
    with open(path) as file:
        for number, line in enumerate(file, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            fields = line.split(maxsplit=1)
            if len(fields) != 2:
                raise InputListError(
                    f'{path}:{number}: expected "NAME REFERENCE_PATH", got '
                    f'{line!r}')
            if fields[0] in pairs:
                raise InputListError(f'{path}:{number}: {fields[0]!r} is '
                                     'listed twice')
            pairs[fields[0]] = os.path.join(root, fields[1])
    return pairs


def pair_inputs(degraded: Sequence[str], references: Optional[str],
                ground_truth: Optional[str] = None) -> List[dict]:
    """Degraded images (files, folders, .txt lists of paths) with their
    references (a folder: same file stem; a .txt list of ``NAME PATH``)
    and ground truths (a folder: same stem).

    Returns:
        ``[dict(name, degraded, reference, gt)]`` sorted by name;
        ``reference`` / ``gt`` are None where none is given or found.
    """
    paths = list_inputs(degraded)
    refs: Dict[str, str] = {}
    if references is not None:
        refs = read_reference_list(references) \
            if references.endswith('.txt') and os.path.isfile(references) \
            else by_stem(references, '--references')
    gts = by_stem(ground_truth, '--gt') if ground_truth else {}
    return [dict(name=_stem(path), degraded=path,
                 reference=refs.get(_stem(path)), gt=gts.get(_stem(path)))
            for path in paths]

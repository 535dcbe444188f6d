"""The inputs of ``gankd invert``: listing them and reading each image.

A listing problem (nothing to invert, two inputs that would write the same
output) stops the command; a problem with one image
(:class:`ImageInputError`) skips that image only.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, List, Sequence, Tuple

from gankd.errors import UserError

if TYPE_CHECKING:  # annotations only: imported where used
    import torch

__all__ = ['InputListError', 'ImageInputError', 'IMAGE_SUFFIXES',
           'list_inputs', 'read_image']

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp')


class InputListError(UserError):
    """The inputs, as a whole, cannot be inverted."""


class ImageInputError(UserError):
    """One image cannot be inverted; the message starts with its path."""


def _expand(path: str) -> List[str]:
    if os.path.isdir(path):
        return [os.path.join(path, name) for name in os.listdir(path)
                if name.lower().endswith(IMAGE_SUFFIXES)]
    if path.endswith('.txt') and os.path.isfile(path):
        root = os.path.dirname(path)
        with open(path) as file:
            lines = [line.strip() for line in file]
        return [os.path.join(root, line) for line in lines if line]
    return [path]  # an image file, or a missing one (reported when read)


def list_inputs(inputs: Sequence[str]) -> List[str]:
    """Image files, folders (their image files) and .txt lists (one path
    a line, relative to the list's folder) -> sorted unique paths.

    Raises:
        InputListError: no image found, or two images sharing a file stem
            (their outputs ``<stem>.png`` would collide).
    """
    paths = sorted({os.path.normpath(p) for item in inputs
                    for p in _expand(item)})
    if not paths:
        raise InputListError(f"no images in {' '.join(inputs)} (folders are "
                             f"searched for {'/'.join(IMAGE_SUFFIXES)})")
    seen = {}
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem in seen:
            raise InputListError(
                f'{seen[stem]} and {path} would both write outputs named '
                f"'{stem}': rename one or invert them separately")
        seen[stem] = path
    return paths


def read_image(path: str, size: Tuple[int, int],
               gray_ok: bool = False) -> torch.Tensor:
    """An 8-bit image file as RGB ``[3, h, w]`` in ``[-1, 1]``.

    Args:
        size: the expected ``(h, w)``.
        gray_ok: accept one-channel files (replicated to RGB), e.g. the
            gray observations of colorization.

    Raises:
        ImageInputError: missing, unreadable, not 8-bit, gray (unless
            ``gray_ok``) or not of ``size``.
    """
    import cv2
    import numpy as np
    import torch
    if not os.path.isfile(path):
        raise ImageInputError(f'{path}: no such file')
    array = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if array is None:
        raise ImageInputError(f'{path}: not a readable image')
    if array.dtype != np.uint8:
        raise ImageInputError(f'{path}: {array.dtype} pixels; give 8-bit '
                              'images')
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        if not gray_ok:
            raise ImageInputError(f'{path}: a one-channel (gray) image; '
                                  'give RGB images')
        array = np.repeat(array[..., None], 3, axis=2)
    else:
        array = array[..., 2::-1]  # BGR(A) -> RGB
    if tuple(array.shape[:2]) != tuple(size):
        raise ImageInputError(
            f'{path}: {array.shape[0]}x{array.shape[1]} pixels, expected '
            f'{size[0]}x{size[1]}')
    tensor = torch.from_numpy(np.ascontiguousarray(array)).permute(2, 0, 1)
    return tensor.float() / 127.5 - 1

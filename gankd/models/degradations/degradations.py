"""Grayscale (colourisation), downsampling (super-resolution), masking
(inpainting) and their composition, as in mGANprior's task losses.

Contract (:class:`BaseDegradation`): images ``[N, 3, H, W]`` in ``[-1, 1]``
-> degraded images ``[N, 3, h, w]`` (3 channels always: a gray image is
replicated), differentiable, nothing learnable; ``restore(output,
observation)`` post-processes an inversion's output ``[N, 3, H, W]`` given
the observation it was fitted to.
"""
from typing import Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.errors import UserError
from gankd.registry import MODELS

__all__ = ['DegradationError', 'BaseDegradation', 'IdentityDegradation',
           'Grayscale', 'Downsample', 'Mask', 'CentreHoleMask',
           'ComposedDegradation', 'read_mask']

#: ITU-R BT.601 luma weights (R, G, B), mGANprior's gray().
BT601 = (0.299, 0.587, 0.114)


class DegradationError(UserError):
    """A degradation that cannot apply to the images given."""


class BaseDegradation(nn.Module):
    """See the module docstring."""

    def restore(self, output: Tensor, observation: Tensor) -> Tensor:
        return output


@MODELS.register_module()
class IdentityDegradation(BaseDegradation):
    """Plain reconstruction: the observation is the image."""

    def forward(self, images: Tensor) -> Tensor:
        return images


@MODELS.register_module()
class Grayscale(BaseDegradation):
    """``gray = w_R R + w_G G + w_B B``, replicated to 3 channels.

    ``restore`` keeps the observation's luminance: in linear YCbCr,
    replacing Y while keeping Cb and Cr adds ``Y_obs - Y_out`` to every
    channel (the weights sum to 1), then clips to ``[-1, 1]``.

    Args:
        weights: luma weights (R, G, B); must sum to 1 (BT.601 default).
        keep_luminance: whether ``restore`` replaces the luminance.
    """

    def __init__(self, weights: Sequence[float] = BT601,
                 keep_luminance: bool = True) -> None:
        super().__init__()
        if len(weights) != 3 or abs(sum(weights) - 1.0) > 1e-6:
            raise DegradationError(
                f'Grayscale weights {list(weights)}: give 3 weights (R, G, '
                'B) summing to 1, e.g. BT.601 (0.299, 0.587, 0.114)')
        self.register_buffer('weights', torch.tensor(
            [float(w) for w in weights]).view(1, 3, 1, 1), persistent=False)
        self.keep_luminance = keep_luminance

    def luma(self, images: Tensor) -> Tensor:
        """``[N, 3, H, W]`` -> ``[N, 1, H, W]``."""
        return (images * self.weights.to(images)).sum(1, keepdim=True)

    def forward(self, images: Tensor) -> Tensor:
        return self.luma(images).expand(-1, 3, -1, -1)

    def restore(self, output: Tensor, observation: Tensor) -> Tensor:
        if not self.keep_luminance:
            return output
        shift = self.luma(observation) - self.luma(output)
        return (output + shift).clamp(-1, 1)


@MODELS.register_module()
class Downsample(BaseDegradation):
    """``F.interpolate`` by ``1 / factor`` (mGANprior: bilinear, no
    antialiasing): ``[N, 3, H, W]`` -> ``[N, 3, H / factor, W / factor]``.

    Args:
        factor: integer scale; H and W must be multiples of it.
        mode: ``'bilinear'``, ``'bicubic'``, ``'area'`` or ``'nearest'``.
        antialias: low-pass before bilinear/bicubic subsampling.
    """

    def __init__(self, factor: int, mode: str = 'bilinear',
                 antialias: bool = False) -> None:
        super().__init__()
        if int(factor) != factor or factor < 1:
            raise DegradationError(f'Downsample factor {factor}: give an '
                                   'integer >= 1')
        if mode not in ('bilinear', 'bicubic', 'area', 'nearest'):
            raise DegradationError(f"Downsample mode '{mode}': use "
                                   'bilinear, bicubic, area or nearest')
        self.factor, self.mode, self.antialias = int(factor), mode, antialias

    def forward(self, images: Tensor) -> Tensor:
        h, w = images.shape[-2:]
        if h % self.factor or w % self.factor:
            raise DegradationError(
                f'Downsample x{self.factor}: images of {h}x{w} are not '
                f'multiples of {self.factor}')
        size = (h // self.factor, w // self.factor)
        if self.mode in ('area', 'nearest'):
            return F.interpolate(images, size=size, mode=self.mode)
        return F.interpolate(images, size=size, mode=self.mode,
                             align_corners=False, antialias=self.antialias)


def read_mask(path: str) -> Tensor:
    """A mask file as a 0/1 ``[H, W]`` tensor: ``.npy`` (one numeric
    ``[H, W]`` array, read without pickle), or an image whose nonzero
    pixels are 1 (any channel).

    Raises:
        DegradationError: naming the file: missing, not a readable image,
            a truncated or corrupt ``.npy``, or one that holds other than a
            numeric ``[H, W]`` array.
    """
    import os

    import numpy as np
    if not os.path.isfile(path):
        raise DegradationError(f'mask file not found: {path}')
    if path.endswith('.npy'):
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            reason = str(error).splitlines()[0] if str(error) else \
                type(error).__name__
            raise DegradationError(
                f'mask {path}: not a readable .npy array ({reason}); save '
                'the mask with numpy.save') from None
        if array.ndim != 2 or not (np.issubdtype(array.dtype, np.number)
                                   or array.dtype == bool):
            raise DegradationError(
                f'mask {path}: holds a {array.dtype} array of shape '
                f'{list(array.shape)}; a mask file holds one numeric '
                '[H, W] array')
    else:
        import cv2
        array = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if array is None:
            raise DegradationError(f'mask {path}: not a readable image')
        if array.ndim == 3:
            array = array.max(axis=2)
    return torch.from_numpy((np.asarray(array) != 0).astype(np.float32))


@MODELS.register_module()
class Mask(BaseDegradation):
    """Keep the known pixels: ``x * m`` with ``m = 1`` on known pixels, 0 in
    the holes (gradients through the holes are exactly 0).

    ``restore`` pastes the observation's known pixels back:
    ``y * m + output * (1 - m)``.

    Args:
        mask: ``[H, W]``, ``[1, H, W]`` or ``[N, 1, H, W]`` of 0/1 values,
            or a file for :func:`read_mask`.
        hole_value: the value that marks holes in ``mask`` (mGANprior's
            mask files store 1 on holes; 0 means the mask is ``m``).
        paste_back: whether ``restore`` pastes the known pixels back.
    """

    def __init__(self, mask: Union[Tensor, Sequence, str],
                 hole_value: int = 0, paste_back: bool = True) -> None:
        super().__init__()
        if isinstance(mask, str):
            mask = read_mask(mask)
        mask = torch.as_tensor(mask, dtype=torch.float32)
        while mask.dim() < 4:
            mask = mask.unsqueeze(0)
        if mask.shape[1] != 1 or not bool(((mask == 0) | (mask == 1)).all()):
            raise DegradationError(
                f'Mask: give a 0/1 mask [H, W] or [N, 1, H, W], got shape '
                f'{list(mask.shape)}')
        if hole_value not in (0, 1):
            raise DegradationError(f'Mask hole_value {hole_value}: 0 or 1')
        known = 1 - mask if hole_value == 1 else mask
        self.register_buffer('known', known, persistent=False)
        self.paste_back = paste_back

    def _known_for(self, images: Tensor) -> Tensor:
        if tuple(images.shape[-2:]) != tuple(self.known.shape[-2:]):
            raise DegradationError(
                f'Mask of {list(self.known.shape[-2:])} does not fit images '
                f'of {list(images.shape[-2:])}')
        return self.known.to(images)

    def forward(self, images: Tensor) -> Tensor:
        return images * self._known_for(images)

    def restore(self, output: Tensor, observation: Tensor) -> Tensor:
        if not self.paste_back:
            return output
        known = self._known_for(output)
        return observation * known + output * (1 - known)


@MODELS.register_module()
class CentreHoleMask(Mask):
    """A square hole of side ``hole`` in the centre of ``size x size``
    images (mGANprior's face inpainting: a 64 x 64 hole in 256 x 256)."""

    def __init__(self, size: int, hole: int, paste_back: bool = True
                 ) -> None:
        if not 0 < hole < size:
            raise DegradationError(f'CentreHoleMask hole {hole}: give 0 < '
                                   f'hole < size ({size})')
        known = torch.ones(int(size), int(size))
        start = (size - hole) // 2
        known[start:start + hole, start:start + hole] = 0
        super().__init__(known, hole_value=0, paste_back=paste_back)


@MODELS.register_module()
class ComposedDegradation(BaseDegradation):
    """Degradations applied in order (e.g. gray, then mask). ``restore``
    returns the output unchanged: the observation mixes what each step
    keeps, so no single step's post-processing applies to it.

    Args:
        degradations: modules or MODELS configs, applied first to last.
    """

    def __init__(self, degradations: Sequence[Union[dict, nn.Module]]
                 ) -> None:
        super().__init__()
        if not degradations:
            raise DegradationError('ComposedDegradation needs at least one '
                                   'degradation')
        self.steps = nn.ModuleList(
            d if isinstance(d, nn.Module) else MODELS.build(d)
            for d in degradations)

    def forward(self, images: Tensor) -> Tensor:
        for step in self.steps:
            images = step(images)
        return images

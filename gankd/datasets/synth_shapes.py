"""SynthShapes: 100 classes of patterned shapes with nuisance factors."""
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from gankd.registry import DATASETS
from .procedural_dataset import ProceduralDataset
from .shape_renderer import ShapeRenderer
from .shape_templates import PATTERNS, SHAPES

__all__ = ['SynthShapes']


@DATASETS.register_module()
class SynthShapes(ProceduralDataset):
    """Embedded classification dataset with foreground masks.

    Class ``k`` is shape ``SHAPES[k % 10]`` filled with pattern
    ``PATTERNS[k // 10]`` (class name ``'<shape>_<pattern>'``); the pattern
    is drawn in the object's frame, so it rotates and scales with the object.
    Nuisance factors, all drawn per image: object and pattern colours,
    pattern contrast, scale, rotation, position, background colour and
    gradient, clutter (lines and blobs behind the object) and pixel noise.
    Telling the classes apart needs both the outline (shape) and the texture
    inside it (pattern); colour carries no label information.

    Every sample is a function of ``(seed, split, index)`` only (see
    :class:`ProceduralDataset`); about 3,000 images/s on one core at 32x32.

    Args:
        num_samples (int): Samples in this split. Defaults to 10000.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        seed (int): Dataset seed. Defaults to 0.
        img_size (int): Image side. Defaults to 32.
        num_classes (int): Use the first ``num_classes`` classes (at most
            100): 10 gives the ten shapes with a solid fill, 20 adds stripes,
            and so on. Defaults to 100.
        scale_range (tuple[float, float]): Object extent as a fraction of the
            image side. Defaults to (0.6, 0.9).
        rotation (float): Rotations are drawn from ``U(-rotation, rotation)``
            degrees. Defaults to 30.
        translate (float): Centre offset, fraction of the side, per axis.
        clutter (float): Mean number of background lines/blobs (Poisson).
        noise (float): Std of Gaussian pixel noise on the 0-255 scale.
        contrast_range (tuple[float, float]): Pattern contrast range.
        label_background (bool): Each class gets its own background colour,
            so the background predicts the label (a shortcut, for tests of
            what a network relies on). Defaults to False.
        pipeline (Sequence[dict]): Transforms, e.g. ``[dict(type=
            'mmpretrain.PackInputs', algorithm_keys=['fg_mask'])]``.
        test_mode (bool): Passed to mmengine's ``BaseDataset``.
        metainfo (dict, optional): Meta information; ``classes``
            defaults to the class names.
        indices (int | Sequence[int], optional): Keep a subset; each sample
            keeps its own rendering key.
        **kwargs: ``lazy_init``, ``serialize_data``, ``max_refetch`` (see
            :class:`ProceduralDataset`).

    Samples (before the pipeline) are dicts with:

    - ``img``: uint8 ``(S, S, 3)`` in **BGR** order, like mmcv's
      ``LoadImageFromFile``; use ``to_rgb=True`` in the data preprocessor.
    - ``gt_label``: int in ``[0, num_classes)``.
    - ``fg_mask``: uint8 ``(S, S)``, 1 on the object, 0 elsewhere.
    - ``sample_idx``: position in this dataset; ``synth_index``: the index
      that keys the rendering (differs from ``sample_idx`` under ``indices``).
    - ``img_shape`` / ``ori_shape``: ``(S, S)``.
    """

    def __init__(self,
                 num_samples: int = 10000,
                 split: str = 'train',
                 seed: int = 0,
                 img_size: int = 32,
                 num_classes: int = 100,
                 scale_range: Tuple[float, float] = (0.6, 0.9),
                 rotation: float = 30.0,
                 translate: float = 0.1,
                 clutter: float = 0.5,
                 noise: float = 2.0,
                 contrast_range: Tuple[float, float] = (0.6, 0.9),
                 label_background: bool = False,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 metainfo: Optional[dict] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 **kwargs):
        max_classes = len(SHAPES) * len(PATTERNS)
        if not 1 <= int(num_classes) <= max_classes:
            raise ValueError(f'num_classes={num_classes}: SynthShapes has '
                             f'1 to {max_classes} classes.')
        if int(img_size) < 8:
            raise ValueError(f'img_size={img_size}: use at least 8 pixels.')
        lo, hi = scale_range
        if not 0 < lo <= hi:
            raise ValueError(f'scale_range={scale_range}: need 0 < lo <= hi.')
        self.renderer = ShapeRenderer(
            img_size=img_size,
            scale_range=scale_range,
            rotation=rotation,
            translate=translate,
            clutter=clutter,
            noise=noise,
            contrast_range=contrast_range,
            label_background=label_background)
        self.img_size = int(img_size)
        metainfo = dict(metainfo or {})
        metainfo.setdefault('classes', self.class_names(num_classes))
        super().__init__(
            num_samples=num_samples,
            num_classes=num_classes,
            split=split,
            seed=seed,
            metainfo=metainfo,
            pipeline=pipeline,
            test_mode=test_mode,
            indices=indices,
            **kwargs)

    @staticmethod
    def class_names(num_classes: int = 100) -> Tuple[str, ...]:
        """``('circle_solid', 'square_solid', ...)``, class index order."""
        return tuple(f'{SHAPES[k % len(SHAPES)]}_{PATTERNS[k // len(SHAPES)]}'
                     for k in range(num_classes))

    def render(self, index: int, label: int, rng: np.random.Generator) -> dict:
        """Draw sample ``index``; see the class docstring for the keys."""
        out = self.renderer.render(label, rng)
        shape = (self.img_size, self.img_size)
        out.update(img_shape=shape, ori_shape=shape)
        return out

    def extra_repr(self):
        r = self.renderer
        return super().extra_repr() + [
            f'Image size: \t{self.img_size}',
            f'Scale range: \t{r.scale_range}', f'Rotation: \t{r.rotation}',
            f'Clutter: \t{r.clutter}', f'Noise: \t{r.noise}'
        ]

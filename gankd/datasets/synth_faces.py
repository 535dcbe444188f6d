"""SynthFaces: cartoon faces with identities and labelled attributes."""
from typing import Optional, Sequence, Union

import numpy as np

from gankd.registry import DATASETS
from .face_attributes import FACE_ATTRIBUTES, FaceSampler
from .face_renderer import FaceRenderer
from .procedural_dataset import ProceduralDataset

__all__ = ['SynthFaces']


@DATASETS.register_module()
class SynthFaces(ProceduralDataset):
    """Embedded face dataset: identities, attributes, masks and pairs.

    ``gt_label`` is the identity. Identities (geometry: face width and
    height, jaw, eye spacing/size/height, nose length and width, brow
    thickness and height, mouth width and height, hairline; skin tone; iris
    and glasses-frame colours; priors for hair, age cue, glasses and smile)
    depend on ``seed`` only, so every split shows the same people. Each
    image draws its attributes (``gt_attrs``, in :data:`FACE_ATTRIBUTES`
    order) and nuisances (position, size, clothes, background shade and
    gradient, pixel noise):

    ===  ==========  ===========  ======================================
    idx  name        type         values
    ===  ==========  ===========  ======================================
    0    yaw         continuous   [-1, 1]; > 0: head turned to image right
    1    smile       binary       0/1: teeth show, eyes narrow
    2    mouth_open  binary       0/1: dark open mouth
    3    eyeglasses  binary       0/1
    4    hair_color  categorical  black, brown, blond, red, grey
    5    long_hair   binary       0 short, 1 long
    6    aged        binary       0/1: wrinkles (forehead, eyes, mouth)
    7    skin_tone   categorical  light, medium, dark (from the identity)
    8    background  categorical  blue, green, grey, beige, purple, teal
    9    lighting    continuous   [-1, 1]; > 0: image right side brighter
    ===  ==========  ===========  ======================================

    Args:
        num_samples (int): Samples in this split. Defaults to 10000.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        seed (int): Dataset seed (identities and samples). Defaults to 0.
        img_size (int): Image side; drawn at ``max(64, img_size)`` and
            area-reduced. Defaults to 64.
        num_identities (int): Identities (``num_classes``). Defaults to 512.
        paired (bool): Add a second view of the same identity (keys
            ``ref_img``, ``ref_attrs``, ``ref_face_mask``): same appearance,
            other yaw (at least 0.4 apart), another expression, other
            lighting and position. The first view is the same image as in
            unpaired mode.
        yaw_range (float): Yaw drawn from ``U(-yaw_range, yaw_range)``.
        attribute_prior (float): Probability that an image keeps its
            identity's usual hair colour, length and age cue.
        light_strength (float): Brightness change across the head at
            ``lighting = +-1``.
        noise (float): Std of Gaussian pixel noise (0-255 scale).
        pipeline (Sequence[dict]): Transforms, e.g. ``[dict(type=
            'mmpretrain.PackInputs', algorithm_keys=['gt_attrs'])]``.
        test_mode (bool): Passed to mmengine's ``BaseDataset``.
        metainfo (dict, optional): Meta information; ``classes`` and
            ``attributes`` default to the identity names and
            :data:`FACE_ATTRIBUTES`.
        indices (int | Sequence[int], optional): Keep a subset; each sample
            keeps its own rendering key.
        **kwargs: ``lazy_init``, ``serialize_data``, ``max_refetch`` (see
            :class:`ProceduralDataset`).

    Samples (before the pipeline) are dicts with ``img`` (uint8 BGR
    ``(S, S, 3)``), ``gt_label`` (identity), ``gt_attrs`` (float32 ``(10,)``),
    ``face_mask`` (uint8 ``(S, S)``, 1 on face skin and features, 0 on hair,
    ears, neck, clothes and background), ``sample_idx``, ``synth_index``,
    ``img_shape``/``ori_shape``, plus the ``ref_*`` keys when paired.
    ``metainfo``: ``classes`` (``'id_0000'``, ...) and ``attributes`` (a list
    of dicts: ``name``, ``type`` in binary/categorical/continuous, and
    ``num_classes``/``classes`` or ``range``).
    """

    def __init__(self,
                 num_samples: int = 10000,
                 split: str = 'train',
                 seed: int = 0,
                 img_size: int = 64,
                 num_identities: int = 512,
                 paired: bool = False,
                 yaw_range: float = 1.0,
                 attribute_prior: float = 0.85,
                 light_strength: float = 0.35,
                 noise: float = 2.0,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 metainfo: Optional[dict] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 **kwargs):
        if int(img_size) < 16:
            raise ValueError(f'img_size={img_size}: use at least 16 pixels.')
        self.img_size = int(img_size)
        self.paired = bool(paired)
        self.sampler = FaceSampler(
            int(num_identities), seed=int(seed), yaw_range=yaw_range,
            attribute_prior=attribute_prior)
        self.renderer = FaceRenderer(
            img_size=img_size, light_strength=light_strength, noise=noise)
        metainfo = dict(metainfo or {})
        metainfo.setdefault(
            'classes', tuple(f'id_{i:04d}' for i in range(num_identities)))
        metainfo.setdefault('attributes', FaceSampler.attribute_specs())
        super().__init__(
            num_samples=num_samples,
            num_classes=num_identities,
            split=split,
            seed=seed,
            metainfo=metainfo,
            pipeline=pipeline,
            test_mode=test_mode,
            indices=indices,
            **kwargs)

    @property
    def attribute_names(self):
        """Names of ``gt_attrs`` entries, in order."""
        return tuple(a['name'] for a in FACE_ATTRIBUTES)

    def render_params(self, identity: int, params: dict,
                      rng: np.random.Generator) -> dict:
        """Draw ``identity`` with explicit image parameters.

        ``params`` holds every key of :meth:`FaceSampler.sample`; change one
        attribute of a sampled dict to render a controlled variation (the
        contact sheet and the tests do this). ``rng`` only draws pixel noise.

        Returns:
            dict: ``img``, ``face_mask`` and ``gt_attrs``.
        """
        out = self.renderer.render(self.sampler.identities[identity], params,
                                   rng)
        out['gt_attrs'] = FaceSampler.attribute_vector(params)
        return out

    def sample_params(self, index: int) -> dict:
        """The image parameters of sample ``index`` (first view)."""
        rng = self.sample_rng(index)
        return self.sampler.sample(rng, self.balanced_labels()[index])

    def render(self, index: int, label: int, rng: np.random.Generator) -> dict:
        """Draw sample ``index``; see the class docstring for the keys."""
        params = self.sampler.sample(rng, label)
        out = self.render_params(label, params, rng)
        shape = (self.img_size, self.img_size)
        out.update(img_shape=shape, ori_shape=shape)
        if self.paired:
            ref_params = self.sampler.sample_pair(rng, params)
            ref = self.render_params(label, ref_params, rng)
            out.update(
                ref_img=ref['img'],
                ref_attrs=ref['gt_attrs'],
                ref_face_mask=ref['face_mask'])
        return out

    def extra_repr(self):
        return super().extra_repr() + [
            f'Image size: \t{self.img_size}', f'Paired: \t{self.paired}',
            f'Attributes: \t{", ".join(self.attribute_names)}'
        ]

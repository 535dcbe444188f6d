"""Candidate images of a knowledge-points experiment: SynthShapes images
with their ``fg_mask`` as the foreground (spec §2.3, dataset masks)."""
from typing import Dict

import numpy as np
import torch
from torch import Tensor

from gankd.registry import DATASETS
from gankd_knowledge_points.errors import KnowledgePointsError

__all__ = ['candidate_images', 'preprocess']


def candidate_images(images_cfg: dict) -> Dict[str, object]:
    """The first ``num_candidates`` images of the dataset config.

    Args:
        images_cfg: dataset fields (``type``, ``split``, ``seed``,
            ``img_size``, ...) plus ``num_candidates``.

    Returns:
        ``rgb`` uint8 ``[N, H, W, 3]``, ``masks`` uint8 ``[N, H, W]`` (the
        sample's ``fg_mask``), ``labels`` ``[N]``, ``indices`` (ids 0..N-1).
    """
    cfg = dict(images_cfg)
    count = int(cfg.pop('num_candidates'))
    cfg.setdefault('type', 'SynthShapes')
    data = DATASETS.build(dict(cfg, num_samples=count, pipeline=[]))
    samples = [data[i] for i in range(count)]
    if 'fg_mask' not in samples[0]:
        raise KnowledgePointsError(
            f"images: {cfg['type']} samples have no fg_mask; the experiment "
            'needs a dataset with foreground masks (SynthShapes)')
    return dict(
        rgb=np.stack([s['img'][..., ::-1] for s in samples]),  # BGR -> RGB
        masks=np.stack([s['fg_mask'] for s in samples]),
        labels=[int(s['gt_label']) for s in samples],
        indices=list(range(count)))


def preprocess(classifier, rgb: np.ndarray) -> Tensor:
    """``[N, H, W, 3]`` uint8 RGB -> the ``[N, 3, H, W]`` float tensor the
    classifier consumes (its own data preprocessor: mean, std, and the BGR
    order it expects, which is why the dataset's BGR image is given back to
    it)."""
    bgr = torch.from_numpy(np.ascontiguousarray(rgb[..., ::-1])).permute(
        0, 3, 1, 2)
    with torch.no_grad():
        return classifier.data_preprocessor(
            dict(inputs=list(bgr)), False)['inputs'].float()

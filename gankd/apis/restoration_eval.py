"""Evaluation of a trained restorer on its config's test split, with the
comparisons a reference-based restorer is judged by.

``evaluate_restorer`` restores every test sample (the config's
``test_dataloader.dataset``: fixed degradations and references) and
scores each restored image against its ground truth: PSNR and SSIM
(:mod:`gankd.evaluation.image_quality`, scikit-image's metrics on 8-bit
images, as ``ImageQualityMetric``) and a perceptual distance
(:func:`feature_distance`). Variants of the same checkpoint:

* ``reference``: ``'paired'`` (the config's), ``'same_identity'`` or
  ``'other_identity'`` (``ReferencePairDataset``'s modes; a different
  person's reference is the check that the reference matters);
* a zeroed reference is a model switch, given as ``cfg_options`` (for
  ENTED ``{'model.reference': 'zero'}``).

``evaluate_input`` scores the degraded input itself, upsampled back with
a chosen interpolation (``'bicubic'``: the baseline of ENTED's spec 6.6),
with the same degradations (they are fixed by seed and sample).

Means are over images. ``seconds`` is the wall time of the restorations.
"""
import copy
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from gankd.errors import UserError

__all__ = ['RestorationEvalError', 'feature_distance', 'build_test_dataset',
           'evaluate_restorer', 'evaluate_input', 'summarise']


class RestorationEvalError(UserError):
    """A config or option the restoration evaluation cannot use."""


def feature_distance(net, a: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    """Per-image perceptual distance ``[B]`` of two ``[B, 3, H, W]``
    batches in ``[-1, 1]``: LPIPS's formula without its learned weights.

    For each feature map of ``net`` (a list of ``[B, C, h, w]``), both
    features are unit-normalised over channels, and the squared difference
    is summed over channels and averaged over positions; the layers' values
    are summed. 0 for identical images; at most 4 per layer.
    """
    with torch.no_grad():
        total = a.new_zeros(a.shape[0], dtype=torch.float64)
        for fa, fb in zip(net(a), net(b)):
            fa = fa / (fa.norm(dim=1, keepdim=True) + 1e-10)
            fb = fb / (fb.norm(dim=1, keepdim=True) + 1e-10)
            total += (fa - fb).pow(2).sum(1).mean((1, 2)).double()
    return total.cpu().numpy()


def _resize_like(pipeline: Sequence, interpolation: str) -> List:
    out, found = [], False
    for step in pipeline:
        step = copy.deepcopy(step)
        if isinstance(step, dict) and step.get('type') in (
                'ResizeLike', 'gankd.ResizeLike'):
            step['interpolation'], found = interpolation, True
        out.append(step)
    if not found:
        raise RestorationEvalError(
            'the test pipeline has no ResizeLike step: the degraded input '
            'cannot be upsampled with another interpolation')
    return out


def build_test_dataset(cfg, reference: Optional[str] = None,
                       interpolation: Optional[str] = None):
    """The config's test dataset (a ``ReferencePairDataset`` for
    reference-based restorers), with another reference mode or another
    upsampling of the degraded input if given."""
    from mmengine.registry import DefaultScope

    from gankd.registry import DATASETS
    dataset = cfg.test_dataloader.dataset.to_dict()
    if reference is not None:
        if 'reference' not in dataset and dataset.get('type') not in (
                'ReferencePairDataset', 'gankd.ReferencePairDataset'):
            raise RestorationEvalError(
                f'reference={reference!r}: the test dataset '
                f"({dataset.get('type')}) has no reference to choose")
        dataset['reference'] = reference
    if interpolation is not None:
        dataset['pipeline'] = _resize_like(dataset.get('pipeline', []),
                                           interpolation)
    DefaultScope.get_instance(f'restoration_eval_{time.monotonic_ns()}',
                              scope_name=cfg.get('default_scope', 'gankd'))
    return DATASETS.build(dataset)


def _batches(dataset, preprocessor, batch_size: int,
             num_samples: Optional[int]):
    from mmengine.dataset import pseudo_collate
    count = len(dataset) if num_samples is None else min(num_samples,
                                                         len(dataset))
    for start in range(0, count, batch_size):
        items = [dataset[i] for i in range(start, min(start + batch_size,
                                                      count))]
        data = preprocessor(pseudo_collate(items), False)
        gt = torch.stack([s.gt_img for s in data['data_samples']])
        yield data['inputs'], gt


def _scores(pred: torch.Tensor, gt: torch.Tensor, net) -> Dict[str, list]:
    from gankd.evaluation.image_quality import psnr, ssim, to_uint8
    p8, g8 = to_uint8(pred.clamp(-1, 1)), to_uint8(gt)
    out = dict(psnr=list(np.minimum(psnr(p8, g8), 100.0)),
               ssim=list(ssim(p8, g8)))
    if net is not None:  # on the 8-bit images, as saved
        out['perceptual'] = list(feature_distance(
            net, p8.float() / 127.5 - 1, g8.float() / 127.5 - 1))
    return out


def summarise(per_image: Dict[str, list]) -> Dict[str, float]:
    """Means over images of every metric, and ``n``."""
    out = {key: float(np.mean(values)) for key, values in per_image.items()}
    out['n'] = len(next(iter(per_image.values())))
    return out


def _run(batches, predict, net) -> dict:
    per_image: Dict[str, list] = {}
    seconds = 0.0
    for inputs, gt in batches:
        start = time.perf_counter()
        with torch.no_grad():
            pred = predict(inputs)
        seconds += time.perf_counter() - start
        for key, values in _scores(pred, gt, net).items():
            per_image.setdefault(key, []).extend(values)
    if not per_image:
        raise RestorationEvalError('the test dataset has no samples')
    return dict(summarise(per_image), seconds=seconds)


def evaluate_restorer(restorer, cfg, reference: Optional[str] = None,
                      feature_net=None, batch_size: int = 50,
                      num_samples: Optional[int] = None) -> dict:
    """Means of ``psnr``, ``ssim`` (and ``perceptual`` with a
    ``feature_net``) of ``restorer``'s outputs on the test split of
    ``cfg``, ``n`` images, ``seconds`` of restoring."""
    dataset = build_test_dataset(cfg, reference)

    def predict(inputs):
        ref = inputs.get('reference') if restorer.uses_reference else None
        if restorer.uses_reference and ref is None:
            raise RestorationEvalError(
                f'{type(restorer).__name__} needs a reference: the test '
                'dataset gives none')
        return restorer.restore(inputs['degraded'], ref)

    return _run(_batches(dataset, restorer.data_preprocessor, batch_size,
                         num_samples), predict, feature_net)


def evaluate_input(cfg, interpolation: Optional[str] = 'bicubic',
                   feature_net=None, batch_size: int = 50,
                   num_samples: Optional[int] = None) -> dict:
    """The same scores for the degraded input itself, brought back to the
    ground truth's size with ``interpolation`` (None: the config's)."""
    from gankd.models.data_preprocessors.restoration_data_preprocessor \
        import RestorationDataPreprocessor
    dataset = build_test_dataset(cfg, interpolation=interpolation)
    return _run(_batches(dataset, RestorationDataPreprocessor(), batch_size,
                         num_samples), lambda inputs: inputs['degraded'],
                feature_net)

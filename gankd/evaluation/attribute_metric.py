"""Per-attribute accuracy of multi-attribute predictions."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from gankd.registry import METRICS

__all__ = ['AttributeMetric']


def _numpy(value) -> np.ndarray:
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64).reshape(-1)


@METRICS.register_module()
class AttributeMetric(BaseMetric):
    """Accuracy of each attribute and their mean.

    Reads ``pred_attrs`` (decoded predictions, e.g. from
    :class:`~gankd.models.MultiAttributeHead`) and ``gt_attrs`` (targets,
    NaN for a missing label) from each data sample, both shape ``(A,)``.

    Reports, with the prefix (``'attr/'`` by default):

    - ``<name>_acc``: percentage of correct predictions. Binary and
      categorical: ``pred == gt``. Continuous: sign accuracy,
      ``(pred >= 0) == (gt >= 0)``.
    - ``<name>_mae``: mean absolute error, continuous attributes only.
    - ``mean_acc``: mean of the ``<name>_acc`` values.

    Samples whose target is NaN are left out of that attribute's values.

    Args:
        attributes (Sequence[dict], optional): ``name`` and ``type`` per
            attribute (the dataset's ``metainfo['attributes']`` contract).
            Defaults to ``dataset_meta['attributes']``, which the evaluator
            sets from the dataset.
        pred_key (str): Prediction field. Defaults to ``'pred_attrs'``.
        gt_key (str): Target field. Defaults to ``'gt_attrs'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Metric name prefix; defaults to ``'attr'``.
    """
    default_prefix = 'attr'

    def __init__(self,
                 attributes: Optional[Sequence[dict]] = None,
                 pred_key: str = 'pred_attrs',
                 gt_key: str = 'gt_attrs',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self._attributes = None if attributes is None else [
            dict(a) for a in attributes
        ]
        self.pred_key = pred_key
        self.gt_key = gt_key

    @property
    def attributes(self) -> List[dict]:
        """The attribute specs in use."""
        if self._attributes is not None:
            return self._attributes
        meta = self.dataset_meta or {}
        if 'attributes' not in meta:
            raise ValueError(
                'AttributeMetric needs attributes: pass attributes=[...] or '
                "evaluate a dataset whose metainfo has 'attributes'.")
        return list(meta['attributes'])

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store ``(pred, gt)`` arrays of each sample of the batch."""
        for sample in data_samples:
            for key in (self.pred_key, self.gt_key):
                if key not in sample:
                    raise KeyError(f'AttributeMetric: a data sample has no '
                                   f'{key!r} (keys: {sorted(sample)}).')
            self.results.append(
                (_numpy(sample[self.pred_key]), _numpy(sample[self.gt_key])))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Per-attribute accuracies (percent), MAEs and ``mean_acc``."""
        attributes = self.attributes
        pred = np.stack([r[0] for r in results])
        gt = np.stack([r[1] for r in results])
        if pred.shape[1] != len(attributes) or gt.shape != pred.shape:
            raise ValueError(
                f'AttributeMetric: predictions {pred.shape} and targets '
                f'{gt.shape} do not match {len(attributes)} attributes.')
        metrics, accs = {}, []
        for i, attr in enumerate(attributes):
            valid = ~np.isnan(gt[:, i])
            if not valid.any():
                continue
            p, t = pred[valid, i], gt[valid, i]
            if attr['type'] == 'continuous':
                correct = (p >= 0) == (t >= 0)
                metrics[f"{attr['name']}_mae"] = float(np.abs(p - t).mean())
            else:
                correct = np.rint(p) == np.rint(t)
            acc = float(correct.mean() * 100)
            metrics[f"{attr['name']}_acc"] = acc
            accs.append(acc)
        metrics['mean_acc'] = float(np.mean(accs)) if accs else float('nan')
        return metrics

"""Mean PSNR and SSIM of predicted images against their ground truth."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from gankd.evaluation.image_quality import psnr, ssim, to_uint8
from gankd.registry import METRICS

__all__ = ['ImageQualityMetric']


@METRICS.register_module()
class ImageQualityMetric(BaseMetric):
    """PSNR (dB) and SSIM between each data sample's prediction and its
    ground truth, both ``[3, H, W]`` in ``[-1, 1]``, quantised with
    ``to_uint8`` as saved images are, then scikit-image's metrics
    (:mod:`gankd.evaluation.image_quality`).

    Reports ``<prefix>/psnr`` and ``<prefix>/ssim``: means over images of
    the per-image values (restoration papers average per image).
    Identical images have infinite PSNR; they are counted at ``max_psnr``
    so that one perfect image does not make the mean infinite.

    Args:
        pred_key: data-sample field of the predictions (restorers:
            ``pred_img``).
        gt_key: data-sample field of the ground truth.
        max_psnr: the value an exact image counts for.
        collect_device: ``'cpu'`` or ``'gpu'``.
        prefix: metric prefix; default ``'image'``.
    """
    default_prefix = 'image'

    def __init__(self, pred_key: str = 'pred_img', gt_key: str = 'gt_img',
                 max_psnr: float = 100.0, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.pred_key, self.gt_key = pred_key, gt_key
        self.max_psnr = float(max_psnr)

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            get = sample.get if isinstance(sample, dict) else \
                lambda key: getattr(sample, key)
            pred = to_uint8(get(self.pred_key)[None].detach().cpu())
            gt = to_uint8(get(self.gt_key)[None].detach().cpu())
            value = min(float(psnr(pred, gt)[0]), self.max_psnr)
            self.results.append((value, float(ssim(pred, gt)[0])))

    def compute_metrics(self, results: List[tuple]) -> dict:
        values = np.asarray(results, dtype=np.float64)
        return dict(psnr=float(values[:, 0].mean()),
                    ssim=float(values[:, 1].mean()))

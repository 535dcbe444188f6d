"""Mean PSNR of reconstructions against the images they reconstruct."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from gankd.evaluation.image_quality import psnr, to_uint8
from gankd.registry import METRICS

__all__ = ['ReconstructionPSNR']


@METRICS.register_module()
class ReconstructionPSNR(BaseMetric):
    """PSNR (dB, 8-bit) between each data sample's reconstruction and its
    image, both ``[3, H, W]`` in ``[-1, 1]`` (quantised with ``to_uint8``
    as saved images are, then :func:`gankd.evaluation.image_quality.psnr`).

    Reports ``<prefix>/mean`` (the mean over images of the per-image PSNR,
    as inversion papers average it) and ``<prefix>/min``.

    Args:
        pred_key (str): data-sample field of the reconstructions.
        gt_key (str): data-sample field of the original images.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): metric prefix; default ``'psnr'``.
    """
    default_prefix = 'psnr'

    def __init__(self, pred_key: str = 'pred_img', gt_key: str = 'gt_img',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.pred_key, self.gt_key = pred_key, gt_key

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            get = sample.get if isinstance(sample, dict) else \
                lambda key: getattr(sample, key)
            pred, gt = get(self.pred_key), get(self.gt_key)
            value = psnr(to_uint8(pred[None].cpu()), to_uint8(gt[None].cpu()))
            self.results.append(float(value[0]))

    def compute_metrics(self, results: List[float]) -> dict:
        values = np.asarray(results, dtype=np.float64)
        return dict(mean=float(values.mean()), min=float(values.min()))

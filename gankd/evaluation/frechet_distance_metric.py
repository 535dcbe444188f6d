"""FID-style score with a pluggable feature extractor."""
import io
import json
import os
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import ConfigDict
from mmengine.evaluator import BaseMetric

from gankd.evaluation.frechet_distance import (feature_statistics,
                                               frechet_distance)
from gankd.registry import METRICS, MODELS, scope_config_types
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['FrechetDistanceMetric']


def _plain(cfg):
    if isinstance(cfg, (dict, ConfigDict)):
        return {k: _plain(v) for k, v in cfg.items()}
    return cfg


@METRICS.register_module()
class FrechetDistanceMetric(BaseMetric):
    """Fréchet distance between the features of real and generated images.

    Each data sample (from e.g.
    :class:`~gankd.models.gans.UnconditionalGAN`'s ``val_step``) carries a
    generated image (``fake_key``) and the real image it was drawn for
    (``real_key``), both ``[3, H, W]`` in ``[-1, 1]`` RGB. Both are run
    through the feature extractor batch by batch (only features are kept),
    Gaussians are fitted to each set (float64) and compared.

    The extractor is any MODELS component mapping images ``[N, 3, H, W]`` in
    ``[-1, 1]`` to features ``[N, D]`` with a ``cache_key`` attribute (None
    when it has no stable identity): ``ClassifierFeatureExtractor`` (e.g.
    the SynthFaces attribute predictor) or ``InceptionFeatureExtractor``
    (weights from a path; FID proper).

    Real statistics can be cached in ``real_stats_path`` (``.npz``: mean,
    covariance, count and the key ``dataset_key`` + the extractor's
    ``cache_key``). A file with the same key is used instead of extracting
    real features; a different key is recomputed and overwritten. The file
    must be visible to every process.

    Reports ``<prefix>/distance`` and ``<prefix>/num_samples``.

    Args:
        feature_extractor (dict): extractor config (built from MODELS).
        real_key (str): data-sample field of real images.
        fake_key (str): data-sample field of generated images.
        real_stats_path (str, optional): cache file of real statistics.
        dataset_key (str, optional): names the real data in the cache key
            (e.g. ``'synthfaces64-val-2000'``); required with a cache.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): metric prefix; default ``'fid'``.
    """
    default_prefix = 'fid'

    def __init__(self,
                 feature_extractor: dict,
                 real_key: str = 'real_img',
                 fake_key: str = 'fake_img',
                 real_stats_path: Optional[str] = None,
                 dataset_key: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.extractor = MODELS.build(
            scope_config_types(_plain(feature_extractor)))
        self.real_key, self.fake_key = real_key, fake_key
        if real_stats_path and not dataset_key:
            raise ValueError('FrechetDistanceMetric: real_stats_path needs '
                             "dataset_key (e.g. 'synthfaces64-val-2000'), "
                             'which names the real data in the cache key.')
        extractor_key = getattr(self.extractor, 'cache_key', None)
        if real_stats_path and extractor_key is None:
            warnings.warn('FrechetDistanceMetric: the feature extractor has '
                          'no stable identity (random weights?); real '
                          'statistics are not cached.')
            real_stats_path = None
        self.real_stats_path = real_stats_path
        self.cache_key = json.dumps(
            dict(dataset=dataset_key, extractor=extractor_key),
            sort_keys=True)
        self._cached = None
        self._cache_checked = False

    # -- features ------------------------------------------------------------

    def _features(self, images: torch.Tensor) -> np.ndarray:
        reference = next(self.extractor.buffers(),
                         next(self.extractor.parameters(), None))
        if reference is not None and reference.device != images.device:
            self.extractor.to(images.device)
        return self.extractor(images).float().cpu().numpy()

    def _stack(self, data_samples: Sequence[dict], key: str) -> torch.Tensor:
        try:
            return torch.stack([sample[key] for sample in data_samples])
        except KeyError:
            raise KeyError(
                f'FrechetDistanceMetric: a data sample has no {key!r} (keys: '
                f'{sorted(data_samples[0])}); evaluate a model that sets it '
                '(UnconditionalGAN) or set real_key/fake_key.') from None

    def _cached_real_stats(self) -> Optional[Tuple[np.ndarray, ...]]:
        """(mean, covariance, count) from the cache file if its key
        matches; checked once per evaluation."""
        if not self._cache_checked:
            self._cache_checked = True
            self._cached = None
            if self.real_stats_path and os.path.isfile(self.real_stats_path):
                with np.load(self.real_stats_path,
                             allow_pickle=False) as data:
                    if str(data['key']) == self.cache_key:
                        self._cached = (data['mu'], data['sigma'],
                                        int(data['count']))
        return self._cached

    def _write_cache(self, mu, sigma, count: int) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, mu=mu, sigma=sigma, count=count,
                 key=np.array(self.cache_key))
        atomic_write_bytes(buffer.getvalue(), self.real_stats_path)

    # -- BaseMetric ----------------------------------------------------------

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Extract fake (and, unless cached, real) features of the batch."""
        fake = self._features(self._stack(data_samples, self.fake_key))
        real = None
        if self._cached_real_stats() is None:
            real = self._features(self._stack(data_samples, self.real_key))
        self.results.append((fake, real))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """The distance between the two fitted Gaussians."""
        fake = np.concatenate([r[0] for r in results])
        cached = self._cached_real_stats()
        self._cache_checked = False  # look at the file again next time
        if cached is not None:
            mu_real, sigma_real, count = cached
            if count != len(fake):
                raise ValueError(
                    f'{self.real_stats_path} holds statistics of {count} '
                    f'real images but {len(fake)} were evaluated; delete it '
                    'or give another dataset_key.')
        else:
            if any(r[1] is None for r in results):
                raise RuntimeError(
                    'FrechetDistanceMetric: some processes read cached real '
                    'statistics and others did not; put real_stats_path '
                    'where every process sees it.')
            mu_real, sigma_real = feature_statistics(
                np.concatenate([r[1] for r in results]))
            if self.real_stats_path:
                self._write_cache(mu_real, sigma_real, len(fake))
        mu_fake, sigma_fake = feature_statistics(fake)
        return dict(
            distance=frechet_distance(mu_real, sigma_real, mu_fake,
                                      sigma_fake),
            num_samples=len(fake))

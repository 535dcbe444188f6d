"""The randomness shared by the blind-degradation transforms.

Every step reads ``results[key]`` (falling back to a copy of
``results[src_key]``, the ground truth, when no step has run yet), writes
the degraded image back to ``results[key]`` and records what it drew in
``results['degradation']`` (a dict of plain floats/ints), so a sweep or a
test can read the exact parameters of each sample.

Randomness:

* ``seed=None`` (training): parameters are drawn from numpy's global
  generator, which mmengine seeds per worker (``randomness=dict(seed=...)``),
  so a seeded training run repeats itself, and each epoch sees new draws.
* ``seed=int`` (test mode): parameters are a function of ``(seed, step,
  sample)`` only: ``np.random.default_rng([seed, stream, index])`` with
  ``index`` the sample's ``synth_index`` (procedural datasets: stable under
  ``indices=`` subsets) or else ``sample_idx``. Any worker count, order or
  subset gives the same degraded bytes for a sample.
"""
import zlib
from typing import Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from gankd.errors import UserError

__all__ = ['DegradationTransformError', 'DegradationStep', 'check_range']


class DegradationTransformError(UserError):
    """A degradation transform given a bad range or unusable results."""


def check_range(name: str, value: Sequence[float], low: float,
                high: float = float('inf')) -> Tuple[float, float]:
    """``value`` as ``(lo, hi)`` with ``low <= lo <= hi <= high``; a
    degenerate range ``(a, a)`` fixes the parameter (degradation sweeps)."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise DegradationTransformError(
            f'{name}={value!r}: give a (min, max) pair') from None
    if not low <= lo <= hi <= high:
        raise DegradationTransformError(
            f'{name}={value!r}: need {low} <= min <= max <= {high}')
    return lo, hi


class DegradationStep(BaseTransform):
    """Base of the degradation transforms (see the module docstring).

    Args:
        key: results key of the image being degraded (uint8 ``(h, w, 3)``).
        src_key: the ground truth ``(H, W, 3)``, copied into ``key`` by the
            first step that runs.
        seed: None for random draws (training), an int for draws fixed by
            ``(seed, sample)`` (test mode).
    """

    def __init__(self, key: str = 'lq_img', src_key: str = 'img',
                 seed=None) -> None:
        self.key, self.src_key = key, src_key
        self.seed = None if seed is None else int(seed)
        # A fixed number per step type, so blur and noise of one sample do
        # not share their draws.
        self.stream = zlib.crc32(type(self).__name__.encode())

    def rng(self, results: dict) -> np.random.Generator:
        """The generator of this step for this sample."""
        if self.seed is None:
            return np.random.default_rng(np.random.randint(0, 2**31 - 1))
        index = results.get('synth_index', results.get('sample_idx'))
        if index is None:
            raise DegradationTransformError(
                f'{type(self).__name__}(seed={self.seed}): the sample has '
                'neither synth_index nor sample_idx to fix its draws; use '
                'seed=None or a dataset that sets sample_idx')
        return np.random.default_rng([self.seed, self.stream, int(index)])

    def image(self, results: dict) -> np.ndarray:
        """The image to degrade: ``results[key]``, else the ground truth."""
        if self.key in results:
            return results[self.key]
        if self.src_key not in results:
            raise DegradationTransformError(
                f'{type(self).__name__}: results hold neither {self.key!r} '
                f'nor {self.src_key!r}; put the loading step first')
        return results[self.src_key].copy()

    def record(self, results: dict, image: np.ndarray, **params) -> dict:
        """Store the degraded image and the drawn parameters."""
        results[self.key] = image
        results.setdefault('degradation', {}).update(params)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(key={self.key!r}, '
                f'seed={self.seed})')

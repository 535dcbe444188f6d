"""Fréchet distance between Gaussians fitted to two feature sets (FID)."""
from typing import Tuple

import numpy as np

__all__ = ['feature_statistics', 'frechet_distance']


def feature_statistics(features: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Mean ``[D]`` and unbiased covariance ``[D, D]`` (float64) of
    features ``[N, D]``, ``N >= 2``."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError('feature_statistics needs features [N, D] with '
                         f'N >= 2, got shape {features.shape}')
    return features.mean(axis=0), np.cov(features, rowvar=False, ddof=1)


def _drop_rounding(values: np.ndarray) -> np.ndarray:
    """Eigenvalues of a PSD matrix with rounding noise set to 0 (the
    cut-off numpy's matrix_rank uses). Features with N <= D have singular
    covariances; the square roots of their ~1e-16 noise eigenvalues would
    otherwise add ~1e-8 each to the trace."""
    tol = values.max(initial=0.0) * values.size * np.finfo(values.dtype).eps
    return np.where(values > tol, values, 0.0)


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(_drop_rounding(values))) @ vectors.T


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray,
                     sigma2: np.ndarray) -> float:
    """``||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2))`` in float64.

    ``tr((S1 S2)^(1/2))`` is the sum of the square roots of the eigenvalues
    of ``S1 S2``, which are those of the symmetric PSD matrix
    ``S1^(1/2) S2 S1^(1/2)`` (same non-zero spectrum): taking them with
    ``eigh`` gives real, non-negative values where ``scipy.linalg.sqrtm`` of
    the non-symmetric product can return complex rounding noise.

    Args:
        mu1, mu2: means ``[D]``.
        sigma1, sigma2: covariances ``[D, D]`` (symmetric PSD).

    Returns:
        the distance (>= 0 up to rounding).
    """
    mu1, mu2 = (np.asarray(m, dtype=np.float64).reshape(-1)
                for m in (mu1, mu2))
    sigma1, sigma2 = (np.atleast_2d(np.asarray(s, dtype=np.float64))
                      for s in (sigma1, sigma2))
    if not (mu1.shape == mu2.shape and sigma1.shape == sigma2.shape ==
            (mu1.size, mu1.size)):
        raise ValueError(
            f'frechet_distance: shapes do not match: mu {mu1.shape} / '
            f'{mu2.shape}, sigma {sigma1.shape} / {sigma2.shape}')
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = np.sqrt(_drop_rounding(eigenvalues)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) -
                 2 * trace_sqrt)

"""Shared helpers for the gankd_interfacegan tests: the official boundary
files (read from ``GANKD_PARITY_FIXTURES``, never copied into the
repository) and the synthetic latent of interfacegan.md §6."""
import os

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
FIXTURES_ENV = 'GANKD_PARITY_FIXTURES'
BOUNDARY_DIR = 'interfacegan_boundaries'


def fixtures_root() -> str:
    return os.environ.get(FIXTURES_ENV) or os.path.normpath(
        os.path.join(REPO, '..', 'shared', 'fixtures'))


def boundary_fixture_path(name: str) -> str:
    """Path of ``interfacegan_boundaries/<name>_boundary.npy``; skips the
    test when absent."""
    path = os.path.join(fixtures_root(), BOUNDARY_DIR,
                        f'{name}_boundary.npy')
    if not os.path.isfile(path):
        pytest.skip(f'official boundary {path} not found: set '
                    f'{FIXTURES_ENV} to the folder holding '
                    f'{BOUNDARY_DIR}/{name}_boundary.npy')
    return path


@pytest.fixture
def official_boundary_path():
    """``official_boundary_path('stylegan_ffhq_age')`` -> the file's path
    (skips the test when absent)."""
    return boundary_fixture_path


def _two_direction_latent(num=20000, dim=32, cos=0.5, noise=0.1, seed=0):
    """Gaussian codes ``[num, dim]``, unit directions n1, n2 with
    n1·n2 = cos, and scores s_i = n_i·z + noise·eps (spec §6 item 1).

    Returns:
        (codes float64, n1 ``[dim]``, n2 ``[dim]``, s1 ``[num]``,
        s2 ``[num]``).
    """
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((dim, 2)))[0].T  # orthonormal
    n1 = basis[0]
    n2 = cos * basis[0] + np.sqrt(1 - cos ** 2) * basis[1]
    codes = rng.standard_normal((num, dim))
    s1 = codes @ n1 + noise * rng.standard_normal(num)
    s2 = codes @ n2 + noise * rng.standard_normal(num)
    return codes, n1, n2, s1, s2


@pytest.fixture
def two_direction_latent():
    """``two_direction_latent(num, dim, cos, noise, seed)`` -> (codes, n1,
    n2, s1, s2), see ``_two_direction_latent``."""
    return _two_direction_latent

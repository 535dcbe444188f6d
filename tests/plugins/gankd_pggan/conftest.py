"""Helpers for the gankd_pggan tests: the genforce parity fixture (read from
``GANKD_PARITY_FIXTURES``, never copied into the repository) and the
README's parity tolerance."""
import os

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
FIXTURES_ENV = 'GANKD_PARITY_FIXTURES'
_CACHE = {}


def pggan_fixture_path() -> str:
    root = os.environ.get(FIXTURES_ENV) or os.path.normpath(
        os.path.join(REPO, '..', 'shared', 'fixtures'))
    path = os.path.join(root, 'genforce', 'pggan_32.pth')
    if not os.path.isfile(path):
        pytest.skip(f'parity fixture {path} not found: set {FIXTURES_ENV} to '
                    'the folder holding genforce/pggan_32.pth')
    return path


@pytest.fixture
def pggan_fixture() -> dict:
    """The ``pggan_32`` fixture dict (cached; treat as read-only)."""
    path = pggan_fixture_path()
    if path not in _CACHE:
        _CACHE[path] = torch.load(path, map_location='cpu', weights_only=True)
    return _CACHE[path]


def max_diff_within_tolerance(got, ref, what):
    """Assert max|got - ref| <= 1e-4 * max(1, max|ref|); return the diff."""
    assert got.shape == ref.shape, f'{what}: {got.shape} vs {ref.shape}'
    diff = (got.double() - ref.double()).abs().max().item()
    bound = 1e-4 * max(1.0, ref.abs().max().item())
    assert diff <= bound, f'{what}: max|diff| {diff:.3g} > {bound:.3g}'
    return diff


@pytest.fixture
def assert_parity():
    return max_diff_within_tolerance

"""Shared helpers for the gankd_stylegan tests: the genforce parity fixtures
(read from ``GANKD_PARITY_FIXTURES``, never copied into the repository) and
the parity tolerance of the fixture README."""
import os

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
FIXTURES_ENV = 'GANKD_PARITY_FIXTURES'


def fixtures_root() -> str:
    return os.environ.get(FIXTURES_ENV) or os.path.normpath(
        os.path.join(REPO, '..', 'shared', 'fixtures'))


def fixture_path(name: str) -> str:
    """Path of ``genforce/<name>.pth``; skips the test when absent."""
    path = os.path.join(fixtures_root(), 'genforce', f'{name}.pth')
    if not os.path.isfile(path):
        pytest.skip(f'parity fixture {path} not found: set {FIXTURES_ENV} to '
                    f'the folder holding genforce/{name}.pth')
    return path


_CACHE = {}


@pytest.fixture
def genforce_fixture_path():
    """``genforce_fixture_path('stylegan2_64')`` -> the file's path (skips
    the test when absent)."""
    return fixture_path


@pytest.fixture
def genforce_fixture():
    """``genforce_fixture('stylegan2_64')`` -> the fixture dict (cached;
    treat it as read-only)."""

    def load(name: str) -> dict:
        path = fixture_path(name)
        if path not in _CACHE:
            _CACHE[path] = torch.load(path, map_location='cpu',
                                      weights_only=True)
        return _CACHE[path]

    return load


@pytest.fixture
def assert_parity():
    """``assert_parity(got, ref, what, atol=None)``: max|diff| <=
    1e-4 * max(1, max|ref|) (the README's image/feature tolerance), or
    ``atol`` when given (1e-5 for w, wp and styles)."""

    def check(got, ref, what, atol=None):
        assert got.shape == ref.shape, f'{what}: {got.shape} vs {ref.shape}'
        diff = (got.double() - ref.double()).abs().max().item()
        bound = atol if atol is not None else 1e-4 * max(
            1.0, ref.abs().max().item())
        assert diff <= bound, f'{what}: max|diff| {diff:.3g} > {bound:.3g}'
        return diff

    return check

"""Fréchet distance against closed forms and scipy's sqrtm."""
import numpy as np
import pytest
import scipy.linalg

from gankd.evaluation import feature_statistics, frechet_distance


def test_diagonal_gaussians_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    # Commuting covariances: tr sqrt(S1 S2) = sum sqrt(a b).
    expected = ((mu1 - mu2)**2).sum() + (a + b - 2 * np.sqrt(a * b)).sum()
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == \
        pytest.approx(expected, rel=1e-12)
    # By hand: |dmu|^2 = 1 + 0 + 4; per dimension (sqrt a - sqrt b)^2 =
    # 1, 1, 6.25.
    assert expected == pytest.approx(5 + 1 + 1 + 6.25)


def test_one_dimension_and_symmetry():
    # N(0, 1) vs N(3, 4): 9 + (1 - 2)^2 = 10.
    assert frechet_distance([0.0], [[1.0]], [3.0], [[4.0]]) == \
        pytest.approx(10.0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 4)), rng.normal(1.0, 2.0, size=(60, 4))
    sx, sy = feature_statistics(x), feature_statistics(y)
    assert frechet_distance(*sx, *sy) == pytest.approx(
        frechet_distance(*sy, *sx), rel=1e-10)


def test_general_covariances_match_scipy_sqrtm():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 6)) @ rng.normal(size=(6, 6))
    y = rng.normal(size=(150, 6)) @ rng.normal(size=(6, 6)) + 0.5
    (mu1, s1), (mu2, s2) = feature_statistics(x), feature_statistics(y)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    expected = ((mu1 - mu2)**2).sum() + np.trace(s1 + s2 - 2 * covmean)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected,
                                                               rel=1e-8)


def test_identical_sets_are_zero_even_when_singular():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(10, 32))  # N < D: singular covariance
    stats = feature_statistics(x)
    assert abs(frechet_distance(*stats, *stats)) < 1e-9


def test_statistics_and_shape_errors():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    mu, sigma = feature_statistics(x)
    np.testing.assert_allclose(mu, [2.0, 4.0])
    np.testing.assert_allclose(sigma, [[2.0, 4.0], [4.0, 8.0]])  # ddof 1
    with pytest.raises(ValueError, match='N >= 2'):
        feature_statistics(x[:1])
    with pytest.raises(ValueError, match='shapes do not match'):
        frechet_distance(mu, sigma, [0.0], [[1.0]])

"""boundary_search: extreme selection and the linear-SVM boundary fit
(interfacegan.md §6 items 1-3)."""
import json

import numpy as np
import pytest

from gankd.errors import UserError
from gankd_interfacegan.boundary_search import (BoundaryFit,
                                                BoundarySearchError,
                                                select_extremes,
                                                train_boundary,
                                                train_layerwise_boundaries)


def _cos(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


# --- selection (§6 item 3) -------------------------------------------------

def test_select_extremes_ratio_takes_top_and_bottom_k():
    scores = np.random.default_rng(0).permutation(1000).astype(np.float64)
    pos, neg = select_extremes(scores, 0.02)
    assert pos.dtype == np.int64 and neg.dtype == np.int64
    assert len(pos) == len(neg) == 20
    # scores are a permutation of 0..999, so the extremes are known values
    np.testing.assert_array_equal(scores[pos], np.arange(999, 979, -1))
    np.testing.assert_array_equal(scores[neg], np.arange(0, 20))


@pytest.mark.parametrize('value, k', [(600, 500), (1.0, 500), (25, 25),
                                      (25.9, 25), (0.5, 500), (0.001, 1),
                                      (0.0009, 0)])
def test_select_extremes_counts_and_cap(value, k):
    scores = np.random.default_rng(1).standard_normal(1000)
    pos, neg = select_extremes(scores, value)
    assert len(pos) == len(neg) == k
    assert not set(pos) & set(neg)


def test_select_extremes_never_picks_invalid_or_nan():
    rng = np.random.default_rng(2)
    scores = rng.standard_normal(1000)
    # invalid rows hold the largest value, NaN rows sort anywhere: both
    # would be picked if they were not dropped first
    scores[:50] = 99.0
    scores[50:100] = np.nan
    pos, neg = select_extremes(scores, 0.02, invalid_value=99.0)
    assert len(pos) == len(neg) == 18  # floor(0.02 * 900 valid rows)
    assert (np.concatenate([pos, neg]) >= 100).all()
    valid = scores[100:]
    np.testing.assert_array_equal(np.sort(scores[pos]),
                                  np.sort(valid)[-18:])


def test_select_extremes_ties_are_stable():
    scores = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.5])
    pos, neg = select_extremes(scores, 2)
    np.testing.assert_array_equal(pos, [0, 2])  # first tied rows first
    assert set(neg) == {1, 3}


def test_select_extremes_accepts_column_scores_and_rejects_bad():
    scores = np.arange(10.0)
    for got, want in zip(select_extremes(scores[:, None], 2),
                         select_extremes(scores, 2)):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(BoundarySearchError, match='num_or_ratio'):
        select_extremes(scores, 0)
    with pytest.raises(BoundarySearchError, match='shape'):
        select_extremes(np.zeros((10, 2)), 2)


# --- the fit ----------------------------------------------------------------

def _toy_2d():
    """Hand-solvable fit: positives at x = 3, negatives at x = -1, so the
    max-margin line is x = 1 (w = (0.5, 0), b = -0.5). 80 middle codes;
    20 of them get scores reflected about the midpoint 1, which flips their
    label, so exactly 60 / 80 remaining codes are classified right."""
    rng = np.random.default_rng(3)
    y = np.linspace(-2, 2, 10)
    mid_x = rng.uniform(-0.9, 2.9, 80)
    mid_x[np.abs(mid_x - 1) < 0.05] = 0.5
    x = np.concatenate([np.full(10, 3.0), np.full(10, -1.0), mid_x])
    codes = np.stack([x, np.concatenate([y, y, rng.uniform(-2, 2, 80)])], 1)
    scores = x.copy()
    scores[20:40] = 2 - scores[20:40]
    return codes, scores


def test_train_boundary_hand_computed_toy():
    codes, scores = _toy_2d()
    fit = train_boundary(codes, scores, num_or_ratio=0.1)
    np.testing.assert_allclose(fit.normal, [[1.0, 0.0]], atol=1e-3)
    assert fit.intercept == pytest.approx(-1.0, abs=1e-2)
    assert fit.val_acc == 1.0
    assert fit.remaining_acc == 0.75
    assert (fit.num_pos, fit.num_neg, fit.num_train, fit.num_val,
            fit.num_remaining) == (10, 10, 14, 6, 80)


def test_train_boundary_counts_m1000(two_direction_latent):
    codes, _, _, scores, _ = two_direction_latent(num=1000, dim=8)
    fit = train_boundary(codes, scores, 0.02)
    # 20 + 20 selected; 14 train / 6 validation per class
    assert (fit.num_pos, fit.num_neg, fit.num_train, fit.num_val,
            fit.num_remaining) == (20, 20, 28, 12, 960)
    fit = train_boundary(codes, scores, 600)
    assert (fit.num_pos, fit.num_remaining) == (500, 0)
    assert fit.remaining_acc is None


def test_train_boundary_synthetic_recovery(two_direction_latent):
    """§6 item 1: d = 32, M = 20K, cos(n1, n2) = 0.5, noise 0.1."""
    codes, n1, n2, s1, s2 = two_direction_latent()
    fit1 = train_boundary(codes, s1, 0.02)
    fit2 = train_boundary(codes, s2, 0.02)
    for fit, truth in ((fit1, n1), (fit2, n2)):
        assert _cos(fit.normal, truth) >= 0.95
        assert fit.val_acc >= 0.98
        assert fit.remaining_acc < fit.val_acc
    assert abs(_cos(fit1.normal, fit2.normal) - 0.5) <= 0.1


def test_separable_latents_give_the_true_direction(two_direction_latent):
    """The issue's check: scores exactly linear in the codes (separable
    classes), the SVM normal is the true direction to cos > 0.99."""
    codes, n1, n2, s1, s2 = two_direction_latent(noise=0.0)
    for scores, truth in ((s1, n1), (s2, n2)):
        fit = train_boundary(codes, scores, 0.02)
        assert _cos(fit.normal, truth) > 0.99
        assert fit.val_acc == 1.0


def test_train_boundary_output_contract_and_sign(two_direction_latent):
    """§6 item 2: [1, d] float32 unit normal; +a along it raises scores."""
    codes, n1, _, s1, _ = two_direction_latent(num=5000, dim=16)
    fit = train_boundary(codes, s1, 0.05)
    assert isinstance(fit, BoundaryFit)
    assert fit.normal.shape == (1, 16) and fit.normal.dtype == np.float32
    assert abs(np.linalg.norm(fit.normal.astype(np.float64)) - 1) <= 1e-6
    moved = codes + 2.0 * fit.normal.astype(np.float64)
    assert (moved @ n1).mean() > (codes @ n1).mean() + 1.5
    # negated scores give the opposite direction
    flipped = train_boundary(codes, -s1, 0.05)
    assert _cos(flipped.normal, fit.normal) < -0.99


def test_train_boundary_remaining_labels_by_midpoint(two_direction_latent):
    """remaining_acc equals a recount with the SVM's own decision rule and
    labels score >= (max + min) / 2 of the valid scores."""
    codes, n1, _, s1, _ = two_direction_latent(num=3000, dim=8, noise=0.5)
    s1 = s1 + 1.0  # shift so the midpoint is not 0
    s1[:30] = -7.0  # invalid rows: they must not move the midpoint
    fit = train_boundary(codes, s1, 0.05, invalid_value=-7.0)
    valid = np.arange(3000) >= 30
    pos, neg = select_extremes(s1, 0.05, invalid_value=-7.0)
    rest = valid.copy()
    rest[pos] = rest[neg] = False
    mid = (s1[valid].max() + s1[valid].min()) / 2
    label = s1[rest] >= mid
    pred = codes[rest] @ fit.normal[0].astype(np.float64) + fit.intercept > 0
    assert fit.num_remaining == rest.sum() == 3000 - 30 - 2 * 148
    assert fit.remaining_acc == pytest.approx(np.mean(pred == label),
                                              abs=2 / rest.sum())


def test_train_boundary_seed_reproducible_and_json(two_direction_latent):
    codes, _, _, s1, _ = two_direction_latent(num=2000, dim=8)
    a = train_boundary(codes, s1, 0.05, seed=7)
    b = train_boundary(codes, s1, 0.05, seed=7)
    np.testing.assert_array_equal(a.normal, b.normal)
    summary = json.loads(json.dumps(a.to_dict()))
    assert 'normal' not in summary
    assert summary['num_train'] == 2 * 70 and summary['num_val'] == 2 * 30


def test_train_boundary_svm_kwargs_reach_svc(two_direction_latent):
    codes, _, _, s1, _ = two_direction_latent(num=1000, dim=8)
    with pytest.raises(ValueError, match='C'):
        train_boundary(codes, s1, 0.05, svm={'C': -1.0})
    with pytest.raises(BoundarySearchError, match='linear'):
        train_boundary(codes, s1, 0.05, svm={'kernel': 'rbf'})


def test_train_boundary_user_errors(two_direction_latent):
    codes, _, _, s1, _ = two_direction_latent(num=1000, dim=8)
    with pytest.raises(BoundarySearchError, match='equal'):
        train_boundary(codes, np.ones(1000))
    with pytest.raises(BoundarySearchError, match='sample more'):
        train_boundary(codes[:20], s1[:20], 0.02)  # k = 0
    with pytest.raises(BoundarySearchError, match=r'\[M, d\]'):
        train_boundary(codes[:999], s1)
    with pytest.raises(BoundarySearchError, match='split'):
        train_boundary(codes, s1, split=1.0)
    assert issubclass(BoundarySearchError, UserError)


def test_train_layerwise_boundaries_fits_each_layer(two_direction_latent):
    codes, n1, _, s1, _ = two_direction_latent(num=4000, dim=8)
    perm = np.random.default_rng(4).permutation(8)
    wp = np.stack([codes, -codes, codes[:, perm]], axis=1)  # [M, 3, d]
    fits = train_layerwise_boundaries(wp, s1, num_or_ratio=0.05)
    assert len(fits) == 3
    assert _cos(fits[0].normal, n1) >= 0.95
    assert _cos(fits[1].normal, -n1) >= 0.95
    assert _cos(fits[2].normal, n1[perm]) >= 0.95
    with pytest.raises(BoundarySearchError, match='wp'):
        train_layerwise_boundaries(codes, s1)

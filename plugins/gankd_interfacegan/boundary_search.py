"""Linear-SVM boundary search in a latent space (InterFaceGAN §2.2).

Pure numpy + scikit-learn: codes and scores in, a unit normal and its
accuracies out. The procedure follows the official ``train_boundary``
(genforce/interfacegan, utils/manipulator.py): keep the k highest and k
lowest scored codes, split each class 70/30 after a seeded shuffle, fit
``SVC(kernel='linear')``, drop the intercept and normalise the weights.
"""
import dataclasses
import math
from typing import List, Optional, Tuple

import numpy as np

from gankd.errors import UserError

__all__ = ['BoundarySearchError', 'BoundaryFit', 'select_extremes',
           'train_boundary', 'train_layerwise_boundaries']


class BoundarySearchError(UserError):
    """Inputs a boundary cannot be fitted from (shapes, counts, scores)."""


@dataclasses.dataclass
class BoundaryFit:
    """One fitted boundary.

    Attributes:
        normal: float32 ``[1, d]``, unit L2 norm; moving a code along it
            raises the score (positive side = higher score).
        val_acc: SVM accuracy on the held-out extremes.
        remaining_acc: accuracy on the valid codes that were not selected,
            labelled by the score midpoint; None when nothing remains.
        num_pos: selected top-scored codes (k).
        num_neg: selected bottom-scored codes (k).
        num_train: SVM training codes, both classes (2 * floor(k * split)).
        num_val: validation codes, both classes (2 * (k - floor(k*split))).
        num_remaining: valid codes not selected (M_valid - 2k).
        intercept: the dropped SVM intercept divided by the weight norm, so
            ``normal @ z + intercept`` is the signed distance to the SVM's
            own hyperplane (not used by the official editing, which puts
            every boundary through the origin).
    """

    normal: np.ndarray
    val_acc: float
    remaining_acc: Optional[float]
    num_pos: int
    num_neg: int
    num_train: int
    num_val: int
    num_remaining: int
    intercept: float = 0.0

    def to_dict(self) -> dict:
        """JSON-able summary (every field except ``normal``)."""
        out = dataclasses.asdict(self)
        del out['normal']
        return out


def _valid_scores(scores) -> Tuple[np.ndarray, np.ndarray]:
    """``scores`` ``[M]`` or ``[M, 1]`` -> (float64 ``[M]``, bool mask)."""
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim != 1 or not np.issubdtype(scores.dtype, np.number):
        raise BoundarySearchError(
            f'scores must be numbers of shape [M] or [M, 1], got '
            f'{scores.dtype} {tuple(scores.shape)}; pass one score per code')
    return scores.astype(np.float64), ~np.isnan(scores.astype(np.float64))


def select_extremes(scores, num_or_ratio=0.02, invalid_value=None
                    ) -> Tuple[np.ndarray, np.ndarray]:
    """Indices of the k highest and k lowest valid scores.

    Args:
        scores: ``[M]`` (or ``[M, 1]``) scores.
        num_or_ratio: k = floor(value * M_valid) for a value in (0, 1],
            int(value) above 1; capped at M_valid // 2.
        invalid_value: rows with this score (and NaN rows) are never
            selected.

    Returns:
        ``(pos_idx, neg_idx)``: int64 ``[k]`` indices into ``scores``;
        positives from the highest score down, negatives from the lowest
        score up (ties keep their original order, a stable sort).
    """
    scores, valid = _valid_scores(scores)
    if invalid_value is not None:
        valid &= scores != invalid_value
    if not num_or_ratio > 0:
        raise BoundarySearchError(
            f'num_or_ratio must be > 0, got {num_or_ratio}; use a ratio in '
            f'(0, 1] or a count above 1')
    kept = np.flatnonzero(valid)
    if num_or_ratio <= 1:
        k = int(math.floor(num_or_ratio * kept.size))
    else:
        k = int(num_or_ratio)
    k = min(k, kept.size // 2)
    # Stable descending sort: negate instead of reversing an ascending one.
    order = kept[np.argsort(-scores[kept], kind='stable')]
    pos = order[:k].astype(np.int64)
    neg = order[order.size - k:][::-1].astype(np.int64)
    return pos, neg


def _check_codes(codes, num_scores: int) -> np.ndarray:
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[0] != num_scores:
        raise BoundarySearchError(
            f'codes must have shape [M, d] with M = {num_scores} (one row '
            f'per score), got {tuple(codes.shape)}')
    if not np.issubdtype(codes.dtype, np.number):
        raise BoundarySearchError(
            f'codes must be numbers, got dtype {codes.dtype}')
    return codes


def train_boundary(codes, scores, num_or_ratio=0.02, split=0.7, svm=None,
                   invalid_value=None, seed=0) -> BoundaryFit:
    """Fit an InterFaceGAN boundary: linear SVM on the score extremes.

    Args:
        codes: ``[M, d]`` latent codes (z or w).
        scores: ``[M]`` (or ``[M, 1]``) attribute scores of those codes.
        num_or_ratio: extremes per side, see :func:`select_extremes`.
        split: fraction of each class used for training, in (0, 1).
        svm: keyword overrides for ``sklearn.svm.SVC`` (default
            ``kernel='linear', C=1.0``); the kernel must stay linear.
        invalid_value: score marking unscored codes (never used).
        seed: seed of the per-class shuffles (numpy Generator).

    Returns:
        A :class:`BoundaryFit`; labels are 1 = top, 0 = bottom. Remaining
        codes are labelled 1 when score >= (max + min) / 2 of the valid
        scores, as the official code does.

    Raises:
        BoundarySearchError: bad shapes, a constant score, too few codes
            for a train and a validation sample per class, a non-linear
            kernel.
    """
    from sklearn.svm import SVC  # heavy import, only when fitting

    scores, valid = _valid_scores(scores)
    codes = _check_codes(codes, scores.shape[0])
    if invalid_value is not None:
        valid &= scores != invalid_value
    if not 0 < split < 1:
        raise BoundarySearchError(
            f'split must lie in (0, 1), got {split}; 0.7 is the default')
    kwargs = dict(kernel='linear', C=1.0)
    kwargs.update(svm or {})
    if kwargs['kernel'] != 'linear':
        raise BoundarySearchError(
            f"svm kernel must be 'linear' (a boundary needs a normal), got "
            f"{kwargs['kernel']!r}")
    valid_scores = scores[valid]
    if valid_scores.size and valid_scores.max() == valid_scores.min():
        raise BoundarySearchError(
            f'all {valid_scores.size} valid scores equal '
            f'{valid_scores.max()}: the predictor does not separate the '
            f'codes; check the attribute index or the predictor')
    pos, neg = select_extremes(scores, num_or_ratio, invalid_value)
    k = pos.size
    num_train = int(math.floor(k * split))
    if num_train < 1 or k - num_train < 1:
        raise BoundarySearchError(
            f'{k} codes per side ({valid_scores.size} valid scores, '
            f'num_or_ratio={num_or_ratio}, split={split}) leave no training '
            f'or no validation code; sample more codes or raise '
            f'num_or_ratio')
    if not np.isfinite(codes[valid]).all():
        raise BoundarySearchError('codes hold NaN or inf values')

    rng = np.random.default_rng(seed)
    pos = pos[rng.permutation(k)]
    neg = neg[rng.permutation(k)]
    train_idx = np.concatenate([pos[:num_train], neg[:num_train]])
    val_idx = np.concatenate([pos[num_train:], neg[num_train:]])
    train_label = np.repeat([1, 0], num_train)
    val_label = np.repeat([1, 0], k - num_train)

    classifier = SVC(**kwargs).fit(codes[train_idx], train_label)
    coef = np.asarray(classifier.coef_, dtype=np.float64).reshape(-1)
    bias = float(classifier.intercept_[0])

    def predict(idx):
        # Same rule as classifier.predict (decision > 0 -> label 1) from the
        # primal weights: O(d) per code instead of one kernel evaluation
        # per support vector, which matters for 500K remaining codes.
        return (codes[idx].astype(np.float64) @ coef + bias > 0).astype(
            np.int64)

    val_acc = float(np.mean(predict(val_idx) == val_label))

    selected = np.zeros(scores.shape[0], dtype=bool)
    selected[pos] = selected[neg] = True
    remaining = np.flatnonzero(valid & ~selected)
    remaining_acc = None
    if remaining.size:
        midpoint = (valid_scores.max() + valid_scores.min()) / 2
        label = (scores[remaining] >= midpoint).astype(np.int64)
        remaining_acc = float(np.mean(predict(remaining) == label))

    norm = float(np.linalg.norm(coef))
    if norm == 0:
        raise BoundarySearchError(
            'the SVM found no direction (zero weights): the selected codes '
            'are not separable by their scores')
    return BoundaryFit(
        normal=(coef / norm).astype(np.float32).reshape(1, -1),
        val_acc=val_acc,
        remaining_acc=remaining_acc, num_pos=int(k), num_neg=int(k),
        num_train=2 * num_train, num_val=2 * (k - num_train),
        num_remaining=int(remaining.size),
        intercept=bias / norm)


def train_layerwise_boundaries(wp, scores, **kwargs) -> List[BoundaryFit]:
    """One independent boundary per W+ layer (HiGAN's per-layer mode).

    Args:
        wp: ``[M, L, d]`` layer-wise codes.
        scores: ``[M]`` scores.
        **kwargs: as :func:`train_boundary` (the same seed for every layer,
            so every layer sees the same train/validation split).

    Returns:
        ``L`` fits, layer 0 first.
    """
    wp = np.asarray(wp)
    if wp.ndim != 3:
        raise BoundarySearchError(
            f'wp must have shape [M, L, d], got {tuple(wp.shape)}; use '
            f'train_boundary for [M, d] codes')
    return [train_boundary(wp[:, layer], scores, **kwargs)
            for layer in range(wp.shape[1])]

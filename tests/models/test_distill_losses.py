"""Distillation losses against hand-computed values."""
import math

import pytest
import torch

from gankd.models.losses import FeatureMSELoss, KLDivergenceLoss
from gankd.registry import MODELS

# Teacher probabilities [3/4, 1/4], student [1/2, 1/2] at tau = 1.
KL_HAND = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)


def _logits(tau=1.0):
    student = torch.zeros(1, 2)
    teacher = torch.tensor([[math.log(3.0), 0.0]]) * tau
    return student, teacher


def test_kl_two_class_by_hand():
    student, teacher = _logits()
    loss = KLDivergenceLoss(tau=1.0)(student, teacher)
    assert loss.item() == pytest.approx(KL_HAND, rel=1e-6)


def test_kl_tau_squared_scaling_and_weight():
    # Logits scaled by tau give the same softened distributions, so the
    # only change is the tau^2 factor.
    student, teacher = _logits(tau=4.0)
    loss = KLDivergenceLoss(tau=4.0, loss_weight=0.5)(student, teacher)
    assert loss.item() == pytest.approx(0.5 * 16 * KL_HAND, rel=1e-6)


def test_kl_batchmean_divides_by_batch_only():
    # Second sample identical for teacher and student: contributes 0, the
    # mean is over N = 2 samples (not N * K = 4 elements).
    student = torch.tensor([[0.0, 0.0], [1.0, -2.0]])
    teacher = torch.tensor([[math.log(3.0), 0.0], [1.0, -2.0]])
    loss = KLDivergenceLoss(tau=1.0)(student, teacher)
    assert loss.item() == pytest.approx(KL_HAND / 2, rel=1e-6)


def test_kl_identical_is_zero():
    logits = torch.randn(5, 10)
    assert KLDivergenceLoss()(logits, logits.clone()).item() == \
        pytest.approx(0.0, abs=1e-7)


def test_kl_gradient_student_only_and_value():
    student, teacher = _logits(tau=2.0)
    student.requires_grad_(True)
    teacher.requires_grad_(True)
    KLDivergenceLoss(tau=2.0)(student, teacher).backward()
    assert teacher.grad is None
    # d/ds [tau^2 KL / N] = tau * (p_s - p_t) / N
    expected = 2.0 * (torch.tensor([[0.5, 0.5]]) - torch.tensor([[0.75,
                                                                 0.25]]))
    torch.testing.assert_close(student.grad, expected)


def test_kl_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r'\[N, K\]'):
        KLDivergenceLoss()(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError):
        KLDivergenceLoss(tau=0)


def test_mse_by_hand():
    teacher = torch.tensor([1.0, 2.0, 3.0, 4.0]).view(1, 1, 2, 2)
    student = torch.zeros_like(teacher)
    assert FeatureMSELoss()(student, teacher).item() == pytest.approx(7.5)
    assert FeatureMSELoss(loss_weight=2.0)(student, teacher).item() == \
        pytest.approx(15.0)
    # var(teacher) over all elements = 1.25 -> 7.5 / 1.25
    normalized = FeatureMSELoss(normalize=True)(student, teacher).item()
    assert normalized == pytest.approx(6.0, rel=1e-5)


def test_mse_normalized_is_scale_invariant():
    student, teacher = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    loss = FeatureMSELoss(normalize=True)
    assert loss(10 * student, 10 * teacher).item() == pytest.approx(
        loss(student, teacher).item(), rel=1e-4)


def test_mse_identical_zero_gradient_student_only():
    teacher = torch.randn(2, 3, 4, 4, requires_grad=True)
    student = teacher.detach().clone().requires_grad_(True)
    loss = FeatureMSELoss(normalize=True)(student, teacher)
    assert loss.item() == 0.0
    (FeatureMSELoss()(student * 2, teacher)).backward()
    assert teacher.grad is None
    # d/ds mean((2s - t)^2) = 4 (2s - t) / numel = 4 s / numel
    torch.testing.assert_close(student.grad, 4 * student.detach() / 96)


def test_mse_shape_mismatch_names_connector():
    with pytest.raises(ValueError, match='ConvBNConnector'):
        FeatureMSELoss()(torch.zeros(1, 2, 4, 4), torch.zeros(1, 3, 4, 4))


@pytest.mark.parametrize('cfg', [
    dict(type='KLDivergenceLoss', tau=2.0),
    dict(type='gankd.FeatureMSELoss', normalize=True),
])
def test_losses_build_from_registry(cfg):
    loss = MODELS.build(cfg)
    assert type(loss).__name__ == cfg['type'].rpartition('.')[2]

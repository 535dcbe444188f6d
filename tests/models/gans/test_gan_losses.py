"""The GAN objectives against hand computations."""
import math

import pytest
import torch

from gankd.models.gans import (disc_logistic_loss, ema_momentum,
                               gen_nonsaturating_loss, path_lengths,
                               r1_penalty)


def softplus(x):
    return math.log1p(math.exp(x))


def test_logistic_losses_hand_values():
    real = torch.tensor([[2.0], [-1.0]])
    fake = torch.tensor([[0.5], [-3.0]])
    losses = disc_logistic_loss(real, fake)
    # D wants real scores high: softplus(-s) is small for large s.
    assert losses['loss_real'].item() == pytest.approx(
        (softplus(-2.0) + softplus(1.0)) / 2, rel=1e-6)
    assert losses['loss_fake'].item() == pytest.approx(
        (softplus(0.5) + softplus(-3.0)) / 2, rel=1e-6)
    assert gen_nonsaturating_loss(fake).item() == pytest.approx(
        (softplus(-0.5) + softplus(3.0)) / 2, rel=1e-6)
    # Signs: a D that is right has a smaller loss than one that is wrong.
    right = disc_logistic_loss(torch.tensor([[3.0]]), torch.tensor([[-3.0]]))
    wrong = disc_logistic_loss(torch.tensor([[-3.0]]), torch.tensor([[3.0]]))
    assert sum(right.values()) < sum(wrong.values())


def test_r1_penalty_linear_d_is_squared_weight_norm():
    torch.manual_seed(0)
    v = torch.randn(12)
    images = torch.randn(5, 3, 2, 2, requires_grad=True)
    scores = (images.flatten(1) @ v)[:, None] + 0.7
    assert r1_penalty(scores, images).item() == pytest.approx(
        v.square().sum().item(), rel=1e-6)


def test_r1_penalty_on_feature_vectors():
    # Rank-2 inputs (FaceFeat-GAN's feature discriminators): the squared
    # gradient norm over the feature dimension, here ||v||^2 * 4 for
    # scores 2 v.f.
    torch.manual_seed(0)
    v = torch.randn(5)
    features = torch.randn(7, 5, requires_grad=True)
    scores = 2 * (features @ v)[:, None]
    assert r1_penalty(scores, features).item() == pytest.approx(
        4 * v.square().sum().item(), rel=1e-6)


def test_r1_penalty_equals_per_sample_gradients():
    torch.manual_seed(0)
    w1, w2 = torch.randn(12, 6), torch.randn(6, 1)

    def d(x):
        return torch.tanh(x.flatten(1) @ w1) @ w2

    images = torch.randn(4, 3, 2, 2, requires_grad=True)
    batched = r1_penalty(d(images), images)
    expected = []
    for image in images.detach():
        one = image[None].clone().requires_grad_(True)
        grad, = torch.autograd.grad(d(one).sum(), one)
        expected.append(grad.square().sum())
    assert batched.item() == pytest.approx(
        torch.stack(expected).mean().item(), rel=1e-5)
    assert batched.requires_grad  # it trains D (create_graph)


def test_path_lengths_of_a_linear_generator():
    # image = codes @ A (per layer A_l): d(image . y)/d codes_l = A_l y.
    torch.manual_seed(0)
    a = torch.randn(3, 4, 12)  # [L, D, pixels]
    codes = torch.randn(2, 3, 4, requires_grad=True)
    images = torch.einsum('nld,ldp->np', codes, a).view(2, 3, 2, 2)
    noise = torch.randn(2, 3, 2, 2)
    lengths = path_lengths(images, codes, noise)
    grad = torch.einsum('ldp,np->nld', a, noise.flatten(1))  # [N, L, D]
    expected = grad.square().sum(2).mean(1).sqrt()
    torch.testing.assert_close(lengths, expected)


def test_ema_momentum_from_half_life():
    # 4 images per step, half-life 4 images: half forgotten per step.
    assert ema_momentum(4, 0.004) == pytest.approx(0.5)
    # StyleGAN2 config F: batch 32, 10 kimg -> beta = 0.5 ** (32 / 10000).
    assert ema_momentum(32, 10.0) == pytest.approx(1 - 0.5**0.0032)
    # Half-life after k steps of momentum m: (1 - m) ** k = 0.5.
    m = ema_momentum(8, 0.4)
    assert (1 - m)**50 == pytest.approx(0.5)
    # Ramp-up: the half-life is at most images_seen * rampup.
    assert ema_momentum(4, 10.0, num_images=40, rampup=0.1) == \
        pytest.approx(0.5)
    assert ema_momentum(4, 0.004, num_images=10**6, rampup=0.1) == \
        pytest.approx(0.5)

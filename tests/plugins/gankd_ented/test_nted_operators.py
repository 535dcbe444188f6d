"""NTED's operators and attention-reconstruction loss: the contracts and
exact cases of the ENTED spec, section 6 (items 1, 2 and 8)."""
import math

import pytest
import torch
from gankd_ented.attention_reconstruction import (
    AttentionReconstructionLoss, attention_reconstruction)
from gankd_ented.nted_operators import (DistributionOperation,
                                        ExtractionOperation, feature_norm)


def identity_value_conv(op):
    """Make ``value_conv`` the identity (1x1 kernel, zero bias)."""
    conv = op.value_conv
    with torch.no_grad():
        conv.weight.zero_()
        c = conv.weight.shape[0]
        conv.weight[torch.arange(c), torch.arange(c), 0, 0] = \
            1 / conv.weight_scale
        conv.bias.zero_()


def test_feature_norm_is_zero_mean_unit_norm_and_zero_on_flat_positions():
    x = torch.randn(2, 6, 3, 3)
    x[1, :, 2, 2] = 4.0  # every channel equal at this position
    out = feature_norm(x)
    assert torch.equal(out[1, :, 2, 2], torch.zeros(6))  # 0, not NaN
    mask = torch.ones(2, 3, 3, dtype=torch.bool)
    mask[1, 2, 2] = False
    assert torch.allclose(out.mean(1)[mask], torch.zeros(()), atol=1e-6)
    assert torch.allclose(out.norm(dim=1)[mask], torch.ones(()), atol=1e-6)


def test_extraction_attention_sums_to_one_over_positions():
    torch.manual_seed(0)
    op = ExtractionOperation(8, num_labels=4, match_kernel=3)
    textures, attention = op(torch.randn(2, 8, 5, 5))
    assert textures.shape == (2, 8, 4)  # C x N
    assert attention.shape == (2, 4, 25)
    assert torch.allclose(attention.sum(-1), torch.ones(2, 4), atol=1e-6)
    assert (attention > 0).all()


def test_uniform_extraction_gives_each_label_the_mean_feature():
    torch.manual_seed(1)
    op = ExtractionOperation(6, num_labels=3, match_kernel=1)
    identity_value_conv(op)
    with torch.no_grad():
        op.extraction_filter.weight.zero_()  # equal logits: A_e = 1 / M
    features = torch.randn(2, 6, 4, 4)
    textures, attention = op(features)
    assert torch.allclose(attention, torch.full_like(attention, 1 / 16))
    mean = features.mean(dim=(2, 3))
    for k in range(3):
        assert torch.allclose(textures[..., k], mean, atol=1e-6)


def test_distribution_sums_to_one_over_labels_and_q0_gives_uniform_mix():
    torch.manual_seed(2)
    op = DistributionOperation(8, num_labels=5, match_kernel=3)
    textures = torch.randn(2, 8, 5)
    out, logits = op.distribute(torch.randn(2, 8, 4, 4), textures)
    assignment = logits.flatten(2).softmax(dim=1)
    assert torch.allclose(assignment.sum(1), torch.ones(2, 16), atol=1e-6)
    # Q = 0 and a zero-initialised filter bias: every label weighs 1 / K
    zero = torch.zeros(2, 8, 4, 4)
    out, logits = op.distribute(zero, textures)
    assert torch.equal(logits, torch.zeros_like(logits))
    uniform = textures.mean(-1)[..., None, None].expand(-1, -1, 4, 4)
    assert torch.allclose(out, uniform, atol=1e-6)
    mixed, _ = op(zero, textures)  # the layer output before activation
    assert torch.allclose(mixed, uniform / math.sqrt(2), atol=1e-6)


def test_distribution_copies_the_selected_labels_texture():
    op = DistributionOperation(4, num_labels=3, match_kernel=1)
    textures = torch.randn(1, 4, 3)
    with torch.no_grad():
        op.distribution_filter.weight.zero_()
        op.distribution_filter.bias.copy_(torch.tensor([0.0, 80.0, 0.0]))
    out, _ = op.distribute(torch.randn(1, 4, 2, 2), textures)
    assert torch.allclose(out, textures[..., 1, None, None].expand(
        -1, -1, 2, 2), atol=1e-6)


def test_one_hot_attentions_reconstruct_the_colour_at_p_everywhere():
    image = torch.rand(1, 3, 4, 4)
    k, p = 2, 9  # label 2 reads position 9 = (row 2, column 1)
    extraction = torch.zeros(1, 4, 16)
    extraction[0, :, 0] = 1.0  # the other labels read position 0
    extraction[0, k] = 0.0
    extraction[0, k, p] = 1.0
    logits = torch.zeros(1, 4, 4, 4)
    logits[0, k] = 100.0  # A_d selects label k everywhere
    out = attention_reconstruction(image, extraction, logits)
    expected = image[0, :, 2, 1][:, None, None].expand(3, 4, 4)
    assert torch.allclose(out[0], expected, atol=1e-6)


def test_loss_weights_pairs_by_height_and_trains_attentions_only():
    reference = torch.zeros(1, 3, 8, 8)
    reference[..., :4, :4] = 0.8  # a = 0.8 top-left, b = 0 elsewhere
    target = torch.full((1, 3, 8, 8), 0.3)
    # K = 1: A_d is 1 everywhere; A_e one-hot at position 0 (value a at
    # 4x4, nearest) and at the last position (value b at 2x2)
    ext4 = torch.zeros(1, 1, 16)
    ext4[..., 0] = 1.0
    ext2 = torch.zeros(1, 1, 4, requires_grad=True)
    ext2_hot = ext2 + torch.tensor([0.0, 0.0, 0.0, 1.0])
    logits = [torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 2, 2)]
    loss = AttentionReconstructionLoss(weights={4: 1.0, 2: 3.0},
                                       loss_weight=15.0)
    reference.requires_grad_(True)
    value = loss(reference, target, [ext4, ext2_hot], logits)
    expected = 15.0 * (1.0 * abs(0.8 - 0.3) + 3.0 * abs(0.0 - 0.3)) / 4.0
    assert value.item() == pytest.approx(expected, rel=1e-6)
    value.backward()
    assert reference.grad is None  # images are detached, as in NTED
    assert ext2.grad is not None and ext2.grad.abs().sum() > 0
    default = AttentionReconstructionLoss()(reference, target, [ext4],
                                            logits[:1])
    assert default.item() == pytest.approx(15.0 * 0.5, rel=1e-6)
    with pytest.raises(KeyError, match='height 2'):
        AttentionReconstructionLoss(weights={4: 1.0})(
            reference, target, [ext2_hot], logits[1:])


def test_same_seed_same_operators_and_outputs():
    def build(seed):
        torch.manual_seed(seed)
        return (ExtractionOperation(8, 4), DistributionOperation(8, 4))

    x = torch.randn(2, 8, 6, 6)
    (e1, d1), (e2, d2), (e3, _) = build(5), build(5), build(6)
    t1, _ = e1(x)
    t2, _ = e2(x)
    assert torch.equal(t1, t2)
    assert torch.equal(d1(x, t1)[0], d2(x, t2)[0])
    assert not torch.equal(e3(x)[0], t1)

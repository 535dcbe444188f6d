"""ENTED's code-word replacement and gated residual: spec section 6,
items 3 (VQ) and 4 (gate at zero), and 8 (determinism)."""
import pytest
import torch
from gankd_ented.gated_residual import GatedResidual
from gankd_ented.vector_quantizer import VectorQuantizer


def quantizer(seed=0, **kwargs):
    torch.manual_seed(seed)
    kwargs = dict(dict(channels=16, num_codes=64, dim=8), **kwargs)
    vq = VectorQuantizer(**kwargs)
    with torch.no_grad():  # spread codes so assignments are non-trivial
        vq.codebook.normal_()
    return vq


def test_codes_are_exact_codebook_rows_of_the_nearest_entries():
    vq = quantizer()
    out = vq(torch.randn(2, 16, 4, 4))
    codes = out['codes'].permute(0, 2, 3, 1).reshape(-1, 8)
    assert torch.equal(codes, vq.codebook[out['indices'].flatten()])
    features = torch.randn(2, 16, 4, 4)
    out = vq(features)
    with torch.no_grad():
        flat = vq.project_in(features).permute(0, 2, 3, 1).reshape(-1, 8)
    brute = torch.cdist(flat, vq.codebook).argmin(1)
    assert torch.equal(out['indices'].flatten(), brute)
    assert out['quantized'].shape == (2, 16, 4, 4)


def test_straight_through_passes_the_gradient_to_the_encoder_unchanged():
    vq = quantizer()
    features = torch.randn(2, 16, 3, 3, requires_grad=True)
    out = vq(features)
    upstream = torch.randn_like(out['codes'])
    (out['codes'] * upstream).sum().backward()
    # d codes / d z = identity: the input projection's bias sees the
    # upstream gradient summed over batch and positions
    assert torch.allclose(vq.project_in.bias.grad, upstream.sum((0, 2, 3)),
                          atol=1e-5)
    assert features.grad is not None and features.grad.abs().sum() > 0
    assert vq.codebook.grad is None  # only L_vq trains the dictionary


def test_vq_loss_is_finite_with_the_vq_vae_value():
    vq = quantizer(beta=0.25)
    features = torch.randn(2, 16, 3, 3)
    out = vq(features)
    with torch.no_grad():
        flat = vq.project_in(features).permute(0, 2, 3, 1).reshape(-1, 8)
    gap = (flat - vq.codebook[out['indices'].flatten()]).pow(2).mean()
    assert torch.isfinite(out['loss'])
    # the codebook term and beta x the commitment term have one value
    assert out['loss'].item() == pytest.approx(1.25 * gap.item(), rel=1e-5)
    out['loss'].backward()
    assert vq.codebook.grad.abs().sum() > 0


def test_frozen_and_ema_dictionaries():
    frozen = quantizer(frozen=True)
    assert not frozen.codebook.requires_grad
    ema = quantizer(ema=True, decay=0.0, eps=0.0)
    features = torch.randn(2, 16, 4, 4)
    out = ema(features)
    with torch.no_grad():
        flat = ema.project_in(features).permute(0, 2, 3, 1).reshape(-1, 8)
    # decay 0: each used code becomes the mean of the vectors it took
    index = out['indices'].flatten()[0]
    members = flat[out['indices'].flatten() == index]
    assert torch.allclose(ema.codebook[index], members.mean(0), atol=1e-5)
    usage = ema.usage(out['indices'])
    assert usage.shape == (64, ) and usage.sum() == 32
    assert usage[index] == len(members)


def test_trained_codes_are_stable_under_small_noise():
    torch.manual_seed(0)
    centres = torch.randn(8, 16) * 3
    vq = quantizer(num_codes=64, dim=8)
    optim = torch.optim.Adam(vq.parameters(), lr=0.01)
    for _ in range(150):
        pick = torch.randint(0, 8, (64, ))
        features = (centres[pick] + 0.3 * torch.randn(64, 16))[..., None,
                                                               None]
        out = vq(features)
        loss = out['loss'] + (out['quantized'] - features).pow(2).mean()
        optim.zero_grad()
        loss.backward()
        optim.step()
    vq.eval()
    features = (centres.repeat(32, 1) + 0.3 * torch.randn(256, 16))[
        ..., None, None]
    with torch.no_grad():
        before = vq(features)['indices']
        after = vq(features + 1e-3 * torch.randn_like(features))['indices']
    assert (before == after).float().mean() >= 0.95


def test_gate_at_zero_ignores_the_residual_branch():
    torch.manual_seed(0)
    gated = GatedResidual(6, 'gated')
    q, s = torch.randn(2, 6, 3, 3), torch.randn(2, 6, 3, 3)
    assert torch.equal(gated(q, s), gated(q, 10 * s + 1))
    assert torch.equal(gated(q, s), q)
    s.requires_grad_(True)
    gated(q, s).sum().backward()
    # the gate still learns: d out / d g = sum of the skip branch
    assert torch.allclose(gated.gate.grad, s.detach().sum((0, 2, 3)))
    none = GatedResidual(6, 'none')
    frozen = GatedResidual(6, 'gated')
    frozen.gate.requires_grad_(False)
    assert torch.equal(none(q, s), frozen(q, s))
    assert torch.equal(GatedResidual(6, 'add')(q, s), q + s)
    with pytest.raises(ValueError, match='residual='):
        GatedResidual(6, 'concat')


def test_same_seed_same_quantizer():
    features = torch.randn(2, 16, 3, 3)
    a, b, c = quantizer(3)(features), quantizer(3)(features), \
        quantizer(4)(features)
    assert torch.equal(a['quantized'], b['quantized'])
    assert torch.equal(a['indices'], b['indices'])
    assert not torch.equal(a['quantized'], c['quantized'])

"""Re-scoring: a reference computation on a stub, the toy-generator checks of
higan.md §6 (items 2, 3, 5, 7), batching and errors."""
import numpy as np
import pytest
import torch
from torch import nn

from gankd.kinds import BaseGenerator
from gankd.utils.layer_specs import layer_strength
from gankd_higan.layer_selection import select_layers
from gankd_higan.rescoring import RescoreError, rescore


class StubGenerator(BaseGenerator):
    """wp ``[N, 2, 3]`` -> ``[N, 3, 2, 1]`` image holding the codes as is."""

    num_layers = 2
    w_dim = 3
    z_dim = 3
    resolution = 2
    latent_spaces = ('z', 'w', 'wp')

    def __init__(self):
        super().__init__()
        self.calls = []

    def synthesize(self, codes, space='wp', noise_mode='const'):
        self.calls.append(int(codes.shape[0]))
        return codes.transpose(1, 2)[..., None].contiguous()


class StubScorer(nn.Module):
    """Scores: wp[0, 0], wp[0, 0]², wp[1, 2] - wp[0, 1]."""

    names = ('lin', 'square', 'mix')

    def forward(self, images):
        codes = images[..., 0].transpose(1, 2)  # [N, L, d]
        return torch.stack([
            codes[:, 0, 0], codes[:, 0, 0]**2,
            codes[:, 1, 2] - codes[:, 0, 1]
        ], dim=1)


def reference(wp, boundaries, groups, step, strength, clip):
    """Plain numpy ΔS ``[G, B, S]``, one code at a time; ``clip``: True
    averages max(Δ, 0), False Δ, 'abs' |Δ|."""

    def score(code):
        return np.array([code[0, 0], code[0, 0]**2, code[1, 2] - code[0, 1]])

    out = np.zeros((len(groups), len(boundaries), 3))
    for g, layers in enumerate(groups):
        for b, bnd in enumerate(boundaries):
            for code in wp:
                edited = code.copy()
                for layer in layers:
                    direction = bnd if bnd.ndim == 1 else bnd[layer]
                    edited[layer] += step * strength[layer] * direction
                diff = score(edited) - score(code)
                if clip == 'abs':
                    diff = np.abs(diff)
                out[g, b] += np.maximum(diff, 0) if clip is True else diff
    return out / len(wp)


@pytest.fixture
def stub_data():
    rng = np.random.default_rng(0)
    wp = rng.standard_normal((7, 2, 3)).astype(np.float32)
    bnd = rng.standard_normal((2, 3))
    return wp, bnd / np.linalg.norm(bnd, axis=1, keepdims=True)


@pytest.mark.parametrize('clip', [True, False])
@pytest.mark.parametrize('strength', [None, [0.5, 1.0]])
def test_matches_reference_on_stub(stub_data, clip, strength):
    wp, bnd = stub_data
    out = rescore(StubGenerator(), StubScorer(), wp, bnd, step=1.5,
                  strength=strength, clip_negative=clip, batch_size=3)
    groups = [[0, 1], [0], [1]]
    assert out['groups'] == groups
    assert out['names'] == ['lin', 'square', 'mix']
    assert out['num_samples'] == 7
    svec = np.ones(2) if strength is None else np.array(strength)
    expected = reference(wp.astype(np.float64), bnd, groups, 1.5, svec, clip)
    np.testing.assert_allclose(out['delta_pos'], expected, atol=2e-6)
    np.testing.assert_allclose(
        out['delta_mean'], reference(wp.astype(np.float64), bnd, groups, 1.5,
                                     svec, False), atol=2e-6)
    np.testing.assert_allclose(
        out['delta_abs'], reference(wp.astype(np.float64), bnd, groups, 1.5,
                                    svec, 'abs'), atol=2e-6)
    # 'lin' is linear: its mean change is step * s * n[0] on layer 0.
    np.testing.assert_allclose(out['delta_mean'][0, :, 0],
                               1.5 * svec[0] * bnd[:, 0], atol=1e-6)


def test_per_layer_boundaries_and_groups(stub_data):
    wp, _ = stub_data
    rng = np.random.default_rng(1)
    bnd = rng.standard_normal((3, 2, 3))
    out = rescore(StubGenerator(), StubScorer(), wp, torch.from_numpy(bnd),
                  step=-2.0, layer_groups=[[1], '0-1'])
    groups = [[0, 1], [1], [0, 1]]
    assert out['groups'] == groups
    np.testing.assert_allclose(
        out['delta_pos'],
        reference(wp.astype(np.float64), bnd, groups, -2.0, np.ones(2),
                  True), atol=2e-6)


def test_batching_one_call_per_group_and_progress(stub_data):
    wp, bnd = stub_data
    gen, seen = StubGenerator(), []
    out = rescore(gen, StubScorer(), wp, bnd, batch_size=3,
                  progress=lambda done, total: seen.append((done, total)))
    # 3 groups, B = 2: per code batch one original call, then one call of
    # batch * B images per group.
    assert gen.calls == [3, 6, 6, 6, 3, 6, 6, 6, 1, 2, 2, 2]
    total = 7 * (1 + 3 * 2)
    assert all(t == total for _, t in seen)
    assert [d for d, _ in seen] == list(np.cumsum(gen.calls))
    assert seen[-1][0] == total
    whole = rescore(StubGenerator(), StubScorer(), wp, bnd, batch_size=64)
    np.testing.assert_allclose(out['delta_pos'], whole['delta_pos'],
                               rtol=0, atol=1e-12)


def test_restores_training_flags(stub_data):
    wp, bnd = stub_data
    gen, scorer = StubGenerator(), StubScorer()
    gen.train()
    scorer.eval()
    rescore(gen, scorer, wp, bnd)
    assert gen.training and not scorer.training


def test_rescore_sanity_on_toy(toy_generator, toy_scorer, toy_wp, toy):
    """higan.md §6 item 2: ΔS >= 0 always; λ = 0 gives 0; a predictor that
    ignores the image gives 0."""
    bnd = torch.stack([toy_generator.true_direction(n)
                       for n in ('layout', 'object', 'colour')])
    out = rescore(toy_generator, toy_scorer, toy_wp, bnd, step=-2.0,
                  batch_size=16)
    assert out['delta_pos'].shape == (7, 3, 5)
    assert (out['delta_pos'] >= 0).all()
    assert (out['delta_pos'] >= out['delta_mean'] - 1e-12).all()
    # Pushing down (λ < 0) lowers each own score: mean change < 0 globally.
    assert (np.diag(out['delta_mean'][0]) < -0.1).all()
    const = toy.SEMANTICS.index('constant')
    assert (out['delta_pos'][..., const] == 0).all()
    zero = rescore(toy_generator, toy_scorer, toy_wp, bnd, step=0.0)
    assert (zero['delta_pos'] == 0).all() and (zero['delta_mean'] == 0).all()


def test_layerwise_hierarchy_on_toy(toy_generator, toy_scorer, toy_wp,
                                    toy):
    """higan.md §6 item 3: each semantic peaks on its own layers and stays
    below 10 % of the peak elsewhere; select_layers finds the owners."""
    names = ('layout', 'object', 'colour')
    bnd = torch.stack([toy_generator.true_direction(n) for n in names])
    out = rescore(toy_generator, toy_scorer, toy_wp, bnd, step=2.0,
                  batch_size=32)
    layers = out['delta_pos'][1:]  # [L, B, S]
    for b, name in enumerate(names):
        delta = layers[:, b, b]
        owners = (0, 1) if name == 'layout' else (2, 3) if name == 'object' \
            else (4, 5)
        assert int(np.argmax(delta)) in owners
        others = [i for i in range(6) if i not in owners]
        assert delta[others].max() < 0.1 * delta.max()
        # The leaking layer does move the score (a signed, small change).
        leak = out['delta_mean'][1 + toy.LEAKS[name], b, b]
        assert 0 < abs(leak) < 0.1 * delta.max()
        assert select_layers(delta, 0.5) == list(owners)


def test_truncated_codes_with_strength_match_w_edit(toy_generator,
                                                    toy_scorer, toy):
    """higan.md §6 item 5 through rescore: truncated codes pushed with
    strength 'truncation' score as the truncated image of the edited w."""
    gen, psi, trunc, step = toy_generator, 0.7, 3, 2.0
    z = gen.sample_z(16, torch.Generator().manual_seed(5))
    w = gen.mapping(z)['w']
    normal = gen.true_direction('layout')[None]
    out = rescore(gen, toy_scorer, gen.truncate(w, psi, trunc), normal,
                  step=step, layer_groups=[],
                  strength=layer_strength(6, psi, trunc))
    before = toy_scorer(gen.synthesize(gen.truncate(w, psi, trunc)))
    after = toy_scorer(gen.synthesize(gen.truncate(w + step * normal, psi,
                                                   trunc)))
    expected = (after - before).double().clamp_min(0).mean(0).numpy()
    # The distractor is chaotic in the pixels (float rounding flips it).
    keep = [toy.SEMANTICS.index(n) for n in ('layout', 'object', 'colour')]
    np.testing.assert_allclose(out['delta_pos'][0, 0, keep], expected[keep],
                               atol=1e-5)
    assert expected[keep[0]] > 0.3


def test_deterministic_on_toy(toy):
    """higan.md §6 item 7: fixed seed -> identical ΔS matrix."""

    def run():
        gen = toy.ToyLayeredGenerator(seed=2)
        z = gen.sample_z(24, torch.Generator().manual_seed(9))
        wp = gen.mapping(z, 0.7, 2)['wp']
        bnd = torch.randn(2, 16, generator=torch.Generator().manual_seed(8))
        return rescore(gen, toy.ToyScorer(), wp, bnd, batch_size=10,
                       strength=layer_strength(6, 0.7, 2))

    first, second = run(), run()
    assert np.array_equal(first['delta_pos'], second['delta_pos'])
    assert np.array_equal(first['delta_mean'], second['delta_mean'])


@pytest.mark.parametrize('wp_shape, bnd_shape, kwargs, words', [
    ((4, 3, 3), (1, 3), {}, 'wp must be'),
    ((0, 2, 3), (1, 3), {}, 'K >= 1'),
    ((4, 2, 3), (1, 4), {}, 'boundaries must be'),
    ((4, 2, 3), (1, 3, 3), {}, 'boundaries must be'),
    ((4, 2, 3), (0, 3), {}, 'boundaries must be'),
    ((4, 2, 3), (1, 3), dict(batch_size=0), 'batch_size'),
    ((4, 2, 3), (1, 3), dict(strength=[1.0, 1.0, 1.0]), 'strength'),
    ((4, 2, 3), (1, 3), dict(layer_groups=['0-5']), '0-1'),
    ((4, 2, 3), (1, 3), dict(step=float('nan')), 'step'),
])
def test_errors(wp_shape, bnd_shape, kwargs, words):
    with pytest.raises(ValueError, match=words):
        rescore(StubGenerator(), StubScorer(), np.ones(wp_shape),
                np.ones(bnd_shape), **kwargs)


def test_scorer_shape_error(stub_data):
    wp, bnd = stub_data

    class Bad(StubScorer):
        names = ('lin', 'square')

    with pytest.raises(RescoreError, match=r'\[N, 2\]'):
        rescore(StubGenerator(), Bad(), wp, bnd)

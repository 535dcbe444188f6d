"""The toy generator honours the BaseGenerator contract and its scorer
reads back the semantics it encodes."""
import numpy as np
import pytest
import torch

from gankd.kinds import BaseGenerator, kind_of


def test_contract(toy_generator):
    gen = toy_generator
    assert isinstance(gen, BaseGenerator) and kind_of(gen) == 'generator'
    assert gen.latent_spaces == ('z', 'w', 'wp')
    assert (gen.num_layers, gen.w_dim, gen.resolution) == (6, 16, 32)
    z = gen.sample_z(5, torch.Generator().manual_seed(0))
    out = gen(z, truncation_psi=0.7, truncation_layers=2)
    assert out['image'].shape == (5, 3, 32, 32)
    assert out['image'].abs().max() <= 1.0
    torch.testing.assert_close(out['w'], z)
    # genforce truncation: w_avg + psi (w - w_avg) on layers < 2 only.
    torch.testing.assert_close(
        out['wp'][:, 0], gen.w_avg + 0.7 * (z - gen.w_avg))
    torch.testing.assert_close(out['wp'][:, 2:], z[:, None].expand(-1, 4, -1))
    torch.testing.assert_close(gen.truncate(z, 0.7, 2), out['wp'])
    torch.testing.assert_close(gen.truncate(out['wp'], 1.0, 2), out['wp'])
    # The three spaces render the same image for un-truncated codes.
    image = gen.synthesize(z, space='z')
    torch.testing.assert_close(gen.synthesize(z, space='w'), image)
    torch.testing.assert_close(gen.synthesize(gen.mapping(z)['wp']), image)
    assert gen.layer_names()[5] == 'synthesis.layer5'
    with pytest.raises(ValueError, match='noise_mode'):
        gen.synthesize(z, space='w', noise_mode='fresh')


def test_scorer_reads_back_semantics(toy_generator, toy, toy_wp):
    """Each encoded score is strictly increasing in its semantic's value,
    the constant is constant, and each semantic owns its layers."""
    scores = toy.ToyScorer()(toy_generator.synthesize(toy_wp)).numpy()
    values = toy_generator.semantic_values(toy_wp)
    for name in toy.OWNERS:
        col = scores[:, toy.SEMANTICS.index(name)]
        order = np.argsort(values[name].numpy())
        assert np.all(np.diff(col[order]) > 0), name
    assert np.all(scores[:, toy.SEMANTICS.index('constant')] == 0.5)
    # Moving a layer changes only the semantics that read it.
    moved = toy_wp.clone()
    moved[:, 4] += 1.0
    after = toy_generator.semantic_values(moved)
    assert torch.equal(after['layout'], values['layout'])
    assert torch.equal(after['object'], values['object'])
    assert not torch.equal(after['colour'], values['colour'])
    # The horizon estimate is the rendered row (centre 16 - 8 tanh(s)).
    row = 16 - 8 * torch.tanh(values['layout'])
    np.testing.assert_allclose(scores[:, 0], ((16 - row) / 8).numpy(),
                               atol=0.02)

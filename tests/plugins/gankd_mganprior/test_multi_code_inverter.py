"""MultiCodeInverter.invert / decode / move (spec §6.4, 6.8, 6.9, and N = 1
against a single-code optimisation step for step)."""
import pytest
import torch

import gankd_mganprior.multi_code_inverter as module
from gankd.kinds import build_inverter
from gankd.models.degradations import Grayscale, IdentityDegradation
from gankd.models.inverters import InversionLoss, optimize_codes

ADAM = dict(type='Adam', lr=0.05)


def inverter(generator, layer, **kwargs):
    return build_inverter(dict(type='MultiCodeInverter', generator=generator,
                               layer=layer, **kwargs))


def observations(batch=2, seed=0):
    # smooth targets out of the random generators' exact range
    gen = torch.Generator().manual_seed(seed)
    low = torch.rand(batch, 3, 4, 4, generator=gen) * 1.6 - 0.8
    return torch.nn.functional.interpolate(low, size=16, mode='bilinear')


def checksum(module_):
    return float(sum(p.double().abs().sum() for p in module_.parameters()))


@pytest.mark.parametrize('optimize_alpha', [True, False])
def test_frozen_prior_and_exactly_the_free_tensors(generator, monkeypatch,
                                                   optimize_alpha):
    # Spec §6.4: the optimiser holds codes [B, N, ...] and alpha [B, N, C]
    # (plus shared [B, L, w_dim] for wp); the generator does not change.
    seen = {}

    def spy(params, *args, **kwargs):
        seen['params'] = list(params)
        return optimize_codes(params, *args, **kwargs)

    monkeypatch.setattr(module, 'optimize_codes', spy)
    inv = inverter(generator, 3, num_codes=3, optimizer=ADAM, num_iters=3,
                   optimize_alpha=optimize_alpha)
    before = checksum(generator)
    result = inv.invert(observations())
    assert checksum(generator) == before
    assert all(p.grad is None for p in generator.parameters())
    channels = inv.num_channels()
    shapes = [tuple(p.shape) for p in seen['params']]
    expected = [tuple(result['codes'].shape)]
    if optimize_alpha:
        expected.append((2, 3, channels))
    if inv.style_based:
        expected.append((2, generator.num_layers, generator.w_dim))
        assert result['codes'].shape == (2, 3, 6, 8)
    else:
        assert result['codes'].shape == (2, 3, 8)
    assert shapes == expected
    start = inv.initial_state([0, 1])
    assert not torch.equal(result['codes'], start['codes'])
    # alpha moves only when optimised; otherwise it stays exactly 1/N
    assert torch.equal(result['alpha'], start['alpha']) != optimize_alpha


def test_one_code_fixed_unit_alpha_is_single_code_optimisation(generator):
    # N = 1, alpha = 1 fixed, fuse='sum' is the plain single-code inversion
    # (z from zeros for PGGAN, wp from w_avg for StyleGAN2), step for step:
    # the code's rows before the split and shared's rows from it are
    # exactly the single code, the other rows never move.
    images = observations()
    k = 3  # layer_names()[3]
    inv = inverter(generator, k + 1, num_codes=1, fuse='sum',
                   alpha_init=1.0, optimize_alpha=False,
                   z_init='mean_w' if 'wp' in generator.latent_spaces
                   else 'zeros', optimizer=ADAM, num_iters=6)
    result = inv.invert(images)
    start = inv.initial_state([0, 1])
    if inv.style_based:
        single = start['shared'].clone().requires_grad_(True)
    else:
        single = start['codes'][:, 0].clone().requires_grad_(True)
    out = optimize_codes([single], lambda: generator.synthesize(
        single, inv.space), images, InversionLoss(), IdentityDegradation(),
        ADAM, 6)
    assert torch.allclose(result['history'], out['history'], atol=1e-6)
    assert torch.allclose(result['loss'], out['loss'], atol=1e-6)
    single = single.detach()
    if inv.style_based:
        codes, shared = result['codes'][:, 0], result['shared']
        assert torch.allclose(codes[:, :k], single[:, :k], atol=1e-6)
        assert torch.allclose(shared[:, k:], single[:, k:], atol=1e-6)
        assert torch.equal(codes[:, k:], start['codes'][:, 0, k:])
        assert torch.equal(shared[:, :k], start['shared'][:, :k])
    else:
        assert torch.allclose(result['codes'][:, 0], single, atol=1e-6)


def test_one_code_equals_latent_inverter(generator):
    # The same as above against core's LatentInverter (same init).
    images = observations()
    style = 'wp' in generator.latent_spaces
    common = dict(optimizer=ADAM, num_iters=6)
    ours = inverter(generator, 4, num_codes=1, fuse='sum', alpha_init=1.0,
                    optimize_alpha=False,
                    z_init='mean_w' if style else 'zeros', **common)
    theirs = build_inverter(dict(type='LatentInverter', generator=generator,
                                 space=ours.space, init='mean', **common))
    a, b = ours.invert(images), theirs.invert(images)
    assert torch.allclose(a['history'], b['history'], atol=1e-6)
    codes = (torch.cat([a['codes'][:, 0, :3], a['shared'][:, 3:]], 1)
             if style else a['codes'][:, 0])
    assert torch.allclose(codes, b['codes'], atol=1e-6)


def test_batch_equals_single_runs(generator):
    # Spec §6.9, with each image's own index (its random codes).
    images = observations(seed=1)
    inv = inverter(generator, 4, num_codes=3, optimizer=ADAM, num_iters=4)
    both = inv.invert(images, indices=[3, 8])
    for row, index in enumerate([3, 8]):
        alone = inv.invert(images[row:row + 1], indices=[index])
        for key in ('codes', 'alpha', 'loss', 'image'):
            assert torch.allclose(both[key][row], alone[key][0],
                                  atol=1e-5), key
        assert torch.allclose(both['history'][:, row],
                              alone['history'][:, 0], atol=1e-5)


def test_degradation_enters_the_loss_and_restore(pggan):
    # history[0] is the per-image MSE of gray(G(initial codes)) against
    # the gray observation; 'restored' is Grayscale.restore of the image.
    gray = Grayscale()
    obs = gray(observations(seed=2))
    inv = inverter(pggan, 2, num_codes=4, optimizer=ADAM, num_iters=2)
    result = inv.invert(obs, gray)
    start = inv.initial_state([0, 1])
    with torch.no_grad():
        first = inv.compose(start['codes'], start['alpha'])
    expected = ((gray(first) - obs)**2).mean((1, 2, 3))
    assert torch.allclose(result['history'][0], expected, atol=1e-6)
    assert torch.equal(result['restored'], gray.restore(result['image'],
                                                        obs))
    assert result['image'].abs().max() <= 1


def test_more_codes_fit_better_and_the_loss_falls(pggan):
    # A light form of spec §6.6 (equal iterations and optimiser).
    images = observations(seed=3)
    losses = {}
    for num in (1, 8):
        result = inverter(pggan, 3, num_codes=num, optimizer=ADAM,
                          num_iters=40).invert(images)
        assert torch.all(result['history'][-1] < result['history'][0])
        losses[num] = result['loss']
    assert torch.all(losses[8] < losses[1])


def test_move_and_decode(generator):
    # Spec §6.8: distance 0 reproduces the reconstruction; every code (and
    # shared) moves by the same offset, alpha is kept, image-major order.
    inv = inverter(generator, 3, num_codes=3, optimizer=ADAM, num_iters=3,
                   record_every=2)
    result = inv.invert(observations(seed=4))
    assert [r['iteration'] for r in result['records']] == [0, 2, 3]
    dim = result['codes'].shape[-1]
    boundary = torch.nn.functional.normalize(torch.randn(1, dim), dim=1)
    distances = [0.0, 1.5, -2.0]
    moved = inv.move(result, boundary, distances)
    for b in range(2):
        for t, d in enumerate(distances):
            row = b * 3 + t
            delta = moved['codes'][row] - result['codes'][b]
            assert torch.allclose(delta, (d * boundary).expand_as(delta),
                                  atol=1e-6)
            assert torch.equal(moved['alpha'][row], result['alpha'][b])
            if inv.style_based:
                delta = moved['shared'][row] - result['shared'][b]
                assert torch.allclose(delta, (d * boundary).expand_as(delta),
                                      atol=1e-6)
    images = inv.decode(moved).clamp(-1, 1)
    assert torch.allclose(images[0::3], result['image'], atol=1e-5)
    assert (images[1::3] - result['image']).abs().max() > 1e-2
    assert moved['space'] == result['space']
    assert moved['layer'] == result['layer']
    if inv.style_based:  # a per-layer boundary [1, L, w_dim]
        per_layer = torch.randn(1, generator.num_layers, dim)
        moved = inv.move(result, per_layer, [2.0])
        delta = moved['codes'][1] - result['codes'][1]
        assert torch.allclose(delta, 2 * per_layer.expand_as(delta),
                              atol=1e-6)
        assert torch.allclose(moved['shared'] - result['shared'],
                              2 * per_layer.expand(2, -1, -1), atol=1e-6)

"""LatentInverter / EncoderInverter on a tiny random StyleGAN2 (and PGGAN
for the z space): frozen prior, initialisations, batch = single runs,
recovery of a generator sample, degradations and option errors."""
import pytest
import torch
from torch import nn

from gankd.kinds import build_inverter
from gankd.models.degradations import Grayscale
from gankd.models.inverters import (EncoderInverter, InverterError,
                                    LatentInverter)
from gankd.registry import MODELS, find_type

STYLEGAN2 = dict(type='StyleGAN2Generator', resolution=16, z_space_dim=8,
                 w_space_dim=8, mapping_layers=2, mapping_fmaps=8,
                 fmaps_base=128, fmaps_max=8)
PGGAN = dict(type='PGGANGenerator', resolution=16, z_space_dim=8,
             fmaps_base=64, fmaps_max=8)


def generator(cfg, seed=0):
    if find_type(MODELS, cfg['type']) is None:
        pytest.skip(f"{cfg['type']} is not registered (plugin missing)")
    torch.manual_seed(seed)
    gen = MODELS.build(dict(cfg))
    if hasattr(gen, 'truncation'):
        with torch.no_grad():  # a non-trivial mean code
            gen.truncation.w_avg.normal_(0, 0.5)
    return gen.eval()


def samples(gen, n=2, seed=7):
    with torch.no_grad():
        z = torch.randn(n, gen.z_dim, generator=torch.Generator()
                        .manual_seed(seed))
        return z, gen.synthesize(z, 'z')


def psnr(a, b):
    mse = (a - b).square().flatten(1).mean(1)
    return 10 * torch.log10(4 / mse)  # range 2 ([-1, 1])


def test_prior_frozen_codes_move_and_registered():
    gen = generator(STYLEGAN2)
    before = {k: v.clone() for k, v in gen.state_dict().items()}
    inv = build_inverter(dict(type='LatentInverter', generator=gen,
                              num_iters=3, optimizer=dict(type='SGD', lr=1)))
    _, target = samples(gen)
    start = inv.initial_codes(target, [0, 1])
    result = inv.invert(target)
    assert all(torch.equal(v, gen.state_dict()[k]) for k, v in
               before.items())
    assert all(p.grad is None and not p.requires_grad
               for p in gen.parameters())
    # gradients reached the codes: they moved, and the loss went down
    assert not torch.allclose(result['codes'], start)
    assert result['history'].shape == (3, 2)
    assert bool((result['loss'] < result['history'][0]).all())
    assert result['space'] == 'wp' and result['codes'].shape == (2, 6, 8)
    assert torch.equal(result['restored'], result['image'])
    assert float(result['image'].abs().max()) <= 1


def test_mean_and_random_initialisation():
    gen = generator(STYLEGAN2)
    obs = torch.zeros(3, 3, 16, 16)
    w_avg = gen.truncation.w_avg
    wp = LatentInverter(gen, num_iters=0).invert(obs)
    assert torch.allclose(wp['codes'], w_avg.expand(3, 6, 8))
    w = LatentInverter(gen, space='w', num_iters=0).invert(obs)
    assert torch.allclose(w['codes'], w_avg.expand(3, 8))
    # num_iters=0: loss of the initial codes, decode renders them
    torch.testing.assert_close(
        wp['loss'], inv_loss(gen.synthesize(wp['codes']), obs))
    torch.testing.assert_close(
        LatentInverter(gen).decode(wp).clamp(-1, 1), wp['image'])
    # random: the image's own stream, mapped without truncation
    rand = LatentInverter(gen, space='w', init='random', seed=4,
                          num_iters=0).invert(obs, indices=[3, 8, 3])
    z = torch.randn(8, generator=torch.Generator().manual_seed(4 * 1_000_003
                                                               + 8))
    torch.testing.assert_close(rand['codes'][1], gen.mapping(z[None])['w'][0])
    assert torch.equal(rand['codes'][0], rand['codes'][2])
    pg = generator(PGGAN)
    zeros = LatentInverter(pg, space='z', num_iters=0).invert(obs)
    assert torch.equal(zeros['codes'], torch.zeros(3, 8))


def inv_loss(image, obs):
    return (image - obs).square().flatten(1).mean(1)


def test_batch_equals_single_runs():
    gen = generator(STYLEGAN2)
    _, target = samples(gen, n=2)
    inv = LatentInverter(gen, init='random', num_iters=8,
                         optimizer=dict(type='Adam', lr=0.05))
    both = inv.invert(target, indices=[5, 9])
    for row, index in enumerate([5, 9]):
        one = inv.invert(target[row:row + 1], indices=[index])
        torch.testing.assert_close(one['codes'][0], both['codes'][row],
                                   atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(one['history'][:, 0],
                                   both['history'][:, row],
                                   atol=1e-6, rtol=1e-4)


def test_recovers_a_generator_sample():
    gen = generator(STYLEGAN2)
    _, target = samples(gen, n=2)
    result = LatentInverter(gen, space='wp', num_iters=300,
                            optimizer=dict(type='Adam', lr=0.05)
                            ).invert(target)
    start = LatentInverter(gen, num_iters=0).invert(target)
    # the image is clamped: compare with the clamped sample
    assert bool((psnr(result['image'], target.clamp(-1, 1)) > 30).all())
    assert bool((psnr(start['image'], target.clamp(-1, 1)) < 20).all())


def test_degradation_and_records():
    gen = generator(STYLEGAN2)
    _, target = samples(gen, n=1)
    gray = Grayscale()
    obs = gray(target.clamp(-1, 1))
    result = LatentInverter(gen, num_iters=4, record_every=2).invert(
        obs, gray)
    # the loss compares the gray output with the observation
    torch.testing.assert_close(
        result['loss'], inv_loss(gray(gen.synthesize(result['codes'])), obs))
    torch.testing.assert_close(result['restored'],
                               gray.restore(result['image'], obs))
    assert [r['iteration'] for r in result['records']] == [0, 2, 4]
    assert torch.equal(result['records'][-1]['codes'], result['codes'])


class ToyEncoder(nn.Module):
    """Mean colour of an 8x8 image -> wp codes (one linear layer)."""
    space, resolution = 'wp', 8

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 6 * 8)

    def forward(self, images):
        assert images.shape[-1] == self.resolution
        return self.head(images.mean((2, 3))).view(-1, 6, 8)


def test_encoder_and_hybrid():
    gen = generator(STYLEGAN2)
    _, target = samples(gen, n=2)
    encoder = ToyEncoder()
    only = build_inverter(dict(type='EncoderInverter', encoder=encoder,
                               generator=gen))
    assert isinstance(only, EncoderInverter) and only.space == 'wp'
    assert not any(p.requires_grad for p in encoder.parameters())
    result = only.invert(target)
    small = nn.functional.interpolate(target, size=(8, 8), mode='bilinear',
                                      align_corners=False)
    torch.testing.assert_close(result['codes'], encoder(small))
    assert result['history'].shape == (0, 2)
    hybrid = LatentInverter(gen, init='encoder', encoder=encoder,
                            num_iters=5).invert(target)
    assert bool((hybrid['loss'] < result['loss']).all())


def test_option_errors():
    gen = generator(STYLEGAN2)
    with pytest.raises(InverterError, match='go together'):
        LatentInverter(gen, init='encoder')
    with pytest.raises(InverterError, match='go together'):
        LatentInverter(gen, encoder=ToyEncoder())
    with pytest.raises(InverterError, match="init 'zero'"):
        LatentInverter(gen, init='zero')
    with pytest.raises(InverterError, match="space='wp'"):
        LatentInverter(gen, space='w', init='encoder', encoder=ToyEncoder())
    with pytest.raises(InverterError, match="space 'w' is not"):
        LatentInverter(generator(PGGAN), space='w')
    with pytest.raises(InverterError, match='one index per image'):
        LatentInverter(gen).invert(torch.zeros(2, 3, 16, 16), indices=[0])

"""MultiCodeInverter's composition (spec §6.1-3): identity, the fused map
at initialisation, permutation invariance, which wp rows G1 and G2 read,
and the layer / option checks."""
import pytest
import torch

from gankd.kinds import UnknownLayerError, build_inverter
from gankd_mganprior.code_init import MultiCodeError, initial_codes


def inverter(generator, layer, **kwargs):
    return build_inverter(dict(type='MultiCodeInverter', generator=generator,
                               layer=layer, **kwargs))


def random_codes(generator, batch, num, seed=0):
    gen = torch.Generator().manual_seed(seed)
    if 'wp' in generator.latent_spaces:
        return torch.randn(batch, num, generator.num_layers,
                           generator.w_dim, generator=gen)
    return torch.randn(batch, num, generator.z_dim, generator=gen)


def test_identity_one_code_unit_weight_sum_is_the_generator(generator):
    # Spec §6.1: N = 1, alpha = 1, fuse='sum' -> G(code), at every layer.
    codes = random_codes(generator, 3, 1)
    space = 'wp' if 'wp' in generator.latent_spaces else 'z'
    with torch.no_grad():
        expected = generator.synthesize(codes[:, 0], space)
        for ell in range(1, len(generator.layer_names()) + 1):
            inv = inverter(generator, ell, num_codes=1, fuse='sum')
            alpha = torch.ones(3, 1, inv.num_channels())
            shared = codes[:, 0] if space == 'wp' else None
            got = inv.compose(codes, alpha, shared)
            diff = (got - expected).abs().max().item()
            assert diff < 1e-5, (ell, diff)


def test_style_codes_feed_the_layers_up_to_the_split_shared_the_rest(
        stylegan2):
    # Layer k of layer_names() (k >= 1 is conv layer k - 1, reading wp row
    # k - 1): G1 reads rows < k of each code, G2 rows >= k of shared. With
    # one code of weight 1 the image is G of the spliced wp.
    generator = stylegan2
    codes = random_codes(generator, 2, 1, seed=1)
    shared = random_codes(generator, 2, 1, seed=2)[:, 0]
    for k, name in enumerate(generator.layer_names()):
        inv = inverter(generator, name, num_codes=1, fuse='sum')
        spliced = torch.cat([codes[:, 0, :k], shared[:, k:]], 1)
        with torch.no_grad():
            got = inv.compose(codes, torch.ones(2, 1, inv.num_channels()),
                              shared)
            expected = generator.synthesize(spliced, 'wp')
        assert (got - expected).abs().max().item() < 1e-5, name


def test_mean_fuse_at_init_is_mean_feature_over_n(generator):
    # Spec §6.2: alpha = 1/N and fuse='mean' -> mean_n(F_n) / N; every
    # F_n computed alone (so the one-batch G1 is checked too). StyleGAN2's
    # skip image at this layer is the plain mean over the codes.
    layer = generator.layer_names()[4]
    inv = inverter(generator, layer, num_codes=5)
    start = inv.initial_state([0, 7])
    space = inv.space
    with torch.no_grad():
        fused = inv.fuse_features(start['codes'], start['alpha'])
        for b in range(2):
            states = [generator.forward_to(code[None], layer, space)
                      for code in start['codes'][b]]
            mean = torch.stack([s['feature'][0] for s in states]).mean(0)
            assert torch.allclose(fused['feature'][b], mean / 5, atol=1e-6)
            if space == 'wp':
                image = torch.stack([s['image'][0] for s in states]).mean(0)
                assert torch.allclose(fused['image'][b], image, atol=1e-6)
    assert torch.all(start['alpha'] == 1 / 5)
    assert start['alpha'].shape == (2, 5, fused['feature'].shape[1])


def test_sum_and_mean_differ_by_n_in_the_fused_map(pggan):
    inv_sum = inverter(pggan, 3, num_codes=3, fuse='sum')
    inv_mean = inverter(pggan, 3, num_codes=3, fuse='mean')
    codes = random_codes(inv_sum.generator, 2, 3)
    alpha = torch.rand(2, 3, inv_sum.num_channels())
    with torch.no_grad():
        a = inv_sum.fuse_features(codes, alpha)['feature']
        b = inv_mean.fuse_features(codes, alpha)['feature']
    assert torch.allclose(a, 3 * b, atol=1e-6)


def test_permuting_codes_with_their_weights_changes_nothing(generator):
    # Spec §6.3; permuting the codes alone (weights left in place) does.
    inv = inverter(generator, 4, num_codes=4)
    codes = random_codes(generator, 2, 4, seed=3)
    alpha = torch.rand(2, 4, inv.num_channels(),
                       generator=torch.Generator().manual_seed(4))
    shared = codes[:, 0] if inv.style_based else None
    perm = torch.tensor([2, 0, 3, 1])
    with torch.no_grad():
        base = inv.compose(codes, alpha, shared)
        same = inv.compose(codes[:, perm], alpha[:, perm], shared)
        other = inv.compose(codes[:, perm], alpha, shared)
    assert (base - same).abs().max().item() < 1e-5
    assert (base - other).abs().max().item() > 1e-3


def test_layer_by_int_or_name_and_errors(pggan):
    generator = pggan
    assert inverter(generator, 1).layer == 'layer0'
    assert inverter(generator, 6).layer == 'layer5'
    assert inverter(generator, 'layer3').layer == 'layer3'
    for bad in (0, 7):
        with pytest.raises(MultiCodeError, match=r'\[1, 6\]'):
            inverter(generator, bad)
    with pytest.raises(UnknownLayerError, match='layer0, layer1'):
        inverter(generator, 'layer9')
    with pytest.raises(MultiCodeError, match="fuse='max'"):
        inverter(generator, 2, fuse='max')
    with pytest.raises(MultiCodeError, match='num_codes=0'):
        inverter(generator, 2, num_codes=0)
    with pytest.raises(MultiCodeError, match="'mean_w' needs a w space"):
        initial_codes(generator, 2, 'mean_w', [torch.Generator()])
    with pytest.raises(MultiCodeError, match="z_init='uniform'"):
        initial_codes(generator, 2, 'uniform', [torch.Generator()])
    with pytest.raises(MultiCodeError, match="z_init='uniform'"):
        inverter(generator, 2, z_init='uniform')
    with pytest.raises(MultiCodeError, match="'mean_w' needs a w space"):
        inverter(generator, 2, z_init='mean_w')


def test_initial_codes_per_image_stream_and_mean_w(stylegan2):
    generator = stylegan2
    inv = inverter(generator, 3, num_codes=3, seed=5)
    both = inv.initial_state([4, 9])
    alone = inv.initial_state([9])
    assert torch.equal(both['codes'][1:], alone['codes'])
    assert not torch.equal(both['codes'][0], both['codes'][1])
    # Gaussian z mapped without truncation; shared rows start at w_avg.
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(
        5 * 1_000_003 + 9))
    with torch.no_grad():
        wp = generator.mapping(z)['wp']
    assert torch.allclose(alone['codes'][0], wp, atol=1e-6)
    w_avg = generator.truncation.w_avg
    assert torch.equal(alone['shared'], w_avg.expand(1, 6, 8))
    mean_w = inverter(generator, 3, num_codes=3, z_init='mean_w')
    assert torch.equal(mean_w.initial_state([0])['codes'],
                       w_avg.expand(1, 3, 6, 8))

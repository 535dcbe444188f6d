"""StyleGAN (v1) beyond the fixture: other resolutions and widths, the
layer interface, fused vs plain resampling, noise modes, truncation, level
of detail and argument errors."""
import math

import pytest
import torch
import torch.nn.functional as F

from gankd.kinds import build_generator
from gankd.registry import MODELS
from gankd_stylegan.stylegan_converter import (convert_genforce_stylegan,
                                               infer_stylegan_kwargs)
from gankd_stylegan.stylegan_discriminator import StyleGANDiscriminator
from gankd_stylegan.stylegan_generator import StyleGANGenerator

CONFIGS = [
    dict(resolution=8, z_space_dim=8, w_space_dim=6, mapping_layers=2,
         mapping_fmaps=10, fmaps_base=64, fmaps_max=16),
    dict(resolution=32, z_space_dim=8, w_space_dim=8, mapping_layers=3,
         mapping_fmaps=8, fmaps_base=128, fmaps_max=8, fused_scale=True),
    dict(resolution=16, z_space_dim=4, w_space_dim=4, mapping_layers=1,
         mapping_fmaps=4, repeat_w=False, const_input=False,
         noise_type='channel', fmaps_base=64, fmaps_max=8),
]


def expected_shapes(cfg):
    """The fixture README's key table, written out independently."""
    res, z, w = cfg['resolution'], cfg['z_space_dim'], cfg['w_space_dim']
    blocks = int(math.log2(res)) - 1
    layers = 2 * blocks
    repeat = cfg.get('repeat_w', True)
    spatial = cfg.get('noise_type', 'spatial') == 'spatial'

    def nf(r):
        return min(cfg['fmaps_base'] // r, cfg['fmaps_max'])

    shapes = {'truncation.w_avg': (w if repeat else w * layers, ),
              'synthesis.lod': ()}
    for i in range(cfg['mapping_layers']):
        last = i == cfg['mapping_layers'] - 1
        shapes[f'mapping.dense{i}.weight'] = (
            (w if repeat else w * layers) if last else cfg['mapping_fmaps'],
            z if i == 0 else cfg['mapping_fmaps'])
        shapes[f'mapping.dense{i}.bias'] = shapes[
            f'mapping.dense{i}.weight'][:1]
    for n in range(layers):
        r, c = 4 << (n // 2), nf(4 << (n // 2))
        key = f'synthesis.layer{n}'
        if n == 0 and cfg.get('const_input', True):
            shapes[f'{key}.const'] = (1, c, 4, 4)
        elif n == 0:
            shapes[f'{key}.weight'] = (c, w, 4, 4)
        else:
            shapes[f'{key}.weight'] = (c, nf(r // 2) if n % 2 == 0 else c,
                                       3, 3)
        if n > 0 and n % 2 == 0:
            shapes[f'{key}.blur.kernel'] = (c, 1, 3, 3)
        shapes[f'{key}.bias'] = (c, )
        shapes[f'{key}.apply_noise.weight'] = (c, ) if spatial else (r, r)
        shapes[f'{key}.apply_noise.noise'] = ((1, 1, r, r) if spatial else
                                              (1, c, 1, 1))
        shapes[f'{key}.style.weight'] = (2 * c, w)
        shapes[f'{key}.style.bias'] = (2 * c, )
    for k in range(blocks):
        shapes[f'synthesis.output{k}.weight'] = (3, nf(4 << k), 1, 1)
        shapes[f'synthesis.output{k}.bias'] = (3, )
    return shapes


def seeded(model, seed=0):
    """Random values in every parameter and buffer but lod/w_avg."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not name.endswith(('lod', 'blur.kernel')):
                tensor.copy_(torch.randn(tensor.shape, generator=gen) * 0.3)
    return model.eval()


def small(**overrides):
    cfg = dict(resolution=16, z_space_dim=8, w_space_dim=8, mapping_layers=2,
               mapping_fmaps=8, fmaps_base=64, fmaps_max=8)
    return seeded(StyleGANGenerator(**dict(cfg, **overrides)))


def distinct_wp(model, n=2, seed=1):
    return torch.randn(n, model.num_layers, model.w_dim,
                       generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize('cfg', CONFIGS)
def test_other_configurations(cfg):
    model = seeded(StyleGANGenerator(**cfg))
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == expected_shapes(cfg)
    res = cfg['resolution']
    assert model.num_layers == 2 * int(math.log2(res)) - 2
    assert model.layer_names() == [f'synthesis.layer{i}'
                                   for i in range(model.num_layers)]
    z = model.sample_z(4, torch.Generator().manual_seed(3))
    with torch.no_grad():
        out = model(z)
        for index, layer in enumerate(model.layer_names()):
            r = 4 << (index // 2)
            feature = model.forward_to(out['wp'], layer)['feature']
            assert feature.shape[0::2] == (4, r) and feature.shape[3] == r
    assert out['image'].shape == (4, 3, res, res)
    assert out['wp'].shape == (4, model.num_layers, cfg['w_space_dim'])
    inferred = infer_stylegan_kwargs(model.state_dict())
    rebuilt = StyleGANGenerator(**dict(inferred, fused_scale=cfg.get(
        'fused_scale', 'auto')))
    rebuilt.load_state_dict(convert_genforce_stylegan(model.state_dict()))
    with torch.no_grad():
        assert torch.equal(rebuilt.eval()(z)['image'], out['image'])
    disc = seeded(StyleGANDiscriminator(res, fmaps_base=cfg['fmaps_base'],
                                        fmaps_max=cfg['fmaps_max'],
                                        minibatch_std_group_size=2,
                                        minibatch_std_channels=2))
    last = 2 * (int(math.log2(res)) - 2)
    nf4 = min(cfg['fmaps_base'] // 4, cfg['fmaps_max'])
    assert disc.state_dict()[f'layer{last}.weight'].shape == (nf4, nf4 + 2,
                                                              3, 3)
    assert disc.state_dict()['layer1.blur.kernel'].shape[1:] == (1, 3, 3)
    with torch.no_grad():
        assert disc(out['image']).shape == (4, 1)


@pytest.mark.parametrize('noise_mode', ['const', 'none'])
def test_forward_from_forward_to_is_synthesize_at_every_layer(noise_mode):
    model = small(resolution=32)
    wp = distinct_wp(model)
    with torch.no_grad():
        image = model.synthesize(wp, noise_mode=noise_mode)
        for layer in model.layer_names():
            state = model.forward_to(wp, layer, noise_mode=noise_mode)
            assert set(state) == {'feature'}
            again = model.forward_from(state, wp, layer,
                                       noise_mode=noise_mode)
            assert torch.allclose(again, image, atol=1e-5), layer


def test_each_layer_reads_its_own_code():
    model = small()
    wp = distinct_wp(model)
    with torch.no_grad():
        for k in range(1, model.num_layers):
            changed = wp.clone()
            changed[:, k] += 1.0
            before = model.layer_names()[k - 1]
            at = model.layer_names()[k]
            assert torch.equal(model.forward_to(changed, before)['feature'],
                               model.forward_to(wp, before)['feature'])
            assert not torch.allclose(
                model.forward_to(changed, at)['feature'],
                model.forward_to(wp, at)['feature'])


def test_fused_upsampling_equals_upsample_then_flipped_conv():
    plain = small(resolution=32, fused_scale=False)
    fused = StyleGANGenerator(**dict(
        resolution=32, z_space_dim=8, w_space_dim=8, mapping_layers=2,
        mapping_fmaps=8, fmaps_base=64, fmaps_max=8, fused_scale=True))
    state = plain.state_dict()
    for n in (2, 4, 6):
        # The transposed conv with the shift-summed kernel equals nearest
        # upsampling and a conv with the spatially flipped 3x3 kernel.
        key = f'synthesis.layer{n}.weight'
        state[key] = state[key].flip(2, 3)
    fused.load_state_dict(state)
    wp = distinct_wp(plain)
    with torch.no_grad():
        assert torch.allclose(fused.eval().synthesize(wp),
                              plain.synthesize(wp), atol=1e-4)


def test_fused_downsampling_gives_the_same_scores():
    plain = seeded(StyleGANDiscriminator(32, fused_scale=False, fmaps_base=64,
                                         fmaps_max=8,
                                         minibatch_std_group_size=2))
    fused = StyleGANDiscriminator(32, fused_scale=True, fmaps_base=64,
                                  fmaps_max=8, minibatch_std_group_size=2)
    fused.load_state_dict(plain.state_dict())
    images = torch.randn(4, 3, 32, 32,
                         generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        assert torch.allclose(fused.eval()(images), plain(images), atol=1e-5)


def test_noise_modes():
    model = small()
    wp = distinct_wp(model)
    with torch.no_grad():
        const = model.synthesize(wp, noise_mode='const')
        assert torch.equal(const, model.synthesize(wp, noise_mode='const'))
        random = model.synthesize(wp, noise_mode='random')
        assert not torch.allclose(random, const)
        assert not torch.allclose(random,
                                  model.synthesize(wp, noise_mode='random'))
        none = model.synthesize(wp, noise_mode='none')
        for n in range(model.num_layers):
            model.get_submodule(
                f'synthesis.layer{n}.apply_noise').weight.zero_()
        assert torch.allclose(model.synthesize(wp, noise_mode='const'), none,
                              atol=1e-6)
        assert torch.allclose(model.synthesize(wp, noise_mode='random'),
                              none, atol=1e-6)
    with pytest.raises(ValueError, match='noise_mode'):
        model.synthesize(wp, noise_mode='fresh')


def test_truncation_and_running_w_avg():
    model = small()
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(6))
    w_avg = model.truncation.w_avg.clone()
    with torch.no_grad():
        w = model.mapping(z)['w']
        plain = model.mapping(z, truncation_psi=1.0, truncation_layers=8)
        trunc = model.mapping(z, truncation_psi=0.5, truncation_layers=3)
    assert torch.equal(plain['wp'], w[:, None].expand(-1, 6, -1))
    assert torch.allclose(trunc['wp'][:, :3],
                          (w_avg + 0.5 * (w - w_avg))[:, None].expand(
                              -1, 3, -1), atol=1e-6)
    assert torch.allclose(trunc['wp'][:, 3:], plain['wp'][:, 3:], atol=1e-6)
    model.update_w_avg(w, momentum=0.9)
    assert torch.allclose(model.truncation.w_avg,
                          0.9 * w_avg + 0.1 * w.mean(0), atol=1e-6)


def test_level_of_detail_blends_resolutions():
    model = small()
    wp = distinct_wp(model)
    synthesis = model.synthesis
    with torch.no_grad():
        low = synthesis.output1(model.forward_to(wp, 'synthesis.layer3')[
            'feature'])
        high = model.synthesize(wp)
        synthesis.lod.fill_(1.0)
        assert torch.allclose(model.synthesize(wp),
                              F.interpolate(low, scale_factor=2), atol=1e-6)
        synthesis.lod.fill_(0.5)
        assert torch.allclose(
            model.synthesize(wp),
            0.5 * high + 0.5 * F.interpolate(low, scale_factor=2), atol=1e-5)
        with pytest.raises(ValueError, match='lod 0'):
            model.forward_to(wp, 'synthesis.layer1')


def test_registered_and_bad_arguments():
    model = build_generator(dict(type='StyleGANGenerator', resolution=8,
                                 z_space_dim=4, w_space_dim=4,
                                 mapping_fmaps=4, fmaps_base=32,
                                 fmaps_max=4))
    assert isinstance(model, StyleGANGenerator)
    assert model.latent_spaces == ('z', 'w', 'wp') and model.w_dim == 4
    assert MODELS.get('StyleGANDiscriminator') is StyleGANDiscriminator
    with pytest.raises(NotImplementedError, match='label_size'):
        StyleGANGenerator(8, label_size=3)
    with pytest.raises(NotImplementedError, match='label_size'):
        StyleGANDiscriminator(8, label_size=3)
    with pytest.raises(ValueError, match='fused_scale'):
        StyleGANGenerator(8, fused_scale='yes')
    with pytest.raises(ValueError, match='noise_type'):
        StyleGANGenerator(8, noise_type='pixel')
    with pytest.raises(ValueError, match='space'):
        model.synthesize(torch.randn(1, 4), space='s')
    with pytest.raises(ValueError, match='unknown layer'):
        model.forward_to(torch.randn(1, 4), 'synthesis.layer9', space='w')
    with pytest.raises(ValueError, match=r'\[N, 4, 4\]'):
        model.synthesize(torch.randn(1, 4))

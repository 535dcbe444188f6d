"""StyleGAN (v1) parity with genforce's reference classes (fixture
``genforce/stylegan_128.pth``): image, w, wp, styles, intermediate features,
truncated run, per-layer codes and discriminator scores. The 128x128 fixture
covers both upsampling paths (fused transposed conv at 128, nearest + conv
below) and both discriminator downsampling paths."""
import pytest
import torch

from gankd.utils.converters import ConversionError, convert_checkpoint
from gankd_stylegan.stylegan_converter import (convert_genforce_stylegan,
                                               infer_stylegan_kwargs,
                                               matches_genforce_stylegan)
from gankd_stylegan.stylegan_discriminator import StyleGANDiscriminator
from gankd_stylegan.stylegan_generator import StyleGANGenerator

NAME = 'stylegan_128'
CODE_ATOL = 1e-5  # w, wp and styles (README: float32 vs float64 gap ~3e-6)


def build_generator(fixture):
    model = StyleGANGenerator(**fixture['kwargs'])
    model.load_state_dict(convert_genforce_stylegan(fixture), strict=True)
    return model.eval()


def test_state_dict_keys_and_shapes_equal_genforce(genforce_fixture):
    fixture = genforce_fixture(NAME)
    model = StyleGANGenerator(**fixture['kwargs'])
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    ref = {k: tuple(v.shape) for k, v in fixture['state_dict'].items()}
    assert ours == ref and len(ours) == 107
    assert model.num_layers == fixture['observed']['num_layers'] == 12
    assert model.synthesis.layer10.fused and not model.synthesis.layer8.fused
    disc = StyleGANDiscriminator(**fixture['discriminator_kwargs'])
    ours = {k: tuple(v.shape) for k, v in disc.state_dict().items()}
    ref = {k: tuple(v.shape)
           for k, v in fixture['discriminator_state_dict'].items()}
    assert ours == ref and len(ours) == 44
    assert disc.layer1.fused and not disc.layer3.fused


def test_image_and_codes(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    assert fixture['forward_kwargs'] == dict(
        trunc_psi=None, trunc_layers=None, randomize_noise=False)
    model = build_generator(fixture)
    with torch.no_grad():
        out = model(fixture['z'], noise_mode='const')
        from_w = model.synthesize(fixture['w'], space='w')
        from_z = model.synthesize(fixture['z'], space='z')
    assert_parity(out['w'], fixture['w'], 'w', atol=CODE_ATOL)
    assert_parity(out['wp'], fixture['wp'], 'wp', atol=CODE_ATOL)
    assert_parity(out['image'], fixture['image'], 'image')
    assert_parity(from_w, fixture['image'], 'image from w')
    assert torch.equal(from_z, out['image'])


def test_styles_and_features(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    model = build_generator(fixture)
    styles, handles = {}, []
    for index in range(model.num_layers):
        module = model.get_submodule(f'synthesis.layer{index}.style')
        handles.append(module.register_forward_hook(
            lambda m, args, out, key=f'style{index:02d}':
            styles.__setitem__(key, out)))
    try:
        with torch.no_grad():
            model.synthesize(fixture['wp'])
    finally:
        for handle in handles:
            handle.remove()
    assert sorted(styles) == sorted(fixture['styles'])
    for key, ref in fixture['styles'].items():
        assert_parity(styles[key], ref, key, atol=CODE_ATOL)
    assert list(fixture['features']) == model.layer_names()[:4]
    with torch.no_grad():
        for layer, ref in fixture['features'].items():
            state = model.forward_to(fixture['wp'], layer)
            assert_parity(state['feature'], ref, layer)


def test_truncation(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    trunc = fixture['trunc']
    kwargs = trunc['forward_kwargs']
    assert kwargs['randomize_noise'] is False
    model = build_generator(fixture)
    with torch.no_grad():
        out = model(fixture['z'][trunc['z_index']],
                    truncation_psi=kwargs['trunc_psi'],
                    truncation_layers=kwargs['trunc_layers'])
    assert_parity(out['wp'], trunc['wp'], 'truncated wp', atol=CODE_ATOL)
    assert_parity(out['image'], trunc['image'], 'truncated image')


def test_per_layer_codes(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    mixed = fixture['wp_mixed']
    assert mixed['call'] == 'synthesis(wp, randomize_noise=False)'
    model = build_generator(fixture)
    with torch.no_grad():
        image = model.synthesize(mixed['wp'], space='wp', noise_mode='const')
    assert_parity(image, mixed['image'], 'wp_mixed image')


def test_discriminator_score(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    assert fixture['discriminator_input'] == 'image'
    disc = StyleGANDiscriminator(**fixture['discriminator_kwargs'])
    disc.load_state_dict(fixture['discriminator_state_dict'], strict=True)
    with torch.no_grad():
        score = disc.eval()(fixture['image'])
    assert_parity(score, fixture['discriminator_score'], 'D score')


def test_converter_infers_the_fixture_architecture(genforce_fixture):
    fixture = genforce_fixture(NAME)
    state = dict(fixture['state_dict'])
    assert matches_genforce_stylegan(fixture)
    assert not matches_genforce_stylegan(genforce_fixture('stylegan2_64'))
    assert not matches_genforce_stylegan(fixture['discriminator_state_dict'])
    for key, value in infer_stylegan_kwargs(state).items():
        assert fixture['kwargs'][key] == value, key


def test_container_prefers_generator_smooth_and_strips_module(
        genforce_fixture, tmp_path):
    fixture = genforce_fixture(NAME)
    smooth = {f'module.{k}': v for k, v in fixture['state_dict'].items()}
    plain = {k: torch.zeros_like(v) for k, v in fixture['state_dict'].items()}
    path = tmp_path / 'stylegan_container.pth'
    torch.save(dict(generator=plain, generator_smooth=smooth,
                    discriminator=fixture['discriminator_state_dict']), path)
    for name in ('genforce-stylegan', None):  # by name, then detected
        state = convert_checkpoint(str(path), name)
        assert state.keys() == fixture['state_dict'].keys()
        assert all(torch.equal(state[k], v)
                   for k, v in fixture['state_dict'].items())
    torch.save(dict(generator=plain), path)
    state = convert_checkpoint(str(path), 'genforce-stylegan')
    assert all(not v.any() for v in state.values())


@pytest.mark.parametrize('edit, key', [
    (lambda s: s.pop('synthesis.layer5.style.bias'),
     'synthesis.layer5.style.bias'),
    (lambda s: s.update({'synthesis.layer3.weight': torch.zeros(32, 16, 3,
                                                                3)}),
     'synthesis.layer3.weight'),
    (lambda s: s.update({'synthesis.layer6.blur.kernel': torch.zeros(
        32, 1, 3, 3)}), 'synthesis.layer6.blur.kernel'),
    (lambda s: s.update({'truncation.extra': torch.zeros(1)}),
     'truncation.extra'),
    (lambda s: s.pop('mapping.dense0.weight'), 'mapping.dense0.weight'),
])
def test_converter_errors_name_the_key(genforce_fixture, edit, key):
    state = dict(genforce_fixture(NAME)['state_dict'])
    edit(state)
    with pytest.raises(ConversionError, match=key.replace('.', r'\.')):
        convert_genforce_stylegan(state)

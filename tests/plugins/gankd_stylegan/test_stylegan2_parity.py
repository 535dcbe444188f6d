"""StyleGAN2 parity with genforce's reference classes (fixture
``genforce/stylegan2_64.pth``, see its README): images, codes, styles,
intermediate features, truncation, per-layer codes and D scores."""
import pytest
import torch

from gankd_stylegan.stylegan2_discriminator import StyleGAN2Discriminator
from gankd_stylegan.stylegan2_generator import StyleGAN2Generator

NAME = 'stylegan2_64'
CODE_ATOL = 1e-5  # w, wp and styles (README: float32 vs float64 gap ~3e-6)


def build_generator(fixture, **overrides):
    model = StyleGAN2Generator(**dict(fixture['kwargs'], **overrides))
    model.load_state_dict(fixture['state_dict'], strict=True)
    return model.eval()


def test_state_dict_keys_and_shapes_equal_genforce(genforce_fixture):
    fixture = genforce_fixture(NAME)
    model = StyleGAN2Generator(**fixture['kwargs'])
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    ref = {k: tuple(v.shape) for k, v in fixture['state_dict'].items()}
    assert ours == ref
    assert model.num_layers == fixture['observed']['num_layers'] == 10
    disc = StyleGAN2Discriminator(**fixture['discriminator_kwargs'])
    ours = {k: tuple(v.shape) for k, v in disc.state_dict().items()}
    ref = {k: tuple(v.shape)
           for k, v in fixture['discriminator_state_dict'].items()}
    assert ours == ref


@pytest.mark.parametrize('fused', [True, False])
def test_image_and_codes(genforce_fixture, assert_parity, fused):
    fixture = genforce_fixture(NAME)
    assert fixture['forward_kwargs']['randomize_noise'] is False
    model = build_generator(fixture, fused_modulate=fused)
    with torch.no_grad():
        out = model(fixture['z'], noise_mode='const')
    assert_parity(out['w'], fixture['w'], 'w', atol=CODE_ATOL)
    assert_parity(out['wp'], fixture['wp'], 'wp', atol=CODE_ATOL)
    assert_parity(out['image'], fixture['image'], 'image')


def test_styles_and_features(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    model = build_generator(fixture)
    modules = dict(model.named_modules())
    captured, handles = {}, []

    def keep(name):
        def hook(module, args, output):
            captured[name] = output
        return hook

    style_modules = {}
    for name in fixture['styles']:
        if name.startswith('output_style'):
            path = f"synthesis.output{name[len('output_style'):]}.style"
        else:
            path = f"synthesis.layer{int(name[len('style'):])}.style"
        style_modules[name] = path
    for name, path in list(style_modules.items()) + [
            (p, p) for p in fixture['features']]:
        handles.append(modules[path].register_forward_hook(keep(name)))
    with torch.no_grad():
        model(fixture['z'])
    for handle in handles:
        handle.remove()
    for name, ref in fixture['styles'].items():
        assert_parity(captured[name], ref, name, atol=CODE_ATOL)
    for name, ref in fixture['features'].items():
        assert_parity(captured[name], ref, name)


def test_truncated_run(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    trunc = fixture['trunc']
    kwargs = trunc['forward_kwargs']
    model = build_generator(fixture)
    with torch.no_grad():
        out = model(fixture['z'][trunc['z_index']],
                    truncation_psi=kwargs['trunc_psi'],
                    truncation_layers=kwargs['trunc_layers'])
    assert_parity(out['wp'], trunc['wp'], 'trunc wp', atol=CODE_ATOL)
    assert_parity(out['image'], trunc['image'], 'trunc image')


def test_mixed_per_layer_codes(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    mixed = fixture['wp_mixed']
    # a different code per layer: a layer reading the wrong wp index fails
    assert not torch.allclose(mixed['wp'][:, 0], mixed['wp'][:, 1])
    for fused in (True, False):
        model = build_generator(fixture, fused_modulate=fused)
        with torch.no_grad():
            image = model.synthesize(mixed['wp'], space='wp',
                                     noise_mode='const')
        assert_parity(image, mixed['image'], f'wp_mixed (fused={fused})')


def test_forward_to_matches_hooked_features(genforce_fixture,
                                            assert_parity):
    fixture = genforce_fixture(NAME)
    model = build_generator(fixture)
    for name, ref in fixture['features'].items():
        if name in model.layer_names():
            with torch.no_grad():
                state = model.forward_to(fixture['wp'], name)
            assert_parity(state['feature'], ref, f'forward_to {name}')


def test_discriminator_score(genforce_fixture, assert_parity):
    fixture = genforce_fixture(NAME)
    assert fixture['discriminator_input'] == 'image'
    disc = StyleGAN2Discriminator(**fixture['discriminator_kwargs'])
    disc.load_state_dict(fixture['discriminator_state_dict'], strict=True)
    with torch.no_grad():
        score = disc.eval()(fixture['image'])
    assert_parity(score, fixture['discriminator_score'], 'D score')

"""PGGAN parity with genforce's reference classes (fixture
``genforce/pggan_32.pth``): image, intermediate features and discriminator
scores, loaded through the 'genforce-pggan' converter; plus the converter's
container handling and its errors."""
import pytest
import torch

from gankd.utils.converters import ConversionError, convert_checkpoint
from gankd_pggan.genforce_converter import (convert_genforce_pggan,
                                            infer_pggan_kwargs,
                                            matches_genforce_pggan)
from gankd_pggan.pggan_discriminator import PGGANDiscriminator
from gankd_pggan.pggan_generator import PGGANGenerator


def build_generator(fixture):
    model = PGGANGenerator(**fixture['kwargs'])
    model.load_state_dict(convert_genforce_pggan(fixture), strict=True)
    return model.eval()


def test_state_dict_keys_and_shapes_equal_genforce(pggan_fixture):
    model = PGGANGenerator(**pggan_fixture['kwargs'])
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    ref = {k: tuple(v.shape) for k, v in pggan_fixture['state_dict'].items()}
    assert ours == ref and len(ours) == 25
    disc = PGGANDiscriminator(**pggan_fixture['discriminator_kwargs'])
    ours = {k: tuple(v.shape) for k, v in disc.state_dict().items()}
    ref = {k: tuple(v.shape)
           for k, v in pggan_fixture['discriminator_state_dict'].items()}
    assert ours == ref and len(ours) == 27


def test_image(pggan_fixture, assert_parity):
    assert pggan_fixture['forward_kwargs'] == {}
    model = build_generator(pggan_fixture)
    with torch.no_grad():
        out = model(pggan_fixture['z'])
        again = model.synthesize(pggan_fixture['z'], space='z')
    assert set(out) == {'image'}
    assert_parity(out['image'], pggan_fixture['image'], 'image')
    assert torch.equal(out['image'], again)


def test_listed_features(pggan_fixture, assert_parity):
    model = build_generator(pggan_fixture)
    assert list(pggan_fixture['features']) == model.layer_names()[:4]
    with torch.no_grad():
        for layer, ref in pggan_fixture['features'].items():
            got = model.forward_to(pggan_fixture['z'], layer)['feature']
            assert_parity(got, ref, layer)


def test_discriminator_score(pggan_fixture, assert_parity):
    assert pggan_fixture['discriminator_input'] == 'image'
    disc = PGGANDiscriminator(**pggan_fixture['discriminator_kwargs'])
    disc.load_state_dict(pggan_fixture['discriminator_state_dict'],
                         strict=True)
    with torch.no_grad():
        score = disc.eval()(pggan_fixture['image'])
    assert_parity(score, pggan_fixture['discriminator_score'], 'D score')


def test_converter_infers_the_fixture_architecture(pggan_fixture):
    state = dict(pggan_fixture['state_dict'])
    assert matches_genforce_pggan(state)
    assert not matches_genforce_pggan(
        pggan_fixture['discriminator_state_dict'])
    inferred = infer_pggan_kwargs(state)
    for key, value in inferred.items():
        assert pggan_fixture['kwargs'][key] == value, key
    assert convert_genforce_pggan(state).keys() == state.keys()


def test_container_prefers_generator_smooth_and_strips_module(
        pggan_fixture, tmp_path):
    smooth = {f'module.{k}': v for k, v in
              pggan_fixture['state_dict'].items()}
    plain = {k: torch.zeros_like(v)
             for k, v in pggan_fixture['state_dict'].items()}
    path = tmp_path / 'pggan_container.pth'
    torch.save(dict(generator=plain, generator_smooth=smooth,
                    discriminator=pggan_fixture['discriminator_state_dict']),
               path)
    for name in ('genforce-pggan', None):  # by name, then detected
        state = convert_checkpoint(str(path), name)
        assert state.keys() == pggan_fixture['state_dict'].keys()
        assert all(torch.equal(state[k], v)
                   for k, v in pggan_fixture['state_dict'].items())
    torch.save(dict(generator=plain), path)
    state = convert_checkpoint(str(path), 'genforce-pggan')
    assert all(not v.any() for v in state.values())


@pytest.mark.parametrize('edit, key', [
    (lambda s: s.pop('layer3.bias'), 'layer3.bias'),
    (lambda s: s.update({'layer5.weight': torch.zeros(32, 16, 3, 3)}),
     'layer5.weight'),
    (lambda s: s.update({'output2.weight': torch.zeros(3, 16, 1, 1)}),
     'output2.weight'),
    (lambda s: s.update({'layer7.extra': torch.zeros(1)}), 'layer7.extra'),
    (lambda s: s.update({'lod': 0.0}), 'lod'),
])
def test_converter_errors_name_the_key(pggan_fixture, edit, key):
    state = dict(pggan_fixture['state_dict'])
    edit(state)
    with pytest.raises(ConversionError, match=key.replace('.', r'\.')):
        convert_genforce_pggan(state)

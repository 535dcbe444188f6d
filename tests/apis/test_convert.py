"""gankd.apis.convert / tools/convert_checkpoint.py: official checkpoints
become weights-only files that reproduce the official images; every
checkpoint layout the generator tools accept loads the right weights; bad
files and mismatched configs fail in one line naming the key and shape."""
import hashlib
import os

import pytest
import torch
from mmengine.logging import HistoryBuffer

from gankd.apis.convert import convert, main
from gankd.config import ConfigError
from gankd.engine.runner_state import to_plain
from gankd.registry import MODELS
from gankd.utils.checkpoint import CheckpointError
from gankd.utils.converters import CheckpointConverter, ConversionError
from gankd.utils.frozen_generator import load_generator

# fixture -> (generator type, converter, input space)
FIXTURES = {
    'pggan_32': ('PGGANGenerator', 'genforce-pggan'),
    'stylegan_128': ('StyleGANGenerator', 'genforce-stylegan'),
    'stylegan2_64': ('StyleGAN2Generator', 'genforce-stylegan2'),
}


@pytest.fixture
def toy(toys, temp_register, tmp_path):
    """(seeded toy state dict, config path) of a ToyStyleGenerator."""
    temp_register(MODELS, toys.ToyStyleGenerator)
    torch.manual_seed(7)
    state = toys.ToyStyleGenerator().state_dict()
    return state, toys.write_config(tmp_path / 'toy.py',
                                    dict(type='ToyStyleGenerator'))


@pytest.fixture
def toy_converter(monkeypatch):
    """A stand-in official format: ``{'g_ema': {'net.<key>': ...}}``."""

    def to_gankd(checkpoint):
        return {k[len('net.'):]: v for k, v in checkpoint['g_ema'].items()}

    found = CheckpointConverter('toy-official', to_gankd,
                                lambda c: 'g_ema' in c, 'toy format')
    monkeypatch.setattr('gankd.utils.converters.converters',
                        lambda: {'toy-official': found})
    return found


def assert_loaded(generator, state):
    assert not generator.training
    assert not any(p.requires_grad for p in generator.parameters())
    loaded = generator.state_dict()
    assert loaded.keys() == state.keys()
    assert all(torch.equal(loaded[k], state[k]) for k in state)


def test_every_accepted_layout_loads_the_right_weights(toy, toy_converter,
                                                       tmp_path):
    state, config = toy
    zeros = {k: torch.zeros_like(v) for k, v in state.items()}
    history = HistoryBuffer()
    history.update(1.5)
    runner_state = to_plain({'log_scalars': {'loss': history}})
    layouts = {
        'bare': state,
        'converted': {'state_dict': state, 'meta': {'converter': 'x'}},
        # The GAN trainer's checkpoint: EMA preferred over the generator,
        # with the runner state as gankd's runner writes it (plain data).
        'training': {'state_dict': {
            **{f'generator.{k}': v for k, v in zeros.items()},
            **{f'generator_ema.module.{k}': v for k, v in state.items()},
            'generator_ema.steps': torch.tensor(4),
            'discriminator.fc.weight': torch.ones(2)},
            'message_hub': runner_state},
        'training_ddp_no_ema': {'state_dict': {
            **{f'generator.module.{k}': v for k, v in state.items()},
            'discriminator.fc.weight': torch.ones(2)}},
        'official': {'g_ema': {f'net.{k}': v for k, v in state.items()}},
    }
    for name, obj in layouts.items():
        path = str(tmp_path / f'{name}.pth')
        torch.save(obj, path)
        assert_loaded(load_generator(config, path), state)
    # mmengine's own runner state (Python objects) is refused, with a hint.
    torch.save(dict(layouts['training'], message_hub={
        'log_scalars': {'loss': history}}), str(tmp_path / 'mmengine.pth'))
    with pytest.raises(CheckpointError, match='HistoryBuffer.*safety.md'):
        load_generator(config, str(tmp_path / 'mmengine.pth'))
    assert_loaded(load_generator(config, str(tmp_path / 'official.pth'),
                                 converter='toy-official'), state)


def test_convert_writes_a_weights_only_file_with_provenance(
        toy, toy_converter, tmp_path, capsys):
    state, config = toy
    source = str(tmp_path / 'official.pth')
    torch.save({'g_ema': {f'net.{k}': v for k, v in state.items()}}, source)
    out = str(tmp_path / 'out' / 'converted.pth')
    name, _ = convert(source, out, config=config)  # detected by `matches`
    assert name == 'toy-official'
    written = torch.load(out, weights_only=True)
    assert written['meta'] == dict(
        converter='toy-official', source=os.path.abspath(source),
        sha256=hashlib.sha256(open(source, 'rb').read()).hexdigest(),
        config=config, generator='ToyStyleGenerator')
    assert all(torch.equal(written['state_dict'][k], v)
               for k, v in state.items())
    assert os.listdir(tmp_path / 'out') == ['converted.pth']  # no temp left
    assert_loaded(load_generator(config, out), state)

    main(['--list'])
    assert capsys.readouterr().out.split() == ['toy-official', 'toy',
                                               'format']
    with pytest.raises(ConversionError, match="unknown converter 'nope'; "
                       'available: toy-official'):
        convert(source, out, converter='nope')
    with pytest.raises(ConversionError, match='refusing to overwrite'):
        convert(source, source)


def test_errors_name_the_file_key_shape_and_fix(toys, toy, toy_converter,
                                                tmp_path):
    state, config = toy
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(CheckpointError, match='checkpoint not found: '):
        load_generator(config, missing)
    broken = tmp_path / 'broken.pth'
    broken.write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointError, match='not a readable PyTorch'):
        load_generator(config, str(broken))

    wide = toys.write_config(tmp_path / 'wide.py', dict(
        type='ToyStyleGenerator', channels=6))
    path = str(tmp_path / 'toy.pth')
    torch.save(state, path)
    with pytest.raises(ConversionError) as error:
        load_generator(wide, path)
    message = str(error.value)
    assert message.startswith(f'{path} [state dict] does not fit the '
                              f'generator of {wide} (ToyStyleGenerator): ')
    assert "key 'const': shape (1, 4, 2, 2), expected (1, 6, 2, 2)" in message
    assert 'pass --converter (one of: toy-official)' in message
    assert '\n' not in message
    # Through a (detected) converter the hint is about the config instead.
    official = str(tmp_path / 'official.pth')
    torch.save({'g_ema': {f'net.{k}': v for k, v in state.items()}},
               official)
    with pytest.raises(ConversionError, match=r'\[converter toy-official\] '
                       r'.*expected \(1, 6, 2, 2\); is it the checkpoint'):
        load_generator(wide, official)

    classifier = 'tests/data/configs/tiny_synthshapes.py'
    with pytest.raises(ConfigError, match='not a generator'):
        load_generator(classifier, path)
    # A GAN config: the generator is taken from model.generator.
    gan = toys.write_config(tmp_path / 'gan.py', dict(
        type='AnyGAN', generator=dict(type='ToyStyleGenerator')))
    assert_loaded(load_generator(gan, path), state)


def genforce_container(fixture) -> dict:
    """A genforce zoo file: the EMA generator under generator_smooth, the
    trained one (zeros here, so picking it would fail) with DDP's prefix."""
    return dict(
        generator={f'module.{k}': torch.zeros_like(v)
                   for k, v in fixture['state_dict'].items()},
        generator_smooth=fixture['state_dict'],
        discriminator=fixture['discriminator_state_dict'])


@pytest.mark.parametrize('name', sorted(FIXTURES))
def test_converted_fixture_reproduces_the_official_image(toys, tmp_path,
                                                         name):
    fixture = toys.parity_fixture(name)
    gen_type, converter = FIXTURES[name]
    toys.require_component(gen_type, converter)
    source, out = str(tmp_path / 'zoo.pth'), str(tmp_path / 'ours.pth')
    torch.save(genforce_container(fixture), source)
    config = toys.write_config(tmp_path / 'g.py',
                               dict(type=gen_type, **fixture['kwargs']))
    assert convert(source, out, converter, config)[0] == converter
    ref = fixture['image']
    for generator in (load_generator(config, out),
                      load_generator(config, source, converter=converter)):
        with torch.inference_mode():
            image = generator.synthesize(fixture['z'], space='z',
                                         noise_mode='const')
        diff = (image - ref).abs().max().item()
        assert diff <= 1e-4 * max(1.0, ref.abs().max().item()), diff


def test_tools_convert_then_refuse_a_mismatched_config(toys, tmp_path,
                                                       run_tool):
    fixture = toys.parity_fixture('stylegan2_64')
    toys.require_component('StyleGAN2Generator', 'genforce-stylegan2')
    source, out = str(tmp_path / 'zoo.pth'), str(tmp_path / 'ours.pth')
    torch.save(genforce_container(fixture), source)
    config = toys.write_config(tmp_path / 'g.py', dict(
        type='StyleGAN2Generator', **fixture['kwargs']))
    result = run_tool(['tools/convert_checkpoint.py', source, out,
                       '--config', config])
    assert 'with genforce-stylegan2; fits StyleGAN2Generator' in result.stdout
    written = torch.load(out, weights_only=True)
    assert written['meta']['converter'] == 'genforce-stylegan2'
    assert all(torch.equal(written['state_dict'][k], v)
               for k, v in fixture['state_dict'].items())

    narrow = toys.write_config(tmp_path / 'narrow.py', dict(
        type='StyleGAN2Generator', **dict(fixture['kwargs'], fmaps_max=16)))
    failed = run_tool(['-m', 'gankd.cli', 'generate', narrow, out, '--out',
                       str(tmp_path / 'x.png')], check=False)
    assert failed.returncode == 1
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith(f'error: {out} [state_dict] does not fit the '
                           f'generator of {narrow} (StyleGAN2Generator): ')
    assert "key 'synthesis.early_layer.const': shape (1, 32, 4, 4), " \
        'expected (1, 16, 4, 4)' in last and '--converter' in last
    assert not os.path.exists(tmp_path / 'x.png')


def test_gan_trainer_checkpoint_gives_its_ema_generator(toys, tmp_path):
    """The real trainer's state dict (not a hand-made layout)."""
    toys.require_component('UnconditionalGAN')
    toys.require_component('StyleGAN2Generator')
    gen = dict(type='StyleGAN2Generator', resolution=8, z_space_dim=8,
               w_space_dim=8, mapping_layers=2, mapping_fmaps=8,
               fmaps_base=64, fmaps_max=8)
    model = dict(type='UnconditionalGAN', generator=gen, discriminator=dict(
        type='StyleGAN2Discriminator', resolution=8, fmaps_base=64,
        fmaps_max=8))
    torch.manual_seed(0)
    gan = MODELS.build(model)
    with torch.no_grad():  # EMA and trained generator differ
        for param in gan.generator_ema.module.parameters():
            param.add_(1)
    path = str(tmp_path / 'iter_1.pth')
    torch.save({'state_dict': gan.state_dict(), 'meta': {}}, path)
    config = toys.write_config(tmp_path / 'gan.py', model)
    assert_loaded(load_generator(config, path),
                  gan.generator_ema.module.state_dict())


def test_a_missing_generator_checkpoint_names_the_command_that_writes_it(
        toy, tmp_path):
    _, config = toy
    missing = str(tmp_path / 'work_dirs' / 'gan' / 'iter_4000.pth')
    with pytest.raises(CheckpointError) as info:
        load_generator(config, missing)
    assert str(info.value) == (
        f'generator checkpoint not found: {missing}; `python tools/train.py '
        f"{config}` writes it (see that config's README), or give the path "
        'of one you have')

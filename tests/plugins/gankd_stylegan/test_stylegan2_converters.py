"""Converters 'genforce-stylegan2' and 'rosinality-stylegan2'.

The rosinality test writes a rosinality-layout checkpoint from the genforce
fixture with an inverse key map written here from the documented key table
(plugin README), converts it back and checks the generated image. This
checks the key scheme, layouts and value changes (modulation bias +1,
flipped up-conv kernels, [1]-shaped noise weights, [1, 3, 1, 1] toRGB
biases); it is not a run of the rosinality code itself.
"""
import argparse
import re

import pytest
import torch

from gankd.utils.converters import (ConversionError, convert_checkpoint,
                                    converters)
from gankd_stylegan.converters import infer_stylegan2_kwargs
from gankd_stylegan.stylegan2_generator import StyleGAN2Generator

NAME = 'stylegan2_64'


def to_rosinality(state):
    """genforce/gankd keys -> a rosinality ``g_ema`` dict + latent_avg."""
    out = {}
    for key, value in state.items():
        if key == 'truncation.w_avg':
            continue
        if key == 'synthesis.early_layer.const':
            out['input.input'] = value.clone()
            continue
        if key == 'synthesis.upsample.kernel':
            num_rgbs = sum(1 for k in state if re.fullmatch(
                r'synthesis\.output\d+\.weight', k)) - 1
            for i in range(num_rgbs):
                out[f'to_rgbs.{i}.upsample.kernel'] = value[0, 0].clone()
            continue
        m = re.fullmatch(r'mapping\.dense(\d+)\.(weight|bias)', key)
        if m:
            out[f'style.{int(m[1]) + 1}.{m[2]}'] = value.clone()
            continue
        m = re.fullmatch(r'synthesis\.layer(\d+)\.(.+)', key)
        if m:
            n, part = int(m[1]), m[2]
            src = 'conv1' if n == 0 else f'convs.{n - 1}'
            if part == 'weight':
                w = value.flip((2, 3)) if n % 2 else value
                out[f'{src}.conv.weight'] = w[None].clone()
            elif part == 'bias':
                out[f'{src}.activate.bias'] = value.clone()
            elif part == 'style.weight':
                out[f'{src}.conv.modulation.weight'] = value.clone()
            elif part == 'style.bias':
                out[f'{src}.conv.modulation.bias'] = value + 1
            elif part == 'noise_strength':
                out[f'{src}.noise.weight'] = value.reshape(1).clone()
            elif part == 'noise':
                out[f'noises.noise_{n}'] = value.clone()
            elif part == 'filter.kernel':
                out[f'{src}.conv.blur.kernel'] = value[0, 0].clone()
            else:
                raise AssertionError(key)
            continue
        m = re.fullmatch(r'synthesis\.output(\d+)\.(.+)', key)
        assert m, key
        k, part = int(m[1]), m[2]
        src = 'to_rgb1' if k == 0 else f'to_rgbs.{k - 1}'
        if part == 'weight':
            out[f'{src}.conv.weight'] = value[None].clone()
        elif part == 'bias':
            out[f'{src}.bias'] = value.reshape(1, -1, 1, 1).clone()
        elif part == 'style.weight':
            out[f'{src}.conv.modulation.weight'] = value.clone()
        else:
            assert part == 'style.bias', key
            out[f'{src}.conv.modulation.bias'] = value + 1
    return out


def image_from(state, fixture, **kwargs):
    model = StyleGAN2Generator(**fixture['kwargs'])
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        return model.eval()(fixture['z'], **kwargs)['image']


def test_converters_are_registered():
    found = converters()
    assert {'genforce-stylegan2', 'rosinality-stylegan2'} <= set(found)


def test_genforce_converter_on_fixture_file(genforce_fixture, assert_parity,
                                           genforce_fixture_path):
    fixture = genforce_fixture(NAME)
    path = genforce_fixture_path(NAME)
    state = convert_checkpoint(path, 'genforce-stylegan2')
    assert_parity(image_from(state, fixture), fixture['image'], 'image')
    assert convert_checkpoint(path).keys() == state.keys()  # auto-detected
    kwargs = infer_stylegan2_kwargs(state)
    for key in ('resolution', 'z_space_dim', 'w_space_dim', 'mapping_layers',
                'mapping_fmaps', 'fmaps_base', 'fmaps_max', 'architecture'):
        assert kwargs[key] == fixture['kwargs'][key], key


def test_genforce_container_prefers_smooth_and_strips_module(
        genforce_fixture):
    fixture = genforce_fixture(NAME)
    state = fixture['state_dict']
    zeros = {k: torch.zeros_like(v) for k, v in state.items()}
    found = converters()['genforce-stylegan2']
    container = dict(generator=zeros, discriminator={},
                     generator_smooth={f'module.{k}': v
                                       for k, v in state.items()})
    assert found.matches(container)
    out = found.convert(container)
    assert all(torch.equal(out[k], v) for k, v in state.items())
    assert torch.equal(found.convert(dict(generator=zeros))[
        'synthesis.layer0.weight'], zeros['synthesis.layer0.weight'])
    assert found.convert(state).keys() == state.keys()  # bare state dict


def test_genforce_errors_name_the_key(genforce_fixture):
    state = dict(genforce_fixture(NAME)['state_dict'])
    convert = converters()['genforce-stylegan2'].convert
    missing = {k: v for k, v in state.items()
               if k != 'synthesis.layer3.noise'}
    with pytest.raises(ConversionError, match='synthesis.layer3.noise'):
        convert(missing)
    with pytest.raises(ConversionError, match='synthesis.extra'):
        convert(dict(state, **{'synthesis.extra': torch.zeros(1)}))
    bad = dict(state, **{'synthesis.layer2.style.bias': torch.zeros(31)})
    with pytest.raises(ConversionError,
                       match=r"synthesis.layer2.style.bias.*\(31,\)"):
        convert(bad)
    with pytest.raises(ConversionError, match='synthesis.layer0.weight'):
        convert({'mapping.dense0.weight': torch.zeros(2, 2)})


def test_rosinality_layout_round_trip(genforce_fixture, assert_parity,
                                      tmp_path):
    fixture = genforce_fixture(NAME)
    state = fixture['state_dict']
    ros = to_rosinality(state)
    assert len(ros) == len(state) - 1 + 3  # w_avg out; 4 upsample kernels
    zeros = {k: torch.zeros_like(v) for k, v in ros.items()}
    checkpoint = dict(g=zeros, g_ema=ros, d={},
                      latent_avg=state['truncation.w_avg'].clone())
    path = tmp_path / 'rosinality.pt'
    torch.save(checkpoint, path)
    converted = convert_checkpoint(str(path))  # auto-detected: g_ema
    assert converted.keys() == state.keys()
    assert_parity(image_from(converted, fixture), fixture['image'], 'image')
    trunc = fixture['trunc']
    model = StyleGAN2Generator(**fixture['kwargs'])
    model.load_state_dict(converted)
    with torch.no_grad():
        out = model.eval()(fixture['z'][trunc['z_index']],
                           truncation_psi=0.7, truncation_layers=8)
    assert_parity(out['image'], trunc['image'], 'trunc image')
    assert not converters()['genforce-stylegan2'].matches(checkpoint)


def rosinality_train_args(argv):
    """An ``argparse.Namespace`` as rosinality's ``train.py`` has it: its
    flags parsed, then ``latent``, ``n_mlp``, ``start_iter`` and
    ``distributed`` set by the script."""
    parser = argparse.ArgumentParser()
    parser.add_argument('path')
    for flag, kind, default in [
            ('arch', str, 'stylegan2'), ('iter', int, 800000),
            ('batch', int, 16), ('n_sample', int, 64), ('size', int, 256),
            ('r1', float, 10), ('path_regularize', float, 2),
            ('path_batch_shrink', int, 2), ('d_reg_every', int, 16),
            ('g_reg_every', int, 4), ('mixing', float, 0.9),
            ('ckpt', str, None), ('lr', float, 0.002),
            ('channel_multiplier', int, 2), ('local_rank', int, 0),
            ('augment_p', float, 0), ('ada_target', float, 0.6),
            ('ada_length', int, 500000), ('ada_every', int, 256)]:
        parser.add_argument(f'--{flag}', type=kind, default=default)
    parser.add_argument('--wandb', action='store_true')
    parser.add_argument('--augment', action='store_true')
    args = parser.parse_args(argv)
    args.latent, args.n_mlp, args.start_iter = 64, 8, 0
    args.distributed = False
    return args


def adam_state(tensors):
    """A real Adam state dict after one step over copies of ``tensors``."""
    params = [torch.nn.Parameter(t.detach().clone()) for t in tensors]
    optim = torch.optim.Adam(params, lr=0.002, betas=(0.0, 0.99))
    sum(p.sum() for p in params).backward()
    optim.step()
    return optim.state_dict()


def test_rosinality_train_checkpoint_with_args_converts(
        genforce_fixture, assert_parity, tmp_path):
    """A checkpoint saved as rosinality's train.py saves it (real
    argparse.Namespace ``args``, real torch.save) converts with the tool
    (the weights-only loader reads ``args`` as plain data)."""
    from gankd.apis.convert import main
    from gankd.utils.checkpoint import load_weights
    fixture = genforce_fixture(NAME)
    ros = to_rosinality(fixture['state_dict'])
    d = {'convs.0.0.weight': torch.randn(32, 3, 1, 1),
         'final_linear.1.bias': torch.randn(1)}
    args = rosinality_train_args(['lmdb/ffhq', '--size', '64', '--batch',
                                  '4', '--augment'])
    path, out = tmp_path / '010000.pt', tmp_path / 'converted.pth'
    torch.save({'g': ros, 'd': d, 'g_ema': ros,
                'g_optim': adam_state(ros.values()),
                'd_optim': adam_state(d.values()), 'args': args}, path)
    assert main([str(path), str(out)]) == str(out)
    converted = load_weights(str(out))
    assert converted['meta']['converter'] == 'rosinality-stylegan2'
    assert_parity(image_from(converted['state_dict'], fixture),
                  fixture['image'], 'image')
    saved_args = load_weights(str(path))['args']
    assert saved_args == dict(vars(args)) and saved_args['augment'] is True


def test_rosinality_without_latent_avg_uses_mean_mapping(genforce_fixture):
    fixture = genforce_fixture(NAME)
    ros = to_rosinality(fixture['state_dict'])
    converted = converters()['rosinality-stylegan2'].convert(ros)
    model = StyleGAN2Generator(**fixture['kwargs'])
    model.load_state_dict(converted)
    z = torch.randn(4096, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        mean_w = model.mapping(z)['w'].mean(0)
    assert torch.allclose(converted['truncation.w_avg'], mean_w, atol=1e-5)


def test_rosinality_errors_name_the_key(genforce_fixture):
    ros = to_rosinality(genforce_fixture(NAME)['state_dict'])
    convert = converters()['rosinality-stylegan2'].convert
    with pytest.raises(ConversionError, match='convs.3.noise.weight'):
        convert({k: v for k, v in ros.items()
                 if k != 'convs.3.noise.weight'})
    with pytest.raises(ConversionError, match='convs.0.conv.weight'):
        convert(dict(ros, **{'convs.0.conv.weight': torch.zeros(32, 32, 3,
                                                                3)}))
    with pytest.raises(ConversionError, match='style.12.weight'):
        convert(dict(ros, **{'style.12.weight': torch.zeros(64, 64),
                             'style.0.weight': torch.zeros(1)}))
    odd = dict(ros)
    odd['to_rgbs.2.upsample.kernel'] = odd['to_rgbs.2.upsample.kernel'] * 2
    with pytest.raises(ConversionError, match='to_rgbs.2.upsample.kernel'):
        convert(odd)
    with pytest.raises(ConversionError, match='latent_avg'):
        convert(dict(g_ema=ros, latent_avg=torch.zeros(3)))


@pytest.mark.parametrize('kwargs', [
    dict(resolution=32, architecture='origin', fmaps_base=1000, fmaps_max=24),
    dict(resolution=16, repeat_w=False, mapping_layers=3, fmaps_base=64,
         fmaps_max=16),
])
def test_genforce_converter_infers_other_configurations(kwargs):
    torch.manual_seed(0)
    source = StyleGAN2Generator(z_space_dim=8, w_space_dim=6,
                                mapping_fmaps=10, **kwargs).eval()
    state = converters()['genforce-stylegan2'].convert(
        {'state_dict': source.state_dict()})
    rebuilt = StyleGAN2Generator(**infer_stylegan2_kwargs(state)).eval()
    rebuilt.load_state_dict(state, strict=True)
    z = torch.randn(2, 8)
    with torch.no_grad():
        assert torch.equal(rebuilt(z)['image'], source(z)['image'])

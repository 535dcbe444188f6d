"""gankd.apis.generate / tools/generate.py: grids hold exactly the images
``synthesize`` gives for the seeds, interpolations start and end on the
endpoint samples, truncation sweeps reach w_avg at psi 0."""
import math
import os

import cv2
import numpy as np
import pytest
import torch

from gankd.apis.generate import (GenerationError, generate,
                                 interpolation_codes, lerp, parse_seeds,
                                 render, save_codes, slerp)
from gankd.registry import MODELS
from gankd.utils.frozen_generator import load_generator
from gankd.utils.images import image_grid, to_uint8


@pytest.fixture
def toy(toys, temp_register, tmp_path):
    """A seeded ToyStyleGenerator loaded through load_generator (bare state
    dict), with its config path."""
    temp_register(MODELS, toys.ToyStyleGenerator)
    torch.manual_seed(3)
    ckpt = str(tmp_path / 'toy.pth')
    torch.save(toys.ToyStyleGenerator().state_dict(), ckpt)
    config = toys.write_config(tmp_path / 'toy.py',
                               dict(type='ToyStyleGenerator'))
    return load_generator(config, ckpt), config, ckpt


def expected_uint8(generator, seeds, **kwargs) -> np.ndarray:
    """[N, H, W, 3] by hand: z from each seed alone, synthesize, then
    round((x + 1) * 127.5) half up, clipped."""
    with torch.no_grad():
        z = torch.cat([torch.randn(1, generator.z_dim,
                                   generator=torch.Generator().manual_seed(s))
                       for s in seeds])
        images = generator.synthesize(z, space='z', **kwargs).numpy()
    values = np.clip(np.floor((images + 1) * 127.5 + 0.5), 0, 255)
    return values.astype(np.uint8).transpose(0, 2, 3, 1)


def test_uint8_conversion_and_seed_parsing_by_hand():
    x = torch.tensor([-1.5, -1.0, -0.996, 0.0, 0.999, 1.0, 2.0])
    assert to_uint8(x.view(1, 1, 1, -1)).flatten().tolist() == [
        0, 0, 1, 128, 255, 255, 255]
    assert parse_seeds('0,3,5-7') == [0, 3, 5, 6, 7]


def test_slerp_and_lerp_by_hand():
    a, b = torch.tensor([[2.0, 0.0]]), torch.tensor([[0.0, 2.0]])
    path = slerp(a, b, torch.tensor([0.0, 0.5, 1.0]))[0]
    # Quarter circle of radius 2: the middle is at 45 degrees, same norm.
    assert torch.allclose(path[1], torch.tensor([2 ** 0.5, 2 ** 0.5]))
    assert torch.equal(path[0], a[0]) and torch.equal(path[2], b[0])
    mid = lerp(a, b, torch.tensor([0.25]))[0, 0]
    assert torch.allclose(mid, torch.tensor([1.5, 0.5]))


def test_grid_tiles_are_the_synthesized_seeds(toy):
    generator, _, _ = toy
    seeds = [3, 7, 11, 5, 2]
    result = generate(generator, 'grid', seeds, nrow=2, batch_size=2,
                      progress=False)
    grid = image_grid(result['images'], result['nrow'], padding=2)
    side = generator.resolution
    assert grid.shape == (3 * (side + 2) + 2, 2 * (side + 2) + 2, 3)
    expected = expected_uint8(generator, seeds)
    for i in range(len(seeds)):
        y, x = 2 + (i // 2) * (side + 2), 2 + (i % 2) * (side + 2)
        np.testing.assert_array_equal(grid[y:y + side, x:x + side],
                                      expected[i])
    assert (grid[:2] == 255).all() and (grid[-side - 2:, -side - 2:] == 255
                                        ).all()  # padding, empty 6th tile
    # A seed's image does not depend on the batch or the other seeds.
    alone = generate(generator, 'grid', [11], progress=False)['images']
    assert torch.equal(alone[0], result['images'][2])


@pytest.mark.parametrize('space', ['z', 'w', 'wp'])
def test_interpolation_ends_on_the_endpoint_samples(toy, space):
    generator, _, _ = toy
    seeds, steps = [1, 2, 8, 9], 5
    result = generate(generator, 'interpolate', seeds, steps=steps,
                      space=space, batch_size=3, progress=False)
    images = result['images'].view(2, steps, 3, 8, 8)
    ends = generate(generator, 'grid', seeds, progress=False)['images']
    assert torch.equal(images[:, 0], ends[0::2])
    assert torch.equal(images[:, -1], ends[1::2])
    assert not torch.equal(images[:, 2], images[:, 0])


def test_w_interpolation_with_truncation_by_hand(toy):
    """The middle code is the truncated mean of the two mapped w."""
    generator, _, _ = toy
    codes, space = interpolation_codes(generator, [4, 6], 3, 'w', psi=0.5,
                                       layers=2)
    assert space == 'wp' and codes.shape == (3, 3, generator.w_dim)
    with torch.no_grad():
        z = torch.cat([torch.randn(1, 4, generator=torch.Generator()
                                   .manual_seed(s)) for s in (4, 6)])
        w = generator.mapping(z)['w']
    mid, avg = w.mean(0), generator.truncation.w_avg
    assert torch.allclose(codes[1, 0], avg + 0.5 * (mid - avg), atol=1e-6)
    assert torch.allclose(codes[1, 2], mid, atol=1e-6)  # layer 2 untouched


def test_truncation_sweep_columns(toy):
    generator, _, _ = toy
    seeds, psis = [0, 1, 2], [0.0, 0.5, 1.0]
    result = generate(generator, 'truncation', seeds, psis=psis,
                      progress=False)
    images = result['images'].view(3, 3, 3, 8, 8)  # rows seeds, cols psi
    assert result['nrow'] == 3
    plain = torch.from_numpy(expected_uint8(generator, seeds)).permute(
        0, 3, 1, 2)
    assert torch.equal(images[:, 2], plain)  # psi 1: untruncated
    assert all(torch.equal(images[i, 0], images[0, 0]) for i in (1, 2))
    with torch.no_grad():  # psi 0: every code is w_avg
        at_avg = to_uint8(generator.synthesize(
            generator.truncation.w_avg[None], space='w'))
    assert torch.equal(images[0, 0], at_avg[0])
    assert not torch.equal(images[0, 1], images[0, 2])


def test_noise_modes_and_codes_reproduce_images(toy, tmp_path):
    generator, _, _ = toy
    const = generate(generator, 'grid', [5], progress=False)
    torch.manual_seed(0)
    noisy = generate(generator, 'grid', [5], noise_mode='random',
                     progress=False)
    assert not torch.equal(const['images'], noisy['images'])
    with pytest.raises(GenerationError, match="noise mode 'fresh'"):
        generate(generator, 'grid', [5], noise_mode='fresh')
    result = generate(generator, 'grid', [1, 2], psi=0.7, progress=False)
    save_codes(str(tmp_path / 'c.pt'), result['codes'], dict(space='wp'))
    save_codes(str(tmp_path / 'c.npy'), result['codes'], {})
    saved = torch.load(tmp_path / 'c.pt', weights_only=True)
    assert torch.equal(saved['codes'], result['codes'])
    assert np.array_equal(np.load(tmp_path / 'c.npy'),
                          result['codes'].numpy())
    again = render(generator, saved['codes'], saved['space'], progress=False)
    assert torch.equal(again, result['images'])


def test_progress_line_for_several_batches(toy, capsys):
    generator, _, _ = toy
    render(generator, torch.randn(5, 4), 'z', batch_size=2)
    assert capsys.readouterr().err.strip().endswith('generate: 5/5 images')
    render(generator, torch.randn(2, 4), 'z', batch_size=2)
    assert capsys.readouterr().err == ''  # one batch: no progress


def test_z_only_generator_says_what_is_unsupported(toys, temp_register):
    temp_register(MODELS, toys.ToyZGenerator)
    generator = toys.ToyZGenerator().eval()
    assert generate(generator, 'grid', [0, 1], progress=False)[
        'images'].shape == (2, 3, 4, 4)
    generate(generator, 'interpolate', [0, 1], steps=3, progress=False)
    for kwargs, need in [(dict(mode='interpolate', space='w'), "'w'"),
                         (dict(mode='truncation'), 'truncation sweep'),
                         (dict(mode='grid', psi=0.7), 'truncation')]:
        with pytest.raises(GenerationError) as error:
            generate(generator, seeds=[0, 1], progress=False, **kwargs)
        assert 'ToyZGenerator has only the latent spaces z' in str(
            error.value) and need in str(error.value)


def test_stylegan2_fixture_grid_and_sweep(toys, tmp_path):
    """The real generator: grid tiles and the psi 0 / psi 1 columns."""
    fixture = toys.parity_fixture('stylegan2_64')
    toys.require_component('StyleGAN2Generator')
    ckpt = str(tmp_path / 'g.pth')
    torch.save(fixture['state_dict'], ckpt)
    config = toys.write_config(tmp_path / 'g.py', dict(
        type='StyleGAN2Generator', **fixture['kwargs']))
    generator = load_generator(config, ckpt)
    grid = image_grid(generate(generator, 'grid', [0, 1], nrow=2,
                               progress=False)['images'], 2, padding=0)
    expected = expected_uint8(generator, [0, 1], noise_mode='const')
    np.testing.assert_array_equal(grid[:, 64:], expected[1])
    sweep = generate(generator, 'truncation', [0, 1], psis=[0.0, 1.0],
                     progress=False)['images'].view(2, 2, 3, 64, 64)
    assert torch.equal(sweep[0, 0], sweep[1, 0])
    # psi 1 is untruncated. The sweep renders 4 images per batch, the
    # reference 2: BLAS blocking then differs in the last float bit, which
    # can flip a rounding at .5 (seen on some CPUs: 1 of 24,576 values).
    diff = np.abs(sweep[:, 1].permute(0, 2, 3, 1).numpy().astype(int)
                  - expected.astype(int))
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3


def test_tool_writes_the_grid_png_and_codes(toys, run_tool, tmp_path,
                                            temp_register):
    temp_register(MODELS, toys.ToyStyleGenerator)
    torch.manual_seed(5)
    generator = toys.ToyStyleGenerator().eval()
    ckpt = str(tmp_path / 'gan.pth')
    # As the GAN trainer saves it: the EMA generator is the one used.
    torch.save({'state_dict': {
        **{f'generator.{k}': torch.zeros_like(v)
           for k, v in generator.state_dict().items()},
        **{f'generator_ema.module.{k}': v
           for k, v in generator.state_dict().items()}}}, ckpt)
    config = toys.write_config(tmp_path / 'gan.py', dict(
        type='ToyGAN', generator=dict(type='ToyStyleGenerator')),
        imports=True)
    out = str(tmp_path / 'out' / 'grid.png')
    result = run_tool(['-m', 'gankd.cli', 'generate', config, ckpt, '--out',
                       out, '--seeds', '4-6', '--nrow', '3', '--padding',
                       '1', '--save-codes', str(tmp_path / 'z.npy')],
                      env=toys.subprocess_env(tmp_path))
    assert 'grid.png: 1 x 3 images' in result.stdout
    png = cv2.imread(out, cv2.IMREAD_UNCHANGED)[..., ::-1]
    expected = expected_uint8(generator, [4, 5, 6])
    for i in range(3):
        x = 1 + i * 9
        np.testing.assert_array_equal(png[1:9, x:x + 8], expected[i])
    z = np.load(tmp_path / 'z.npy')
    assert z.shape == (3, 4) and math.isclose(
        float(z[0, 0]), float(torch.randn(
            1, 4, generator=torch.Generator().manual_seed(4))[0, 0]))
    assert not [p for p in os.listdir(tmp_path / 'out') if p != 'grid.png']

    # A z-only generator: one line saying truncation is not supported.
    torch.save(toys.ToyZGenerator().state_dict(), str(tmp_path / 'z.pth'))
    zconfig = toys.write_config(tmp_path / 'z.py', dict(
        type='ToyZGenerator'), imports=True)
    failed = run_tool(['tools/generate.py', zconfig, str(tmp_path / 'z.pth'),
                       '--mode', 'truncation', '--out', out],
                      env=toys.subprocess_env(tmp_path), check=False)
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1] == (
        'error: ToyZGenerator has only the latent spaces z: the truncation '
        "sweep needs 'w'")


@pytest.mark.parametrize('options, message', [
    (['--num', '0'], '--num 0: give at least 1'),
    (['--mode', 'interpolate', '--steps', '0'], '--steps 0: give at least 1'),
    (['--batch-size', '-1'], '--batch-size -1: give at least 1'),
    (['--truncation-psi', 'nan'], '--truncation-psi nan: give a finite '
     'number (1: no truncation, 0: the average code)'),
    (['--mode', 'truncation', '--psi', '0,inf'], '--psi inf: give a finite'),
])
def test_zero_counts_and_nan_psi_are_refused(options, message, tmp_path,
                                             capsys):
    """Checked before the config is read: these paths do not exist."""
    from gankd.apis import generate as generate_api
    with pytest.raises(SystemExit) as exit_info:
        generate_api.main([str(tmp_path / 'no.py'), str(tmp_path / 'no.pth'),
                           '--out', str(tmp_path / 'g.png'), *options])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith(f'error: {message}')

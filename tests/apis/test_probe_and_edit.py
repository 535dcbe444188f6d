"""tools/probe.py and tools/edit.py on a tiny StyleGAN2 and a tiny attribute
scorer (random weights): files, grids checked against plain renders, and
one-line errors for bad input."""
import os

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from gankd.apis import edit as edit_api
from gankd.apis.probe import run_probe_config
from gankd.kinds import build_probe
from gankd.registry import MODELS, scope_config_types
from gankd.utils.frozen_generator import build_config_generator
from gankd.utils.images import to_uint8

GAN = 'tests/data/configs/tiny_stylegan2_gan.py'
SCORER = 'tests/data/configs/tiny_face_attribute_scorer.py'
TILE = 16 + 2  # 16x16 images, 2 pixels of padding


@pytest.fixture(scope='module')
def probe_config(tmp_path_factory):
    """A probe config over a random tiny StyleGAN2 and scorer, saved as
    checkpoints the way users give them."""
    root = tmp_path_factory.mktemp('probe')
    torch.manual_seed(0)
    generator = build_config_generator(GAN)
    torch.save(generator.state_dict(), root / 'generator.pth')
    with pytest.warns(UserWarning, match='without checkpoint'):
        scorer = MODELS.build(dict(type='AttributeScorer', config=SCORER))
    torch.save(scorer.classifier.state_dict(), root / 'scorer.pth')
    path = root / 'probe.py'
    path.write_text(
        f"model = dict(type='LinearBoundaryProbe', generator=dict("
        f"config='{GAN}', checkpoint='{root / 'generator.pth'}'), "
        f"predictor=dict(type='AttributeScorer', config='{SCORER}', "
        f"checkpoint='{root / 'scorer.pth'}', semantics=dict("
        f"smile='smile', age='aged')), spaces=('z', 'w'), "
        f"num_or_ratio=0.1, truncation_psi=0.7, truncation_layers=2, "
        f"batch_size=32)\n"
        f"probe_cfg = dict(num_samples=200, evaluation=dict(num_samples=8, "
        f"distances=(-1, 0, 1), distance=1.0))\n")
    return str(path)


@pytest.fixture(scope='module')
def probed(probe_config, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('work'))
    report = run_probe_config(probe_config, work, progress=False)
    return work, report


def read_png(path):
    return cv2.imread(path)[..., ::-1]  # RGB


def tile(grid, row, col):
    return grid[2 + row * TILE:row * TILE + TILE, 2 + col * TILE:
                col * TILE + TILE]


def test_probe_writes_boundaries_and_report(probed):
    work, report = probed
    assert set(report['spaces']) == {'z', 'w'}
    for space in ('z', 'w'):
        for name in ('smile', 'age'):
            normal = np.load(os.path.join(work, 'boundaries', space,
                                          f'{name}.npy'))
            assert normal.shape == (1, 16)
            assert np.linalg.norm(normal) == pytest.approx(1, abs=1e-5)
    assert os.path.isfile(os.path.join(work, 'report.md'))
    assert os.path.isfile(os.path.join(work, 'probe.py'))  # config dump


def test_edit_grid_centre_column_is_the_unedited_render(probed, probe_config,
                                                        tmp_path):
    work, _ = probed
    out = str(tmp_path / 'smile.png')
    codes_path = str(tmp_path / 'codes.pt')
    edit_api.main([probe_config, '--boundary',
                   os.path.join(work, 'boundaries/w/smile.npy'), '--out',
                   out, '--seeds', '0-2', '--steps', '3', '--save-codes',
                   codes_path])
    grid = read_png(out)
    assert grid.shape == (3 * TILE + 2, 3 * TILE + 2, 3)
    probe = build_probe(scope_config_types(
        Config.fromfile(probe_config).model.to_dict()))
    plain = to_uint8(probe.render(probe.codes_for_seeds([0, 1, 2], 'w'),
                                  'w')).permute(0, 2, 3, 1).numpy()
    for row in range(3):
        assert np.array_equal(tile(grid, row, 1), plain[row])
        assert not np.array_equal(tile(grid, row, 0), plain[row])
    saved = torch.load(codes_path, weights_only=True)
    assert saved['codes'].shape == (3, 3, 16) and saved['space'] == 'w'


def test_layer_restricted_edit_keeps_other_layers(probed, probe_config,
                                                  tmp_path):
    work, _ = probed
    codes_path = str(tmp_path / 'codes.pt')
    edit_api.main([probe_config, '--boundary',
                   os.path.join(work, 'boundaries/w/age.npy'), '--out',
                   str(tmp_path / 'age.png'), '--seeds', '4', '--steps',
                   '2', '--layers', '1-2', '--save-codes', codes_path])
    saved = torch.load(codes_path, weights_only=True)
    codes = saved['codes']  # [1, 2, L = 6, 16]
    assert saved['space'] == 'wp' and codes.shape == (1, 2, 6, 16)
    normal = torch.from_numpy(np.load(os.path.join(
        work, 'boundaries/w/age.npy'))).float()
    assert torch.equal(codes[0, 0, [0, 3, 4, 5]], codes[0, 1, [0, 3, 4, 5]])
    # -3 -> +3: layer 1 is truncated (psi 0.7), layer 2 is not.
    step = codes[0, 1] - codes[0, 0]
    torch.testing.assert_close(step[1], 6 * 0.7 * normal[0])
    torch.testing.assert_close(step[2], 6 * normal[0])


@pytest.mark.parametrize('extra, message', [
    (['--boundary', 'missing.npy'], 'missing.npy'),
    (['--layers', '0-9'], "layer '0-9' is out of range"),
    (['--space', 'z', '--layers', '1'], 'z has one code for all layers'),
    (['--codes', 'nowhere.npy'], 'no such file'),
    (['--boundary', 'BARE'], 'cannot tell its latent space'),
])
def test_bad_input_is_one_line(probed, probe_config, tmp_path, capsys,
                               extra, message):
    work, _ = probed
    args = [probe_config, '--boundary',
            os.path.join(work, 'boundaries/z/smile.npy'), '--out',
            str(tmp_path / 'x.png')]
    if 'BARE' in extra:  # a boundary outside the boundaries/<space>/ layout
        bare = str(tmp_path / 'smile.npy')
        np.save(bare, np.load(args[2]))
        extra = ['--boundary', bare]
    with pytest.raises(SystemExit) as exit_info:
        edit_api.main(args + extra)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: ') and message in err
    assert len(err.splitlines()) == 1


def test_tools_run_as_commands(run_tool, probe_config, tmp_path):
    work = str(tmp_path / 'cli')
    result = run_tool(['-m', 'gankd.cli', 'probe', probe_config,
                       '--work-dir', work, '--num-samples', '100',
                       '--cfg-options', 'probe_cfg.evaluation=None'])
    assert 'report in' in result.stdout
    result = run_tool(['tools/edit.py', probe_config, '--boundary',
                       os.path.join(work, 'boundaries/w/smile.npy'),
                       '--out', str(tmp_path / 'e.png'), '--seeds', '0-1',
                       '--zoom', '1', '--condition',
                       os.path.join(work, 'boundaries/w/age.npy')])
    assert 'wrote' in result.stdout
    assert read_png(str(tmp_path / 'e.png')).shape == (
        2 * TILE + 2, 7 * TILE + 2, 3)


def test_edit_reads_codes_saved_by_generate(probed, probe_config, tmp_path):
    from gankd.apis import generate as generate_api
    work, _ = probed
    model = Config.fromfile(probe_config).model
    grid_path, codes_path = str(tmp_path / 'g.png'), str(tmp_path / 'c.pt')
    generate_api.main([GAN, model.generator.checkpoint, '--out', grid_path,
                       '--seeds', '5,6', '--nrow', '1', '--truncation-psi',
                       '0.7', '--truncation-layers', '2', '--save-codes',
                       codes_path])
    out = str(tmp_path / 'e.png')
    edit_api.main([probe_config, '--boundary',
                   os.path.join(work, 'boundaries/w/smile.npy'), '--out',
                   out, '--codes', codes_path, '--steps', '3'])
    generated, edited = read_png(grid_path), read_png(out)
    for row in range(2):  # distance 0 is generate's own image
        assert np.array_equal(tile(edited, row, 1), tile(generated, row, 0))


def test_edit_reads_npy_codes_as_it_reads_pt_codes(probed, probe_config,
                                                   tmp_path):
    work, _ = probed
    z = np.random.default_rng(0).standard_normal((2, 16)).astype(np.float32)
    np.save(tmp_path / 'z.npy', z)
    torch.save(dict(codes=torch.from_numpy(z), space='z'), tmp_path / 'z.pt')
    args = [probe_config, '--boundary', os.path.join(
        work, 'boundaries/z/smile.npy'), '--steps', '3']
    edit_api.main(args + ['--codes', str(tmp_path / 'z.npy'), '--space', 'z',
                          '--out', str(tmp_path / 'npy.png')])
    edit_api.main(args + ['--codes', str(tmp_path / 'z.pt'), '--out',
                          str(tmp_path / 'pt.png')])
    assert np.array_equal(read_png(str(tmp_path / 'npy.png')),
                          read_png(str(tmp_path / 'pt.png')))


NOT_NPY = ('not a .npy array of numbers (corrupt, another format, or an '
           'array of objects or strings)')
NOT_PT = ('not a codes file (empty, truncated, corrupt, or holding more '
          'than tensors and plain data)')


@pytest.mark.parametrize('name, write, problem', [
    ('garbage.npy', lambda p: open(p, 'wb').write(b'not numpy'), NOT_NPY),
    ('objects.npy', lambda p: np.save(p, np.array([{}]), allow_pickle=True),
     NOT_NPY),
    ('words.npy', lambda p: np.save(p, np.array(['a', 'b'])), NOT_NPY),
    ('garbage.pt', lambda p: open(p, 'wb').write(b'not torch'), NOT_PT),
    ('empty.pt', lambda p: open(p, 'wb').close(), NOT_PT),
    ('weights.pt', lambda p: torch.save(dict(w=torch.ones(1)), p),
     "not a codes file (no 'codes' tensor in it)"),
])
def test_bad_codes_files_are_named_in_their_own_terms(
        probed, probe_config, tmp_path, capsys, name, write, problem):
    work, _ = probed
    path = str(tmp_path / name)
    write(path)
    with pytest.raises(SystemExit):
        edit_api.main([probe_config, '--boundary', os.path.join(
            work, 'boundaries/z/smile.npy'), '--codes', path, '--space', 'z',
            '--out', str(tmp_path / 'x.png')])
    assert capsys.readouterr().err == (
        f'error: --codes {path}: {problem}; {edit_api.CODES_FILES}\n')


def test_zoom_repeats_pixels(probed, probe_config, tmp_path):
    work, _ = probed
    args = [probe_config, '--boundary',
            os.path.join(work, 'boundaries/w/smile.npy'), '--seeds', '1',
            '--steps', '2']
    edit_api.main(args + ['--out', str(tmp_path / 'a.png')])
    edit_api.main(args + ['--out', str(tmp_path / 'b.png'), '--zoom', '3'])
    small, big = read_png(str(tmp_path / 'a.png')), read_png(
        str(tmp_path / 'b.png'))
    assert np.array_equal(big[::3, ::3], small)
    assert big.shape == (3 * small.shape[0], 3 * small.shape[1], 3)


def test_edit_moves_every_code_of_an_inverted_image(probed, probe_config,
                                                    tmp_path, capsys):
    """gankd invert (mGANprior, 3 codes) then gankd edit of its codes
    file: distance 0 redraws the inverted image, every code moves by the
    same offset along the boundary, a z boundary is refused."""
    from gankd.apis import invert as invert_api
    work, _ = probed
    root = os.path.dirname(probe_config)
    generator = build_config_generator(GAN)
    generator.load_state_dict(torch.load(os.path.join(root,
                                                      'generator.pth')))
    with torch.no_grad():
        images = to_uint8(generator(torch.randn(2, 16))['image'])
    for name, image in zip(('a', 'b'), images):
        cv2.imwrite(str(tmp_path / f'{name}.png'),
                    image.permute(1, 2, 0).numpy()[..., ::-1])
    config = tmp_path / 'mganprior.py'
    config.write_text(
        f"model = dict(type='MultiCodeInverter', generator=dict("
        f"config='{GAN}', checkpoint='{root}/generator.pth'), "
        f"layer='synthesis.layer2', num_codes=3, num_iters=3, "
        f"optimizer=dict(type='Adam', lr=0.05))\n")
    invert_api.main([str(config), str(tmp_path / 'a.png'),
                     str(tmp_path / 'b.png'), '--out', str(tmp_path / 'inv'),
                     '--no-progress'])
    codes_files = [str(tmp_path / 'inv' / 'codes' / f'{n}.pt')
                   for n in ('a', 'b')]
    boundary = os.path.join(work, 'boundaries', 'w', 'smile.npy')
    result = edit_api.main([probe_config, '--boundary', boundary, '--codes',
                            *codes_files, '--start', '-1', '--end', '1',
                            '--steps', '3', '--score', '--out',
                            str(tmp_path / 'grid.png')])
    # --score: the predictor's mean over each column (distance)
    probe = build_probe(scope_config_types(
        Config.fromfile(probe_config).model.to_dict()))
    with torch.no_grad():
        scores = probe.predictor(result['images'].float() / 127.5 - 1)
    column = scores.view(2, 3, -1)[:, 2].mean(0)  # distance +1
    assert result['scores']['smile'][2] == pytest.approx(float(column[0]),
                                                         abs=1e-5)
    assert 'mean age score by distance' in capsys.readouterr().out
    grid = read_png(str(tmp_path / 'grid.png'))
    for row, name in enumerate(('a', 'b')):  # one row per codes file
        redrawn = tile(grid, row, 1).astype(int)
        inverted = read_png(str(tmp_path / 'inv' / 'reconstruction' /
                                f'{name}.png')).astype(int)
        assert np.abs(redrawn - inverted).max() <= 1  # 8-bit rounding
        assert not np.array_equal(tile(grid, row, 0), tile(grid, row, 1))
    codes_file = codes_files[0]

    saved = edit_api.load_inverted([codes_file])
    normal = torch.from_numpy(np.load(boundary)).float()
    moved = edit_api.edit_inverted(generator, saved, normal, [-1.0, 0, 2.0])
    step = moved['codes'][0, 2] - moved['codes'][0, 1]  # [3, L, 16]
    assert torch.allclose(step, 2 * normal.expand_as(step), atol=1e-5)
    with pytest.raises(SystemExit):
        edit_api.main([probe_config, '--boundary', os.path.join(
            work, 'boundaries', 'z', 'smile.npy'), '--codes', codes_file,
            '--out', str(tmp_path / 'z.png')])
    assert 'fitted in z, the inverted codes are wp' in capsys.readouterr().err

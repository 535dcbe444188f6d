"""``gankd invert``: files, skipping, resume, metrics and the per-image
seeds, with a tiny stand-in inverter (and LatentInverter end to end)."""
import csv
import json
import os

import cv2
import numpy as np
import pytest
import torch

from gankd.apis import invert as invert_api
from gankd.apis.invert_inputs import InputListError, list_inputs
from gankd.apis.invert_outputs import image_slice
from gankd.apis.invert_settings import differences
from gankd.evaluation import psnr, ssim
from gankd.kinds import BaseInverter
from gankd.models.degradations import Downsample, Grayscale
from gankd.registry import MODELS
from gankd.utils.frozen_generator import build_frozen_generator
from gankd.utils.images import to_uint8

GENERATOR = dict(type='StyleGAN2Generator', resolution=16, z_space_dim=16,
                 w_space_dim=16, mapping_layers=2, mapping_fmaps=16,
                 fmaps_base=128, fmaps_max=16)


class ToyInverter(BaseInverter):
    """The contract at its smallest: z codes from each image's own random
    stream, Adam on the summed per-image MSE of ``degradation(G(z))``."""

    def __init__(self, generator, num_iters=2, seed=0):
        super().__init__()
        torch.manual_seed(0)  # the same random generator in every build
        self.generator = build_frozen_generator(generator).eval()
        self.generator.requires_grad_(False)
        self.num_iters, self.seed, self.noise_mode = num_iters, seed, 'const'

    def invert(self, images, degradation=None, indices=None):
        indices = list(range(len(images)) if indices is None else indices)
        degrade = degradation or (lambda x: x)
        codes = torch.cat([self.generator.sample_z(1, g) for g in
                           self.image_generators(indices, self.seed)])
        codes.requires_grad_(True)
        optimizer = torch.optim.Adam([codes], lr=0.1)

        def losses(image):
            return (degrade(image) - images).pow(2).flatten(1).mean(1)

        history = []
        for _ in range(self.num_iters):
            loss = losses(self.generator.synthesize(codes, 'z'))
            history.append(loss.detach())
            optimizer.zero_grad()
            loss.sum().backward()
            optimizer.step()
        with torch.no_grad():
            image = self.generator.synthesize(codes, 'z').clamp(-1, 1)
            restored = image if degradation is None else \
                degradation.restore(image, images)
            return dict(codes=codes.detach(), space='z', image=image,
                        restored=restored, loss=losses(image),
                        history=torch.stack(history),
                        index=torch.tensor(indices, dtype=torch.float32),
                        layer='toy')


def write_images(folder, names, size=16, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in names:
        rgb = rng.integers(0, 256, (size, size, 3), np.uint8)
        cv2.imwrite(os.path.join(folder, f'{name}.png'), rgb[..., ::-1])
    return str(folder)


def read_rgb(path):
    return cv2.imread(str(path))[..., ::-1].copy()


def read_rows(out):
    with open(os.path.join(out, 'metrics.csv')) as file:
        return list(csv.DictReader(file))


def mtimes(out):
    return {os.path.join(root, f): os.stat(os.path.join(root, f)).st_mtime_ns
            for root, _, files in os.walk(out) for f in files}


@pytest.fixture
def config(tmp_path, temp_register):
    temp_register(MODELS, ToyInverter)
    path = tmp_path / 'toy_inverter.py'
    path.write_text(f"model = dict(type='ToyInverter', generator="
                    f'{GENERATOR!r}, num_iters=2)\n')
    return str(path)


def run(config, inputs, out, *options):
    return invert_api.main([config, *inputs, '--out', str(out),
                            '--no-progress', *options])


def test_bad_files_are_skipped_and_reported_the_rest_finish(
        config, tmp_path, capsys):
    images = write_images(tmp_path / 'in', ['a', 'b'])
    (tmp_path / 'in' / 'broken.png').write_bytes(b'not a png')
    write_images(tmp_path / 'in', ['small'], size=8)
    cv2.imwrite(str(tmp_path / 'in' / 'gray.png'),
                np.zeros((16, 16), np.uint8))
    out = tmp_path / 'out'
    report = run(config, [images], out)
    assert report['done'] == ['a', 'b']
    failures = (out / 'failures.txt').read_text().splitlines()
    assert [line.split(':')[0] for line in failures] == [
        str(tmp_path / 'in' / f'{n}.png') for n in ('broken', 'gray',
                                                     'small')]
    assert 'expected 16x16' in failures[2]
    captured = capsys.readouterr()
    assert captured.err.count('skipped ') == 3
    assert 'inverted 2 images (reconstruction' in captured.out
    assert '3 failed' in captured.out
    assert [r['name'] for r in read_rows(out)] == ['a', 'b']
    for folder, suffix in (('restored', 'png'), ('reconstruction', 'png'),
                           ('codes', 'pt')):
        assert sorted(os.listdir(out / folder)) == [f'a.{suffix}',
                                                    f'b.{suffix}']


def test_nothing_readable_is_a_one_line_error(config, tmp_path, capsys):
    (tmp_path / 'broken.png').write_bytes(b'')
    with pytest.raises(SystemExit) as exit_info:
        run(config, [str(tmp_path / 'broken.png')], tmp_path / 'out')
    assert exit_info.value.code == 1
    assert 'error: no image could be inverted: 1 failed' in \
        capsys.readouterr().err


def test_rerun_recomputes_nothing_and_force_redoes(config, tmp_path, capsys):
    images = write_images(tmp_path / 'in', ['a', 'b', 'c'])
    out = tmp_path / 'out'
    run(config, [images], out, '--batch-size', '2')
    before = mtimes(out)
    capsys.readouterr()
    report = run(config, [images], out)
    assert report['done'] == [] and report['skipped'] == ['a', 'b', 'c']
    assert 'skipped 3 already done' in capsys.readouterr().out
    assert mtimes(out) == before
    # A new image is the only one inverted; the CSV keeps the others' rows.
    write_images(tmp_path / 'in', ['d'], seed=1)
    assert run(config, [images], out)['done'] == ['d']
    assert [r['name'] for r in read_rows(out)] == ['a', 'b', 'c', 'd']
    after = mtimes(out)
    assert all(after[p] == t for p, t in before.items()
               if not p.endswith('metrics.csv'))
    assert run(config, [images], out, '--force')['done'] == list('abcd')


def refused(config, inputs, out, capsys, *options):
    """The one stderr line of a refused run (exit status 1)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        run(config, inputs, out, *options)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


FIX = 'give --force to replace them with results of these settings, or ' \
    'another --out'


def test_settings_are_recorded_and_the_same_ones_resume(config, tmp_path):
    images = write_images(tmp_path / 'in', ['a', 'b'])
    out = tmp_path / 'out'
    run(config, [images], out)
    recorded = json.loads((out / 'settings.json').read_text())
    assert recorded == dict(
        config=config, task='reconstruction', degrade=False,
        degradation=dict(type='IdentityDegradation'),
        model=dict(type='ToyInverter', generator=GENERATOR, num_iters=2),
        generator=ToyInverter(GENERATOR).generator.identity())
    # The same model from another file (and another batch size): the same
    # settings, so everything is resumed.
    copy = tmp_path / 'copy.py'
    copy.write_text(open(config).read())
    before = mtimes(out)
    report = run(str(copy), [images], out, '--batch-size', '1')
    assert report['skipped'] == ['a', 'b'] and report['done'] == []
    settings = str(out / 'settings.json')
    assert {p: t for p, t in mtimes(out).items() if p != settings} == {
        p: t for p, t in before.items() if p != settings}
    # The path is there for the reader: it names the latest config.
    assert json.loads((out / 'settings.json').read_text())['config'] == \
        str(copy)


def test_other_task_is_refused_and_force_replaces_all_results(
        config, tmp_path, capsys):
    images = write_images(tmp_path / 'in', ['a', 'b'])
    out = tmp_path / 'out'
    run(config, [images], out)
    before = mtimes(out)
    err = refused(config, [images], out, capsys, '--task', 'colorization')
    assert err == (
        f'error: --out {out}: holds results made with other settings '
        "(degradation.type: 'IdentityDegradation' -> 'Grayscale'; task: "
        f"'reconstruction' -> 'colorization'); {FIX}")
    assert mtimes(out) == before  # nothing written, nothing removed
    # --force with only a: b's results (made for reconstruction) go too, so
    # the folder holds only results of its recorded settings.
    (out / 'notes.txt').write_text('mine')
    report = run(config, [os.path.join(images, 'a.png')], out, '--task',
                 'colorization', '--force')
    assert report['done'] == ['a']
    assert 'removed the results of 2 images made with other settings' in \
        capsys.readouterr().out
    assert [(r['name'], r['task']) for r in read_rows(out)] == [
        ('a', 'colorization')]
    for folder in ('codes', 'restored', 'reconstruction'):
        assert [n[0] for n in os.listdir(out / folder)] == ['a']
    assert (out / 'notes.txt').read_text() == 'mine'
    assert json.loads((out / 'settings.json').read_text())['task'] == \
        'colorization'
    # The new settings now resume; the old ones are refused.
    assert run(config, [images], out, '--task', 'colorization')['done'] == \
        ['b']
    assert "task: 'colorization' -> 'reconstruction'" in refused(
        config, [images], out, capsys)


def test_other_num_iters_mask_or_unknown_settings_are_refused(
        config, tmp_path, capsys):
    images = write_images(tmp_path / 'in', ['a'])
    out = tmp_path / 'out'
    run(config, [images], out, '--num-iters', '1')
    assert refused(config, [images], out, capsys) == (
        f'error: --out {out}: holds results made with other settings '
        f'(model.num_iters: 1 -> 2); {FIX}')
    # A mask is compared by its content, not its path.
    known = np.full((16, 16), 255, np.uint8)
    known[4:12, 4:12] = 0
    for name, value in (('m1.png', 0), ('m2.png', 0), ('m3.png', 255)):
        known[0, 0] = value
        cv2.imwrite(str(tmp_path / name), known)
    masked = tmp_path / 'masked'
    mask = ['--task', 'inpainting', '--degrade', '--mask']
    run(config, [images], masked, *mask, str(tmp_path / 'm1.png'))
    assert run(config, [images], masked, *mask,
               str(tmp_path / 'm2.png'))['skipped'] == ['a']
    assert "degradation.mask: 'sha256:" in refused(
        config, [images], masked, capsys, *mask, str(tmp_path / 'm3.png'))
    assert "degrade: True -> False" in refused(
        config, [images], masked, capsys, *mask[:2], '--mask',
        str(tmp_path / 'm1.png'))
    # Results without settings (an earlier gankd) cannot be checked.
    os.remove(out / 'settings.json')
    assert refused(config, [images], out, capsys, '--num-iters', '1') == (
        f'error: --out {out}: holds results of 1 image but no '
        'settings.json (made by an earlier gankd invert?), so they cannot '
        f'be checked against these settings; {FIX}')
    (out / 'settings.json').write_text('{"task": ')
    assert 'but settings.json is not readable JSON (JSONDecodeError)' in \
        refused(config, [images], out, capsys)
    assert run(config, [images], out, '--force')['done'] == ['a']
    assert json.loads((out / 'settings.json').read_text())['model'][
        'num_iters'] == 2


def test_settings_differences_name_each_leaf():
    old = dict(task='a', model=dict(num_iters=2, lr=0.1, seed=0))
    new = dict(task='a', model=dict(num_iters=3, lr=0.1), degrade=True)
    assert differences(old, new) == [
        'degrade: absent -> True', 'model.num_iters: 2 -> 3',
        'model.seed: 0 -> absent']
    assert differences(old, old) == []


def test_csv_rows_codes_and_pngs_agree(config, tmp_path):
    images = write_images(tmp_path / 'in', ['a', 'b', 'c'])
    out = tmp_path / 'out'
    run(config, [images], out, '--batch-size', '2')
    rows = read_rows(out)
    inverter = ToyInverter(GENERATOR)
    for index, row in enumerate(rows):
        name = row['name']
        saved = torch.load(out / 'codes' / f'{name}.pt', weights_only=True)
        assert saved['space'] == 'z' and saved['codes'].shape == (1, 16)
        assert saved['task'] == 'reconstruction' == row['task']
        # Plain data only: the decoding fields and the generator's identity
        # (never a config that edit would build).
        assert saved['inverter'] == dict(type='ToyInverter',
                                         noise_mode='const')
        assert saved['generator'] == inverter.generator.identity()
        # Extras are sliced per image: this image's own stable index.
        assert saved['index'].tolist() == [index] and saved['layer'] == 'toy'
        assert saved['history'].shape == (2, )
        # The codes render the saved reconstruction (up to a rounding step:
        # it was rendered in a batch of 2).
        with torch.no_grad():
            image = inverter.generator.synthesize(saved['codes'], 'z')
        rendered = to_uint8(image.clamp(-1, 1))[0]
        recon = read_rgb(out / 'reconstruction' / f'{name}.png')
        diff = rendered.permute(1, 2, 0).numpy().astype(int) - recon
        assert np.abs(diff).max() <= 1 and (diff != 0).mean() < 0.01
        # PSNR from its definition, on the written and the input PNGs.
        source = read_rgb(tmp_path / 'in' / f'{name}.png')
        mse = np.mean((recon.astype(float) - source) ** 2)
        assert float(row['psnr']) == pytest.approx(
            10 * np.log10(255**2 / mse), abs=1e-4)
        # The loss is the [-1, 1] MSE: 4 / loss is the same ratio up to the
        # 8-bit rounding of the PNG.
        assert float(row['psnr']) == pytest.approx(
            10 * np.log10(4 / float(row['loss'])), abs=0.05)
        assert int(row['num_iters']) == 2 and float(row['seconds']) > 0
        pair = [torch.from_numpy(x).permute(2, 0, 1)[None]
                for x in (source, recon)]
        assert float(row['ssim']) == pytest.approx(ssim(*pair)[0], abs=1e-4)


def test_batches_give_the_codes_of_single_runs(config, tmp_path):
    images = write_images(tmp_path / 'in', ['a', 'b', 'c'])
    run(config, [images], tmp_path / 'one', '--batch-size', '1')
    run(config, [images], tmp_path / 'all', '--batch-size', '3')
    for name in 'abc':
        one, batched = (torch.load(tmp_path / d / 'codes' / f'{name}.pt',
                                   weights_only=True)['codes']
                        for d in ('one', 'all'))
        torch.testing.assert_close(one, batched)
    a, b = (torch.load(tmp_path / 'one' / 'codes' / f'{n}.pt',
                       weights_only=True)['codes'] for n in 'ab')
    assert not torch.equal(a, b)  # each image its own initialisation


def test_degrade_colorization_keeps_the_input_luma(config, tmp_path):
    images = write_images(tmp_path / 'in', ['a', 'b'])
    out = tmp_path / 'out'
    run(config, [images], out, '--task', 'colorization', '--degrade')
    weights = np.array([0.299, 0.587, 0.114])
    for row in read_rows(out):
        clean = read_rgb(tmp_path / 'in' / f"{row['name']}.png")
        restored = read_rgb(out / 'restored' / f"{row['name']}.png")
        inside = ((restored > 0) & (restored < 255)).all(-1)  # not clipped
        assert inside.mean() > 0.2
        luma_diff = (restored.astype(float) - clean) @ weights
        assert np.abs(luma_diff[inside]).max() <= 1.0  # rounding only
        assert row['task'] == 'colorization'
        assert float(row['psnr']) == pytest.approx(
            psnr(clean.transpose(2, 0, 1)[None],
                 restored.transpose(2, 0, 1)[None])[0], abs=1e-4)


def test_super_resolution_takes_small_observations(config, tmp_path, capsys):
    small = write_images(tmp_path / 'small', ['a'], size=4)
    large = write_images(tmp_path / 'large', ['b'])
    out = tmp_path / 'out'
    report = run(config, [small, large], out, '--task', 'super_resolution')
    assert report['done'] == ['a'] and 'expected 4x4' in report['failed'][0]
    row, = read_rows(out)
    assert row['ssim'] == 'nan'  # 4x4 is below SSIM's 7x7 window
    restored = read_rgb(out / 'restored' / 'a.png')
    assert restored.shape == (16, 16, 3)
    # The metric compares the downsampled output with the observation.
    observed = torch.from_numpy(restored).permute(2, 0, 1)[None].float()
    down = Downsample(4)(observed / 127.5 - 1)
    expected = psnr(to_uint8(down),
                    torch.from_numpy(read_rgb(tmp_path / 'small' / 'a.png'))
                    .permute(2, 0, 1)[None])[0]
    assert float(row['psnr']) == pytest.approx(expected, abs=0.2)


def test_inpainting_needs_a_mask(config, tmp_path, capsys):
    images = write_images(tmp_path / 'in', ['a'])
    with pytest.raises(SystemExit):
        run(config, [images], tmp_path / 'out', '--task', 'inpainting')
    assert 'give --mask PATH' in capsys.readouterr().err
    known = np.full((16, 16), 255, np.uint8)
    known[4:12, 4:12] = 0
    cv2.imwrite(str(tmp_path / 'mask.png'), known)
    run(config, [images], tmp_path / 'out', '--task', 'inpainting',
        '--mask', str(tmp_path / 'mask.png'), '--degrade')
    clean = read_rgb(tmp_path / 'in' / 'a.png')
    restored = read_rgb(tmp_path / 'out' / 'restored' / 'a.png')
    outside = known > 0
    np.testing.assert_array_equal(restored[outside], clean[outside])
    assert not np.array_equal(restored[~outside], clean[~outside])


def test_build_degradation_task_overrides_and_options():
    task, module, cfg = invert_api.build_degradation(
        dict(type='Downsample', factor=2, mode='area'), 'super_resolution')
    assert task == 'super_resolution' and cfg['mode'] == 'area'
    assert module.factor == 2
    task, module, _ = invert_api.build_degradation(
        dict(type='Downsample', factor=2), 'colorization')
    assert task == 'colorization' and isinstance(module, Grayscale)
    assert invert_api.build_degradation(None)[:2] == ('reconstruction', None)
    assert invert_api.build_degradation(
        None, 'super_resolution')[1].factor == 4
    # A config's CentreHoleMask serves inpainting; --mask replaces it.
    hole = dict(type='CentreHoleMask', size=16, hole=4)
    assert invert_api.build_degradation(hole, 'inpainting')[2] == hole
    with pytest.raises(invert_api.InvertError, match='--task inpainting'):
        invert_api.build_degradation(None, 'colorization', mask='m.png')


def test_image_slice_cuts_batch_entries_inside_lists_and_dicts():
    records = [dict(iteration=0, codes=torch.arange(6.).view(3, 2))]
    assert image_slice(records, 1, batch=3)[0]['codes'].tolist() == [[2, 3]]
    assert image_slice(records, 1, batch=3)[0]['iteration'] == 0
    shared = torch.ones(2)  # not batch-first: kept whole
    assert image_slice(shared, 1, batch=3).shape == (2, )


def test_list_inputs_sorts_folders_and_lists(tmp_path):
    write_images(tmp_path / 'f', ['b', 'a'])
    (tmp_path / 'f' / 'notes.md').write_text('x')
    (tmp_path / 'list.txt').write_text('f/c.png\n\n')
    paths = list_inputs([str(tmp_path / 'list.txt'), str(tmp_path / 'f')])
    assert paths == [str(tmp_path / 'f' / n) for n in
                     ('a.png', 'b.png', 'c.png')]
    write_images(tmp_path / 'g', ['a'])
    with pytest.raises(InputListError, match="named 'a'"):
        list_inputs([str(tmp_path / 'f'), str(tmp_path / 'g')])
    (tmp_path / 'empty').mkdir()
    with pytest.raises(InputListError, match='no images'):
        list_inputs([str(tmp_path / 'empty')])


def test_gankd_invert_with_latent_inverter(tmp_path, run_tool):
    """End to end: the ``gankd invert`` command, the real LatentInverter."""
    config = tmp_path / 'latent.py'
    config.write_text(
        f"model = dict(type='LatentInverter', generator={GENERATOR!r}, "
        "space='wp')\n")
    images = write_images(tmp_path / 'in', ['a', 'b'])
    out = tmp_path / 'out'
    result = run_tool(['-m', 'gankd.cli', 'invert', str(config), images,
                       '--out', str(out), '--num-iters', '2', '--task',
                       'colorization', '--degrade'])
    assert 'inverted 2 images (colorization' in result.stdout
    assert [r['num_iters'] for r in read_rows(out)] == ['2', '2']
    saved = torch.load(out / 'codes' / 'a.pt', weights_only=True)
    assert saved['space'] == 'wp' and saved['codes'].shape[0] == 1
    assert saved['inverter'] == dict(type='LatentInverter', space='wp',
                                     noise_mode='const')
    assert saved['degradation'] == dict(type='Grayscale')

"""tools/evaluate_inversion.py on a tiny random StyleGAN2: the scores are
PSNR / SSIM of the saved outputs against the clean images, cells resume,
and the table, json and grids are written."""
import json
import os

import cv2
import numpy as np
import pytest
import torch

from gankd.apis import inversion_eval
from gankd.evaluation import psnr
from gankd.utils.images import dataset_images

GAN = 'tests/data/configs/tiny_stylegan2_gan.py'
CONFIG = f"""
default_scope = 'gankd'
generator = dict(config='{GAN}', checkpoint='{{ckpt}}')
images = dict(type='SynthFaces', split='test', seed=0, img_size=16,
              num_identities=8)
num_images = 3
num_iters = 4
loss = dict(type='InversionLoss')
tasks = dict(reconstruction=dict(type='IdentityDegradation'),
             super_resolution=dict(type='Downsample', factor=2))
rows = [
    dict(name='wp', inverter=dict(type='LatentInverter', space='wp',
                                  optimizer=dict(type='Adam', lr=0.05))),
    dict(name='mGANprior N=2 mid', inverter=dict(
        type='MultiCodeInverter', num_codes=2, layer='synthesis.layer2',
        optimizer=dict(type='Adam', lr=0.05))),
]
"""


@pytest.fixture(scope='module')
def evaluated(tmp_path_factory):
    from gankd.utils.frozen_generator import build_config_generator
    root = tmp_path_factory.mktemp('eval')
    torch.manual_seed(0)
    torch.save(build_config_generator(GAN).state_dict(), root / 'g.pth')
    config = root / 'evaluation.py'
    config.write_text(CONFIG.format(ckpt=root / 'g.pth'))
    work = root / 'work'
    results = inversion_eval.evaluate_inversion(str(config), str(work))
    return str(config), str(work), results


def test_scores_are_those_of_the_saved_outputs(evaluated):
    config, work, results = evaluated
    images = dataset_images(dict(
        type='SynthFaces', split='test', seed=0, img_size=16,
        num_identities=8), 3)
    clean = ((images + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
    for task in ('reconstruction', 'super_resolution'):
        for row, slug in (('wp', 'wp'),
                          ('mGANprior N=2 mid', 'mganprior_n2_mid')):
            cell = inversion_eval._load_cell(
                os.path.join(work, 'cells', f'{task}__{slug}.pt'))
            expected = psnr(cell['restored'], clean.numpy())
            assert np.allclose(results[task][row]['psnr'], expected)
            assert len(results[task][row]['ssim']) == 3
    saved = json.load(open(os.path.join(work, 'results.json')))
    assert saved['reconstruction']['wp']['psnr'] == pytest.approx(
        results['reconstruction']['wp']['psnr'])
    table = open(os.path.join(work, 'results.md')).read()
    assert table.count('\n') == 5  # header, rule, reference, two rows
    # the no-GAN reference of super-resolution is bicubic upsampling
    low = torch.nn.functional.interpolate(images, scale_factor=0.5,
                                          mode='bilinear')
    bicubic = torch.nn.functional.interpolate(low, scale_factor=2,
                                              mode='bicubic').clamp(-1, 1)
    reference = results['super_resolution'][inversion_eval.OBSERVATION_ROW]
    assert np.allclose(reference['psnr'], psnr(
        ((bicubic + 1) * 127.5).round().to(torch.uint8).numpy(),
        clean.numpy()))
    assert inversion_eval.OBSERVATION_ROW not in results['reconstruction']
    for task in ('reconstruction', 'super_resolution'):
        assert os.path.isfile(os.path.join(work, f'grid_{task}.png'))
    # the clean images, as files for tools/invert.py
    folder = os.path.join(work, 'images')
    assert sorted(os.listdir(folder)) == ['0000.png', '0001.png', '0002.png']
    first = cv2.imread(os.path.join(folder, '0001.png'))[..., ::-1]
    assert np.array_equal(first, clean[1].permute(1, 2, 0).numpy())


def test_rerun_reuses_cells_and_bad_names_are_one_line(evaluated, capsys):
    config, work, results = evaluated
    cells = os.path.join(work, 'cells')
    stamps = {n: os.stat(os.path.join(cells, n)).st_mtime_ns
              for n in os.listdir(cells)}
    again = inversion_eval.evaluate_inversion(config, work,
                                              rows=['wp'])
    assert again['reconstruction']['wp'] == results['reconstruction']['wp']
    assert stamps == {n: os.stat(os.path.join(cells, n)).st_mtime_ns
                      for n in os.listdir(cells)}
    assert 'cached' in capsys.readouterr().out
    with pytest.raises(inversion_eval.EvaluationError, match='unknown row'):
        inversion_eval.evaluate_inversion(config, work, rows=['nope'])


def test_markdown_table_marks_the_best_psnr():
    results = dict(t=dict(a=dict(psnr=[20.0, 22.0], ssim=[0.5, 0.7]),
                          b=dict(psnr=[25.0], ssim=[0.9])))
    table = inversion_eval.markdown_table(results, ['t'], ['a', 'b', 'c'])
    lines = table.splitlines()
    assert lines[2] == '| a | 21.00 / 0.600 |'
    assert lines[3] == '| b | **25.00 / 0.900** |'
    assert lines[4] == '| c | — |'

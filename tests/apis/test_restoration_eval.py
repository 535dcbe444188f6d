"""tools/analysis/evaluate_restoration.py on a tiny random ENTED (16x16):
its rows equal the metrics computed here by hand from the test dataset,
the reference modes and the zeroed reference change the result, and the
perceptual distance is LPIPS's formula without weights."""
import json

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from gankd.apis.restoration_eval import (RestorationEvalError,
                                         build_test_dataset, feature_distance)
from gankd.evaluation.image_quality import psnr, ssim, to_uint8
from gankd.kinds import build_restorer
from gankd.registry import scope_config_types

CONFIG = 'tests/data/configs/tiny_ented_stage_b.py'
TOOL = 'tools/analysis/evaluate_restoration.py'


def checkpoint(path, seed=0):
    model = Config.fromfile(CONFIG).model.to_dict()
    model.update(init_from=None, discriminator=None)
    torch.manual_seed(seed)
    restorer = build_restorer(scope_config_types(model)).eval()
    torch.save(dict(state_dict=restorer.state_dict(), meta={}), str(path))
    return restorer


def test_feature_distance_is_unweighted_lpips():
    class TwoLayers(torch.nn.Module):
        def forward(self, x):
            return [x, x[:, :2, ::2, ::2]]

    a = torch.zeros(1, 3, 2, 2)
    a[:, 0] = 1.0  # unit vector e0 everywhere
    b = torch.zeros(1, 3, 2, 2)
    b[:, 1] = 3.0  # e1 after normalisation
    # layer 1: |e0 - e1|^2 = 2 at each position; layer 2 (first two
    # channels, one position): 2 again
    assert feature_distance(TwoLayers(), a, b) == pytest.approx([4.0])
    assert feature_distance(TwoLayers(), a, a * 5) == pytest.approx([0.0])


def test_rows_equal_metrics_computed_by_hand(tmp_path, run_tool):
    restorer = checkpoint(tmp_path / 'ented.pth')
    out = tmp_path / 'results.json'
    run_tool([TOOL, CONFIG, str(tmp_path / 'ented.pth'), '--name', 'tiny',
              '--references', 'paired', 'other_identity',
              '--zero-reference', '--inputs', 'bicubic', 'bilinear',
              '--perceptual-net', 'none', '--batch-size', '3',
              '--out', str(out)])
    rows = {row['name']: row for row in json.loads(out.read_text())['rows']}
    assert set(rows) == {'tiny', 'tiny (other_identity)',
                         'tiny (zeroed reference)', 'input (bicubic)',
                         'input (bilinear)'}

    cfg = Config.fromfile(CONFIG)
    data = restorer.data_preprocessor(pseudo_collate(
        [build_test_dataset(cfg)[i] for i in range(4)]), False)
    gt = to_uint8(torch.stack([s.gt_img for s in data['data_samples']]))
    with torch.no_grad():
        out_img = restorer.restore(data['inputs']['degraded'],
                                   data['inputs']['reference']).clamp(-1, 1)
    assert rows['tiny']['n'] == 4
    assert rows['tiny']['psnr'] == pytest.approx(
        np.minimum(psnr(to_uint8(out_img), gt), 100).mean())
    assert rows['tiny']['ssim'] == pytest.approx(
        ssim(to_uint8(out_img), gt).mean())
    # the config's input is upsampled bilinearly: its row is the input's
    degraded = to_uint8(data['inputs']['degraded'])
    assert rows['input (bilinear)']['psnr'] == pytest.approx(
        np.minimum(psnr(degraded, gt), 100).mean())
    assert rows['input (bicubic)']['psnr'] != rows['input (bilinear)'][
        'psnr']
    # another person's reference, and no reference, give other images
    for name in ('tiny (other_identity)', 'tiny (zeroed reference)'):
        assert rows[name]['psnr'] != rows['tiny']['psnr'], name

    # a second model is added to the same file; the first one's rows stay
    checkpoint(tmp_path / 'other.pth', seed=1)
    run_tool([TOOL, CONFIG, str(tmp_path / 'other.pth'), '--name', 'other',
              '--perceptual-net', 'none', '--out', str(out)])
    names = [row['name'] for row in json.loads(out.read_text())['rows']]
    assert names.count('tiny') == 1 and names[-1] == 'other'


def test_reference_mode_needs_a_reference_dataset():
    cfg = Config.fromfile(CONFIG)
    cfg.test_dataloader.dataset = dict(type='SynthFaces', img_size=16)
    with pytest.raises(RestorationEvalError, match='no reference'):
        build_test_dataset(cfg, reference='other_identity')

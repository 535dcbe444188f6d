"""BaseRestorer made real: the packed batch format, the preprocessor's
exact values, the input checks, and a restorer through the Runner's
train, val and test loops with image-quality metrics."""
import cv2
import numpy as np
import pytest
import torch
from torch import nn

from gankd.apis.config import prepare_config
from gankd.config import load_config
from gankd.datasets import PackRestorationInputs
from gankd.engine import GankdRunner
from gankd.evaluation import psnr, ssim
from gankd.kinds import BaseRestorer, RestorerInputError, build_restorer
from gankd.models.data_preprocessors import (RestorationBatchError,
                                             RestorationDataPreprocessor)
from gankd.registry import DATASETS, MODELS

CONFIG = 'tests/data/configs/tiny_restorer.py'


class ToyRestorer(BaseRestorer):
    """``gain * degraded + mix * reference``; at init the identity."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gain = nn.Parameter(torch.ones(()))
        self.mix = nn.Parameter(torch.zeros(()))

    def restore(self, degraded, reference=None):
        return self.gain * degraded + self.mix * reference

    def loss(self, inputs, data_samples):
        gt = torch.stack([sample.gt_img for sample in data_samples])
        return {'gen.loss_l1': (self._forward(inputs) - gt).abs().mean()}


def packed(gt, lq, ref):
    return PackRestorationInputs()(dict(img=gt, lq_img=lq, ref_img=ref,
                                        sample_idx=3))


def test_preprocessor_flips_to_rgb_and_maps_0_255_to_minus1_1():
    gt = np.zeros((2, 2, 3), np.uint8)
    gt[..., 0] = 255  # blue in BGR
    lq = np.full((2, 2, 3), 51, np.uint8)
    ref = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    batch = packed(gt, lq, ref)
    assert batch['data_samples'].sample_idx == 3
    out = RestorationDataPreprocessor()(dict(
        inputs={k: [v] for k, v in batch['inputs'].items()},
        data_samples=[batch['data_samples']]))
    gt_img = out['data_samples'][0].gt_img
    assert torch.equal(gt_img[2], torch.ones(2, 2))  # blue is RGB's last
    assert torch.equal(gt_img[0], -torch.ones(2, 2))
    assert torch.allclose(out['inputs']['degraded'],
                          torch.full((1, 3, 2, 2), 51 / 127.5 - 1))
    # pixel (0, 0) of ref is BGR (0, 1, 2): RGB (2, 1, 0)
    assert torch.allclose(out['inputs']['reference'][0, :, 0, 0],
                          torch.tensor([2, 1, 0]) / 127.5 - 1)
    with pytest.raises(RestorationBatchError, match='uint8'):
        RestorationDataPreprocessor()(dict(inputs=dict(
            degraded=[torch.zeros(3, 2, 2)])))
    with pytest.raises(RestorationBatchError, match='different sizes'):
        RestorationDataPreprocessor()(dict(inputs=dict(degraded=[
            torch.zeros(3, 2, 2, dtype=torch.uint8),
            torch.zeros(3, 4, 4, dtype=torch.uint8)])))


def test_pack_names_what_is_missing():
    img = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(Exception, match='ReferencePairDataset'):
        PackRestorationInputs()(dict(img=img, lq_img=img))
    with pytest.raises(Exception, match='uint8'):
        PackRestorationInputs()(dict(img=img, lq_img=img.astype(float),
                                     ref_img=img))
    # restorers without a reference; real photos without ground truth
    out = PackRestorationInputs(reference_key=None)(dict(lq_img=img))
    assert set(out['inputs']) == {'degraded'}
    assert 'gt_img' not in out['data_samples']


def test_input_checks_and_predict(temp_register):
    temp_register(MODELS, ToyRestorer, 'ToyRestorerForTest')
    model = build_restorer(dict(type='ToyRestorerForTest'))
    x = torch.rand(2, 3, 8, 8) * 2 - 1
    with pytest.raises(RestorerInputError, match='reference'):
        model.predict(dict(degraded=x))
    with pytest.raises(RestorerInputError, match='one per image'):
        model.predict(dict(degraded=x, reference=x[:1]))
    with pytest.raises(RestorerInputError, match=r'float \[N, 3, H, W\]'):
        model.predict(dict(degraded=x[:, :1], reference=x))
    samples = model.predict(dict(degraded=x * 3, reference=x))
    assert len(samples) == 2 and samples[0].pred_img.shape == (3, 8, 8)
    assert torch.equal(samples[1].pred_img, (x[1] * 3).clamp(-1, 1))


def dataset_scores(cfg):
    """PSNR and SSIM of the degraded images themselves, straight from the
    val dataset (no preprocessor, no model)."""
    ds = DATASETS.build(cfg.val_dataloader.dataset)
    lq = torch.stack([ds[i]['inputs']['degraded'] for i in range(len(ds))])
    gt = torch.stack([ds[i]['data_samples'].gt_img for i in range(len(ds))])
    return psnr(lq, gt).mean(), ssim(lq, gt).mean()


def test_restorer_trains_validates_and_tests_with_the_runner(
        tmp_path, temp_register):
    temp_register(MODELS, ToyRestorer, 'ToyRestorerForTest')
    cfg = load_config(CONFIG)
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = tmp_path.name
    cfg.custom_hooks = [dict(type='RestorationGridHook', num_samples=3)]
    runner = GankdRunner.from_cfg(prepare_config(cfg, 'train'))
    # the identity restorer scores exactly what the degraded images score:
    # the channel order and the [-1, 1] mapping are right end to end
    metrics = runner.test()
    expected_psnr, expected_ssim = dataset_scores(cfg)
    assert metrics['image/psnr'] == pytest.approx(expected_psnr, abs=1e-9)
    assert metrics['image/ssim'] == pytest.approx(expected_ssim, abs=1e-9)
    # the grid: 3 rows of in | ref | out | gt (32 px tiles, 2 px gaps, a
    # 12 px header); the identity restorer's output tile is its input
    grid = cv2.imread(str(tmp_path / 'vis' / 'test_iter_000000.png'))
    assert grid.shape == (12 + 3 * 34 + 2, 4 * 34 + 2, 3)
    tile = lambda row, col: grid[14 + 34 * row:46 + 34 * row,  # noqa: E731
                                 2 + 34 * col:34 + 34 * col]
    ds = DATASETS.build(cfg.val_dataloader.dataset)
    first = ds[0]
    assert np.array_equal(tile(0, 0), first['inputs']['degraded'].permute(
        1, 2, 0).numpy())  # both BGR here: cv2 reads BGR
    assert np.array_equal(tile(0, 2), tile(0, 0))
    assert np.array_equal(tile(0, 3), first['data_samples'].gt_img.permute(
        1, 2, 0).numpy())
    runner.train()
    model = runner.model
    assert runner.iter == 6
    # L1 towards the ground truth moved both scalars off the identity
    assert model.gain.item() != 1.0 and model.mix.item() != 0.0
    assert np.isfinite(
        runner.message_hub.log_scalars['train/gen.loss_l1'].current())
    # the val loop scores the trained model: other values than the identity
    val = runner.val()
    assert set(val) == {'image/psnr', 'image/ssim'}
    assert val['image/psnr'] != pytest.approx(expected_psnr, abs=1e-6)

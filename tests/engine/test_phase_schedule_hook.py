"""PhaseScheduleHook with a real Runner (one process, in-process): each
phase's settings reach the optimizer at the iterations they should, the
logged LR is the one used, a resumed run sets the same values, a config
without settings keeps its param_scheduler's LR, and a competing LR
scheduler is refused."""
import math
import shutil

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.optim.scheduler import CosineRestartLR

from gankd.apis.config import prepare_config
from gankd.config import load_config
from gankd.engine import GankdRunner
from gankd.errors import ConfigError
from gankd.utils.checkpoint import load_training_checkpoint

PHASED = 'tests/data/configs/tiny_sskd_phases.py'
OLD_FORM = 'tests/data/configs/tiny_residual_kd.py'


class Recorder(Hook):
    """(epoch, batch, lr, weight_decay, momentum, logged lr) per iteration,
    read just before the step, after every other hook's before_train_iter
    (registered LOWEST)."""

    def __init__(self):
        self.rows = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        group = runner.optim_wrapper.optimizer.param_groups[0]
        self.rows.append((runner.epoch, batch_idx, group['lr'],
                          group['weight_decay'], group['momentum'],
                          runner.message_hub.get_scalar('train/lr').current()))


def train(tmp_path, config, name, **options):
    cfg = load_config(config)
    cfg.merge_from_dict(dict(work_dir=str(tmp_path / name),
                             experiment_name=f'{tmp_path.name}_{name}',
                             **options))
    runner = GankdRunner.from_cfg(prepare_config(cfg, 'train'))
    recorder = Recorder()
    runner.register_hook(recorder, 'LOWEST')
    runner.train()
    return recorder.rows


# 32 images in batches of 8: 4 iterations per epoch; stage1 lasts 2 epochs.
ONE_PROCESS = {'train_dataloader.dataset.num_samples': 32,
               'train_dataloader.batch_size': 8,
               'model.stage_epochs': [2, 1], 'train_cfg.max_epochs': 4}


def test_phase_settings_reach_the_optimizer_and_resume_exactly(tmp_path):
    rows = train(tmp_path, PHASED, 'unbroken', **ONE_PROCESS)
    assert len(rows) == 16
    by_iter = {row[:2]: row[2:5] for row in rows}

    def cosine(peak, t, steps, eta_min=0.001):
        return eta_min + (peak - eta_min) * (1 + math.cos(math.pi * t /
                                                          steps)) / 2

    # stage1, epochs 1-2 (8 iterations): cosine from 0.1, warm-up over 2
    # iterations from x0.5; the optimizer's weight decay and momentum.
    expected = {
        (0, 0): (0.1 * 0.5, 0.01, 0.9),
        (0, 1): (cosine(0.1, 1, 8), 0.01, 0.9),
        (1, 0): (cosine(0.1, 4, 8), 0.01, 0.9),  # = 0.0505
        (1, 3): (cosine(0.1, 7, 8), 0.01, 0.9),
        # stage2, epoch 3: linear from 0.05 to 0.001, momentum 0.5
        (2, 0): (0.05, 0.01, 0.5),
        (2, 2): (0.05 - 0.049 / 2, 0.01, 0.5),
        # head, epoch 4: constant 0.2, no weight decay
        (3, 0): (0.2, 0.0, 0.9),
        (3, 3): (0.2, 0.0, 0.9),
    }
    for key, (lr, decay, momentum) in expected.items():
        got = by_iter[key]
        assert got[0] == pytest.approx(lr, rel=1e-12, abs=0), key
        assert got[1:3] == (decay, momentum), key
    # What is logged is what is used (the hook runs before RuntimeInfoHook).
    assert all(row[2] == row[5] for row in rows)

    # Resumed mid-phase (after epoch 1 of stage1's 2): the same values at
    # every remaining iteration, and the same final weights, bit for bit.
    resumed = tmp_path / 'resumed'
    resumed.mkdir()
    shutil.copy(tmp_path / 'unbroken' / 'epoch_1.pth', resumed)
    again = train(tmp_path, PHASED, 'resumed', resume=True,
                  load_from=str(resumed / 'epoch_1.pth'), **ONE_PROCESS)
    assert again == rows[4:]
    final = [load_training_checkpoint(str(tmp_path / run / 'epoch_4.pth'))[
        'state_dict'] for run in ('unbroken', 'resumed')]
    assert all(torch.equal(final[0][k], final[1][k]) for k in final[0])


# 2 iterations per epoch: enough for the LR to move within epochs.
SMALL = {'train_dataloader.dataset.num_samples': 32,
         'train_dataloader.batch_size': 16,
         'val_dataloader.dataset.num_samples': 16}


def test_a_config_without_settings_keeps_its_scheduler_lr(tmp_path):
    """tiny_residual_kd.py: one CosineRestartLR per phase, per iteration;
    the hook must leave the LR, weight decay and momentum alone."""
    cfg = load_config(OLD_FORM)
    rows = train(tmp_path, OLD_FORM, 'old', **SMALL)
    epoch_length = len(rows) // cfg.train_cfg.max_epochs
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = []
    for item in cfg.param_scheduler:
        item = dict(item)
        item.pop('type'), item.pop('convert_to_iter_based')
        schedulers.append(CosineRestartLR.build_iter_from_epoch(
            optimizer, epoch_length=epoch_length, **item))
    expected = []
    for _ in rows:
        expected.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    assert [row[2] for row in rows] == expected
    assert {row[3:5] for row in rows} == {(0, 0.9)}


def test_a_competing_lr_scheduler_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r'param_scheduler: CosineAnneal'
                       r'ingLR schedules lr, which the model\'s phases set'):
        train(tmp_path, PHASED, 'refused', param_scheduler=[dict(
            type='CosineAnnealingLR', by_epoch=True, T_max=3)])

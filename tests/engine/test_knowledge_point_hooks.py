"""CheckpointAtEpochsHook and WeightDistanceHook in a real (tiny) Runner:
the epoch list is saved, d_e is a path length normalised by the initial
norm (spec kd_knowledge_points §6 check 10), and an interrupted run
resumed from its checkpoint writes the same record and files as an
unbroken one."""
import json
import os

import pytest
import torch
from mmengine.hooks import Hook

from gankd.apis.config import prepare_config
from gankd.config import load_config
from gankd.engine import GankdRunner
from gankd.errors import ConfigError
from gankd.utils.checkpoint import load_training_checkpoint

CONFIG = 'tests/data/configs/tiny_synthshapes.py'
# 32 images of 8x8 in batches of 8: 4 iterations per epoch, 3 epochs.
TINY = {'train_dataloader.dataset.num_samples': 32,
        'train_dataloader.dataset.img_size': 8,
        'val_dataloader.dataset.img_size': 8,
        'test_dataloader.dataset.img_size': 8,
        'train_dataloader.batch_size': 8,
        'val_dataloader.dataset.num_samples': 8,
        'test_dataloader.dataset.num_samples': 8,
        'train_cfg.max_epochs': 3, 'train_cfg.val_interval': 10,
        'param_scheduler': []}
HOOKS = [dict(type='CheckpointAtEpochsHook', epochs=[0, 1, 3]),
         dict(type='WeightDistanceHook', layer='head.fc')]


@pytest.fixture(autouse=True)
def one_thread():
    # tiny steps: a second thread only contends on a busy machine
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class Interrupt(Hook):
    """Stops the run after epoch ``at`` (once its checkpoint is saved)."""

    def __init__(self, at):
        self.at = at

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.at:
            raise KeyboardInterrupt


def train(work_dir, hooks=HOOKS, interrupt=None, resume=False, **options):
    cfg = load_config(CONFIG)
    cfg.merge_from_dict(dict(work_dir=str(work_dir), custom_hooks=hooks,
                             resume=resume,
                             experiment_name=os.path.basename(work_dir),
                             **{**TINY, **options}))
    runner = GankdRunner.from_cfg(prepare_config(cfg, 'train'))
    if interrupt:
        runner.register_hook(Interrupt(interrupt), 'LOWEST')
    try:
        runner.train()
    except KeyboardInterrupt:
        pass
    return runner


def record(work_dir):
    with open(os.path.join(work_dir, 'weight_distance.json')) as file:
        return json.load(file)


def weight(work_dir, epoch):
    state = load_training_checkpoint(
        os.path.join(work_dir, f'snapshot_epoch_{epoch}.pth'))
    assert state['meta']['snapshot_epoch'] == epoch
    return state['state_dict']['head.fc.weight'].double()


def test_epoch_list_path_length_and_resume(tmp_path):
    unbroken = tmp_path / 'unbroken'
    train(unbroken)
    files = sorted(f for f in os.listdir(unbroken)
                   if f.startswith('snapshot_epoch_'))
    assert files == ['snapshot_epoch_0.pth', 'snapshot_epoch_1.pth',
                     'snapshot_epoch_3.pth']
    rec = record(unbroken)
    assert rec['params'] == ['head.fc.weight']
    assert len(rec['distance']) == 3 and min(rec['distance']) > 0
    w0, w3 = weight(unbroken, 0), weight(unbroken, 3)
    assert rec['initial_norm'] == pytest.approx(float(w0.norm()), rel=1e-6)
    assert rec['path_length'][-1] == pytest.approx(sum(rec['distance']))
    # a path is at least as long as the straight line between its ends
    endpoint = float((w3 - w0).norm() / w0.norm())
    assert rec['path_length'][-1] >= endpoint > 0

    broken = tmp_path / 'broken'
    train(broken, interrupt=2)
    assert len(record(broken)['distance']) == 2
    assert not os.path.exists(broken / 'snapshot_epoch_3.pth')
    first_save = os.path.getmtime(broken / 'snapshot_epoch_0.pth')
    train(broken, resume=True)
    resumed = record(broken)
    assert resumed['initial_norm'] == rec['initial_norm']
    assert resumed['distance'] == pytest.approx(rec['distance'], rel=1e-9)
    assert os.path.getmtime(broken / 'snapshot_epoch_0.pth') == first_save
    assert torch.equal(weight(broken, 3), w3)


def test_zero_lr_gives_zero_distance_and_all_params(tmp_path):
    train(tmp_path / 'still', **{'train_cfg.max_epochs': 2},
          optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.0,
                                            momentum=0.0)),
        hooks=[dict(type='WeightDistanceHook', all_params=True)])
    rec = record(tmp_path / 'still')
    assert rec['distance'] == [0.0, 0.0]
    assert 'head.fc.bias' in rec['params'] and len(rec['params']) > 10


def test_bad_hook_settings_are_one_line(tmp_path):
    with pytest.raises(ConfigError, match="did you mean head.fc.weight"):
        train(tmp_path / 'typo', hooks=[
            dict(type='WeightDistanceHook', params=['head.fc.weigth'])])
    with pytest.raises(ConfigError, match=r'epochs \[5\] come after '
                                          r'train_cfg.max_epochs \(3\)'):
        train(tmp_path / 'late',
              hooks=[dict(type='CheckpointAtEpochsHook', epochs=[0, 5])])
    with pytest.raises(ConfigError, match='exactly one of'):
        train(tmp_path / 'both', hooks=[
            dict(type='WeightDistanceHook', layer='head.fc',
                 all_params=True)])


def test_resume_without_the_state_is_refused(tmp_path):
    work = tmp_path / 'late_hook'
    train(work, hooks=[], interrupt=1)
    with pytest.raises(ConfigError, match='no weight-distance state'):
        train(work, resume=True,
              hooks=[dict(type='WeightDistanceHook', layer='head.fc')])

"""Two-process torchrun training on CPU (gloo) through tools/dist_train.sh,
plain and in phases."""
import os
import re
import shutil
import subprocess
import sys

import pytest
import torch

from gankd.utils.checkpoint import load_training_checkpoint

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def test_two_process_torchrun_on_cpu(tmp_path):
    work_dir = str(tmp_path / 'dist')
    env = dict(os.environ, PYTHON=sys.executable, PORT='29517',
               PYTHONUNBUFFERED='1')
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', 'tests/data/configs/tiny_synthshapes.py',
         '2', '--work-dir', work_dir, '--cfg-options',
         'train_cfg.max_epochs=1', 'train_cfg.val_interval=1'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert 'Distributed training: True' in log
    # What is used, not what the config's dist_cfg asks (nccl) nor the
    # world size as a GPU count.
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert re.search(r'\n\s+Processes: 2\n\s+GPU number: 0\n', log)
    # mmengine's unused FileClient no longer warns on every run.
    assert '"FileClient" will be deprecated' not in log
    assert '"HardDiskBackend" is the alias' not in log
    assert 'Setting MKL_NUM_THREADS' not in log  # the script sets it
    # 512 samples, batch 32: 16 iterations alone, 8 per rank with 2 ranks.
    assert re.search(r'Epoch\(train\) \[1\]\[8/8\]', log), log[-2000:]
    state = load_training_checkpoint(os.path.join(work_dir, 'epoch_1.pth'))
    # DDP's wrapper prefix is stripped: a plain model state dict was saved.
    assert all(not key.startswith('module.') for key in state['state_dict'])
    assert torch.isfinite(state['state_dict']['head.fc.weight']).all()


def dist_train(config, work_dir, port, *args):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(port),
               PYTHONUNBUFFERED='1')
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', config, '2', '--work-dir', work_dir,
         *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    return log


def weights(work_dir, epoch):
    return load_training_checkpoint(
        os.path.join(work_dir, f'epoch_{epoch}.pth'))['state_dict']


# Per method: its tiny phased config (3 phases of 1 epoch, per-phase
# settings) and what trains in epochs 2 and 3.
PHASED = {
    'sskd': ('tests/data/configs/tiny_sskd_phases.py', 29541,
             ['student.backbone.layer2.', 'student.head.']),
    'residual_kd': ('tests/data/configs/tiny_residual_kd_phases.py', 29543,
                    ['student.backbone.assistant.', 'student.head.']),
}


@pytest.mark.parametrize('method', sorted(PHASED))
def test_phased_training_on_two_processes_equals_one(method, tmp_path,
                                                     run_tool):
    """Two processes with 16 images each train like one with 32 (the same
    global batches: DefaultSampler deals rank r the shuffled indices r,
    r + 2, ...), in every phase; frozen parts do not move (no gradient, so
    no weight decay or momentum); and a run resumed at a phase boundary
    ends bit-identical to the unbroken one."""
    config, port, trained = PHASED[method]
    one, two, resumed = (str(tmp_path / name)
                         for name in ('one', 'two', 'resumed'))
    run_tool(['tools/train.py', config, '--work-dir', one, '--cfg-options',
              'train_dataloader.batch_size=32'])
    log = dist_train(config, two, port)
    assert re.search(r'\n\s+Processes: 2\n', log)
    assert 'phase 3/3 "head"' in log
    for epoch in (1, 2, 3):
        single, double = weights(one, epoch), weights(two, epoch)
        for key in single:
            torch.testing.assert_close(double[key], single[key], rtol=1e-5,
                                       atol=1e-6, msg=f'epoch {epoch} {key}')
    for epoch, prefix in zip((2, 3), trained):
        before, after = weights(two, epoch - 1), weights(two, epoch)
        changed = {k for k in after if not torch.equal(after[k], before[k])}
        assert changed and all(k.startswith(prefix) for k in changed), (
            epoch, sorted(changed)[:5])

    # Stopped at the end of phase 1, resumed into phase 2.
    os.makedirs(resumed)
    shutil.copy(os.path.join(two, 'epoch_1.pth'), resumed)
    with open(os.path.join(resumed, 'last_checkpoint'), 'w') as f:
        f.write(os.path.join(resumed, 'epoch_1.pth'))
    log = dist_train(config, resumed, port + 1, '--resume')
    assert 'resumed epoch: 1' in log and 'phase 2/3' in log
    expected, actual = weights(two, 3), weights(resumed, 3)
    assert all(torch.equal(expected[k], actual[k]) for k in expected)

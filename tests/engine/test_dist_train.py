"""Two-process torchrun training on CPU (gloo) through tools/dist_train.sh."""
import os
import re
import subprocess
import sys

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


def test_phased_training_refuses_several_processes(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable, PORT='29518',
               PYTHONUNBUFFERED='1')
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', 'tests/data/configs/tiny_sskd.py',
         '2', '--work-dir', str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert ('4 training phases on 2 processes are not supported'
            in result.stdout + result.stderr)

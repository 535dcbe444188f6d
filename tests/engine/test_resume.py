"""Kill training with SIGKILL mid-epoch, resume, end with the same weights."""
import os
import signal
import subprocess
import sys
import time

import torch

from gankd.utils.checkpoint import load_training_checkpoint

CONFIG = 'tests/data/configs/tiny_synthshapes.py'


def final_state(work_dir):
    state = load_training_checkpoint(os.path.join(work_dir, 'epoch_3.pth'))
    return state['state_dict']


def test_sigkill_mid_epoch_then_resume_matches_unbroken_run(
        tmp_path, run_tool):
    unbroken = str(tmp_path / 'unbroken')
    result = run_tool(['tools/train.py', CONFIG, '--work-dir', unbroken])
    # mmengine's unused FileClient (hook set-up, each save) is not reported.
    log = result.stdout + result.stderr
    assert '"FileClient" will be deprecated' not in log
    assert '"HardDiskBackend" is the alias' not in log

    broken = str(tmp_path / 'broken')
    process = subprocess.Popen(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir', broken],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED='1'))
    killed_at = None
    deadline = time.time() + 300
    for line in process.stdout:
        # Epoch 2 is under way (its log line at iteration 4 of 16): kill.
        if 'Epoch(train) [2][ 4/16]' in line:
            process.send_signal(signal.SIGKILL)
            killed_at = line
            break
        assert time.time() < deadline, 'training never reached epoch 2'
    process.wait()
    assert killed_at is not None and process.returncode == -signal.SIGKILL
    assert not os.path.exists(os.path.join(broken, 'epoch_2.pth'))
    assert open(os.path.join(broken, 'last_checkpoint')).read().strip() \
        .endswith('epoch_1.pth')

    result = run_tool(['tools/train.py', CONFIG, '--work-dir', broken,
                       '--resume'])
    assert 'Load checkpoint from' in result.stdout + result.stderr
    assert 'resumed epoch: 1' in result.stdout + result.stderr

    expected, actual = final_state(unbroken), final_state(broken)
    assert expected.keys() == actual.keys()
    for key in expected:
        assert torch.equal(expected[key], actual[key]), key
    # Not vacuous: training changed the weights between epochs.
    first = load_training_checkpoint(os.path.join(unbroken, 'epoch_1.pth'))
    assert not torch.equal(first['state_dict']['head.fc.weight'],
                           expected['head.fc.weight'])

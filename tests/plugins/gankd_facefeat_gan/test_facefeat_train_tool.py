"""Every stage through tools/train.py's code (in-process, tiny 16x16
config): stage 1, then 2a from it (load_from), then 2b from 2a, and the
single-stage baseline; one subprocess test kills stage 2b mid-stage and
resumes it to the weights of an unbroken run."""
import os
import signal
import subprocess
import sys
import time
import warnings

import torch

from gankd.utils.checkpoint import load_training_checkpoint

CONFIG = 'tests/data/configs/tiny_facefeat_gan.py'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def train(work_dir, *options):
    """Two iterations of the tiny config (checkpoint ``iter_2.pth``)."""
    from gankd.apis.train import main
    argv = [os.path.join(REPO, CONFIG), '--work-dir', str(work_dir),
            '--cfg-options', 'train_cfg.max_iters=2', *options]
    cwd = os.getcwd()
    os.chdir(REPO)  # the config's paths are relative to the repository
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', '.* without checkpoint')
            main(argv)
    finally:
        os.chdir(cwd)
    return load_training_checkpoint(
        os.path.join(work_dir, 'iter_2.pth'))['state_dict']


def part(state, prefix):
    return {k: v for k, v in state.items() if k.startswith(prefix)}


def same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_stage_chain_through_the_train_tool(tmp_path):
    s1 = train(tmp_path / 's1')
    s2a = train(tmp_path / 's2a', 'model.stage=render_real',
                f"load_from={tmp_path / 's1' / 'iter_2.pth'}")
    s2b = train(tmp_path / 's2b', 'model.stage=render_mixed',
                f"load_from={tmp_path / 's2a' / 'iter_2.pth'}")
    # 2a keeps stage 1's feature generators and trains the renderer
    assert same(part(s1, 'generator.feature_generators'),
                part(s2a, 'generator.feature_generators'))
    assert not same(part(s1, 'generator.renderer'),
                    part(s2a, 'generator.renderer'))
    # 2b continues 2a's renderer, stage-1 generators still frozen
    assert not same(part(s2a, 'generator.renderer'),
                    part(s2b, 'generator.renderer'))
    assert same(part(s1, 'generator.feature_generators'),
                part(s2b, 'generator.feature_generators'))
    # frozen E_id and E_k: the random ones every stage started from
    assert same(part(s1, 'generator.identity_encoder'),
                part(s2b, 'generator.identity_encoder'))
    # the identity bank counts every training image (2 x 4 per stage)
    assert s1['generator.bank.counts'].sum() == 8
    assert s2b['generator.bank.counts'].sum() == \
        s1['generator.bank.counts'].sum() * 3


def test_single_stage_baseline_through_the_train_tool(tmp_path):
    state = train(tmp_path, 'model.stage=single_stage',
                  'model.generator.feature_source=noise',
                  'model.lambda_feat=0.0')
    assert not any(k.startswith('generator.feature_generators')
                   for k in state)


def test_kill_mid_stage_then_resume_matches_unbroken_run(tmp_path):
    options = ['--cfg-options', 'model.stage=render_mixed',
               'train_cfg.max_iters=6']

    def start(work_dir, *extra):
        return subprocess.Popen(
            [sys.executable, 'tools/train.py', CONFIG, '--work-dir',
             str(work_dir), *extra, *options], cwd=REPO,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1'))

    unbroken = start(tmp_path / 'unbroken')
    broken = start(tmp_path / 'broken')
    killed, deadline = False, time.time() + 900
    for line in broken.stdout:
        if 'Iter(train) [3/6]' in line:  # after iter_2.pth, before iter_4
            broken.send_signal(signal.SIGKILL)
            killed = True
            break
        assert time.time() < deadline, 'training never reached iteration 3'
    broken.wait()
    assert killed
    assert unbroken.wait(timeout=900) == 0, unbroken.stdout.read()[-2000:]
    assert not (tmp_path / 'broken' / 'iter_4.pth').exists()
    resumed = start(tmp_path / 'broken', '--resume')
    log = resumed.stdout.read()
    assert resumed.wait(timeout=900) == 0, log[-2000:]
    assert 'resumed' in log.lower() or 'Load checkpoint' in log
    a = load_training_checkpoint(str(tmp_path / 'unbroken' / 'iter_6.pth'))
    b = load_training_checkpoint(str(tmp_path / 'broken' / 'iter_6.pth'))
    assert same(a['state_dict'], b['state_dict'])
    # not vacuous: the renderer moved after the kill point (iter_2.pth is
    # gone: the runtime keeps two checkpoints)
    c = load_training_checkpoint(str(tmp_path / 'broken' / 'iter_4.pth'))
    assert not same(part(c['state_dict'], 'generator.renderer'),
                    part(b['state_dict'], 'generator.renderer'))

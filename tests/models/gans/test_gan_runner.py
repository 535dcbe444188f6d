"""GAN training through the generic tools: a tiny StyleGAN2 for a few
iterations with the sample-grid hook and the Fréchet metric, an exact
resume, and two processes with separate DDP wrappers."""
import glob
import json
import os
import re
import subprocess
import sys

import pytest
import torch

from gankd.registry import MODELS, find_type
from gankd.utils.checkpoint import load_training_checkpoint

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
CONFIG = 'tests/data/configs/tiny_stylegan2_gan.py'


@pytest.fixture(autouse=True)
def needs_stylegan2():
    MODELS.import_from_location()
    if find_type(MODELS, 'StyleGAN2Generator') is None:
        pytest.skip('plugin gankd_stylegan (StyleGAN2Generator) is not '
                    'installed')


def state(work_dir, iteration):
    return load_training_checkpoint(
        os.path.join(work_dir, f'iter_{iteration}.pth'))['state_dict']


def test_train_with_grids_and_metric_then_resume_exactly(tmp_path, run_tool):
    unbroken = str(tmp_path / 'unbroken')
    result = run_tool(['tools/train.py', CONFIG, '--work-dir', unbroken,
                       '--cfg-options', 'train_cfg.max_iters=6'])
    log = result.stdout + result.stderr
    assert re.search(r'Iter\(train\) \[6/6\]', log), log[-2000:]
    assert re.search(r'fid/distance: \d+\.\d+', log), log[-2000:]
    assert sorted(os.listdir(os.path.join(unbroken, 'vis'))) == [
        f'iter_{i:06d}.png' for i in (0, 2, 4, 6)]
    # validation scores are logged at their iteration (4, and 6 at the end),
    # so score curves can be drawn from scalars.json
    scalars, = glob.glob(os.path.join(unbroken, '*', 'vis_data',
                                      'scalars.json'))
    with open(scalars) as file:
        records = [json.loads(line) for line in file]
    assert [r['step'] for r in records if 'fid/distance' in r] == [4, 6]
    final = state(unbroken, 6)
    # The names other tools read the generator from.
    generator_keys = [k for k in final if k.startswith('generator.')]
    assert generator_keys and all(
        f'generator_ema.module.{k[len("generator."):]}' in final
        for k in generator_keys)
    assert not any('.module.' in k for k in final
                   if not k.startswith('generator_ema.'))

    broken = str(tmp_path / 'broken')
    run_tool(['tools/train.py', CONFIG, '--work-dir', broken])  # stops at 4
    result = run_tool(['tools/train.py', CONFIG, '--work-dir', broken,
                       '--resume', '--cfg-options', 'train_cfg.max_iters=6'])
    assert 'resumed' in (result.stdout + result.stderr)
    resumed = state(broken, 6)
    assert resumed.keys() == final.keys()
    for key in final:
        assert torch.equal(resumed[key], final[key]), key
    # Not vacuous: iterations 5 and 6 changed G, D and the EMA.
    middle = state(unbroken, 4)
    for prefix in ('generator.', 'discriminator.', 'generator_ema.'):
        assert any(not torch.equal(middle[k], final[k])
                   for k in final if k.startswith(prefix)), prefix


def test_two_process_torchrun_on_cpu(tmp_path):
    work_dir = str(tmp_path / 'dist')
    env = dict(os.environ, PYTHON=sys.executable, PORT='29533',
               PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir,
         '--cfg-options', 'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
         'default_hooks.checkpoint.interval=2'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert 'Distributed training: True' in log
    assert re.search(r'Iter\(train\) \[2/2\]', log), log[-2000:]
    final = state(work_dir, 2)
    # Separate DDP wrappers leave no trace in the saved names.
    assert not any('.module.' in k for k in final
                   if not k.startswith('generator_ema.'))
    assert all(torch.isfinite(v).all() for v in final.values()
               if v.is_floating_point())

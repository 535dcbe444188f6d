"""Two processes on CPU (gloo): G and D in separate DDP wrappers stay
identical across ranks through D, lazy R1, G and path-length steps."""
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def test_separate_ddp_keeps_ranks_identical(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1',
               PYTHONPATH=REPO)
    result = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         '--master_port=29531', os.path.join(HERE, 'dist_gan_worker.py'),
         str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    ranks = [torch.load(tmp_path / f'rank{r}.pth', weights_only=True)
             for r in range(2)]
    wrapped = [r['wrapped'] for r in ranks]
    control = [r['control'] for r in ranks]
    # Same key names as an unwrapped model: no DDP 'module.' inside.
    assert wrapped[0].keys() == control[0].keys()
    for key in wrapped[0]:
        # Parameters, the EMA, pl_mean and w_avg: all in step.
        assert torch.equal(wrapped[0][key], wrapped[1][key]), key
    # Not vacuous: without the wrappers the ranks' data pull them apart...
    for prefix in ('generator.', 'discriminator.'):
        assert any(not torch.equal(control[0][k], control[1][k])
                   for k in control[0] if k.startswith(prefix)), prefix
    # ... and training moved the weights.
    assert any(not torch.equal(wrapped[0][k], control[0][k])
               for k in wrapped[0] if k.startswith('generator.'))
    assert wrapped[0]['pl_mean'] > 0
    # Evaluation through the wrapper: same images on both ranks.
    assert torch.equal(ranks[0]['fake'], ranks[1]['fake'])

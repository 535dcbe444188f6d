"""KD with the teacher cache trains to exactly the weights KD without it
gives (float32, deterministic pipeline), its second epoch never running
the teacher."""
import os

import torch

from gankd.utils.checkpoint import load_training_checkpoint

CONFIG = 'tests/data/configs/tiny_kd.py'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def test_training_with_the_cache_is_bit_exact(tmp_path, run_tool,
                                              tiny_teacher_ckpt):
    common = [f'model.teacher_ckpt={tiny_teacher_ckpt}',
              'train_dataloader.dataset.num_samples=256']  # 8 full batches
    weights = {}
    for name, extra in (('plain', []), ('cached', [
            f'model.teacher_cache.dir={tmp_path / "cache"}'])):
        work = tmp_path / name
        result = run_tool(['tools/train.py', CONFIG, '--work-dir', str(work),
                           '--no-validate', '--cfg-options', *common,
                           *extra])
        weights[name] = load_training_checkpoint(
            os.path.join(work, 'epoch_2.pth'))['state_dict']
    log = result.stdout + result.stderr
    # Epoch 1 computed every row, epoch 2 read them all.
    assert 'teacher cache: 0 rows read, 256 computed this epoch' in log
    assert 'teacher cache: 256 rows read, 0 computed this epoch' in log
    plain, cached = weights['plain'], weights['cached']
    assert plain.keys() == cached.keys()
    assert [k for k in plain if not torch.equal(plain[k], cached[k])] == []


def test_two_processes_fill_one_cache_and_read_each_others_rows(
        tmp_path, tiny_teacher_ckpt):
    """torchrun, 2 CPU ranks: rank 0 builds the files, each rank writes
    its own samples' rows in epoch 1 and reads all of its (reshuffled)
    samples in epoch 2, including those the other rank computed."""
    import json
    import subprocess
    import sys

    import numpy as np
    from mmengine.config import Config

    from gankd.registry import MODELS
    cache = tmp_path / 'cache'
    env = dict(os.environ, PYTHON=sys.executable, PORT='29535',
               PYTHONUNBUFFERED='1')
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
         str(tmp_path / 'work'), '--no-validate', '--cfg-options',
         f'model.teacher_ckpt={tiny_teacher_ckpt}',
         f'model.teacher_cache.dir={cache}',
         'train_dataloader.dataset.num_samples=256'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    # Rank 0 logs its own half: 128 samples per epoch.
    assert 'teacher cache: 0 rows read, 128 computed this epoch' in log
    assert 'teacher cache: 128 rows read, 0 computed this epoch' in log
    assert json.load(open(cache / 'manifest.json'))['complete'] == {
        'logits': True}
    assert np.load(cache / 'out0.filled.npy').sum() == 256
    # Every row is the teacher's logits of its sample (batch 32 vs 256
    # changes the last bits only).
    cfg = Config.fromfile(os.path.join(REPO, CONFIG))
    model_cfg = dict(cfg.model.to_dict(), teacher_ckpt=tiny_teacher_ckpt)
    model_cfg.pop('_delete_', None)
    model = MODELS.build(model_cfg).eval()
    from mmengine.dataset import pseudo_collate

    from gankd.registry import DATASETS
    data = DATASETS.build(dict(cfg.train_dataloader.dataset.to_dict(),
                               num_samples=256))
    batch = model.data_preprocessor(pseudo_collate(
        [data[i] for i in range(256)]), False)
    with torch.no_grad():
        logits = model.teacher(batch['inputs'], mode='tensor')
    torch.testing.assert_close(torch.from_numpy(np.load(cache / 'out0_0.npy')),
                               logits, rtol=0, atol=1e-6)

"""KD with the teacher cache trains to exactly the weights KD without it
gives (float32, deterministic pipeline), its second epoch never running
the teacher."""
import os

import torch

from gankd.utils.checkpoint import load_training_checkpoint

CONFIG = 'tests/data/configs/tiny_kd.py'


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

"""gankd build-teacher-cache: fills every sample x flip variant with the
teacher's outputs on that augmented image, and refuses, in one line, a
cache built for another key unless asked to rebuild."""
import json
import os

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from gankd.registry import DATASETS, MODELS, scope_config_types

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

FLIP_CONFIG = '''
_base_ = ['{repo}/tests/data/configs/tiny_kd.py']
train_dataloader = dict(dataset=dict(num_samples=40, pipeline=[
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs')]))
'''


def test_tool_fills_every_variant_and_refuses_a_changed_key(
        tmp_path, run_tool, tiny_teacher_ckpt):
    config = tmp_path / 'flip.py'
    config.write_text(FLIP_CONFIG.format(repo=REPO))
    cache = tmp_path / 'cache'
    args = ['tools/build_teacher_cache.py', str(config), '--dir', str(cache),
            '--batch-size', '16', '--cfg-options',
            f'model.teacher_ckpt={tiny_teacher_ckpt}']
    result = run_tool(args)
    assert 'build-teacher-cache: 80/80 rows' in result.stderr
    assert result.stdout.strip().endswith(
        '80 rows computed, 0 already there (2 augmentation variant(s)); '
        'complete.')
    assert json.load(open(cache / 'manifest.json'))['complete'] == {
        'logits': True}

    # Rows 2i and 2i + 1: the teacher on sample i unflipped and flipped.
    init_default_scope('gankd')
    cfg = Config.fromfile(str(config))
    model_cfg = dict(cfg.model.to_dict(), teacher_ckpt=tiny_teacher_ckpt)
    model_cfg.pop('_delete_', None)
    teacher = MODELS.build(scope_config_types(model_cfg)).eval()
    data = DATASETS.build(dict(cfg.train_dataloader.dataset.to_dict(),
                               pipeline=[dict(type='mmpretrain.PackInputs')]))
    rows = np.load(cache / 'out0_0.npy')
    for i in (0, 33):
        x = teacher.data_preprocessor(pseudo_collate([data[i]]),
                                      False)['inputs']
        with torch.no_grad():
            plain = teacher.teacher(x, mode='tensor')[0]
            flipped = teacher.teacher(x.flip(-1), mode='tensor')[0]
        # Batch 16 vs 1 changes the last bits only.
        torch.testing.assert_close(torch.from_numpy(rows[2 * i]), plain,
                                   rtol=0, atol=1e-6)
        torch.testing.assert_close(torch.from_numpy(rows[2 * i + 1]),
                                   flipped, rtol=0, atol=1e-6)
        assert not torch.allclose(plain, flipped, rtol=0, atol=1e-6)

    refused = run_tool(args + ['model.teacher_cache.on_mismatch=error',
                               '--dtype', 'float16'], check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f'error: teacher cache {cache} was built for another dtype; rebuild '
        "it (model.teacher_cache.on_mismatch='rebuild', or gankd "
        'build-teacher-cache --rebuild) or use another '
        'model.teacher_cache.dir.']

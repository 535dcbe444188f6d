import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from gankd.registry import DATASETS, METRICS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PIECES = osp.join(REPO, 'configs', '_base_', 'datasets')


@pytest.mark.parametrize('name, keys', [
    ('synth_shapes_bs64.py', ['fg_mask']),
    ('synth_faces_attrs_32.py', ['gt_attrs']),
    ('synth_faces_attrs_64.py', ['gt_attrs']),
    ('synth_faces_32.py', ['gt_attrs']),
    ('synth_faces_64.py', ['gt_attrs']),
])
def test_synthetic_pieces_build_and_yield_packed_samples(name, keys):
    cfg = Config.fromfile(osp.join(PIECES, name))
    splits = [s for s in ('train', 'val', 'test')
              if f'{s}_dataloader' in cfg]
    sizes = set()
    for split in splits:
        dataset = dict(cfg[f'{split}_dataloader'].dataset, num_samples=3)
        assert dataset['split'] == split
        ds = DATASETS.build(dataset)
        item = ds[0]
        assert item['inputs'].dtype == torch.uint8
        sizes.add(tuple(item['inputs'].shape))
        for key in keys:
            assert key in item['data_samples'], (name, key)
        assert 'gt_label' in item['data_samples']
    assert len(sizes) == 1  # every split at the same image size
    pre = cfg.data_preprocessor
    assert pre['to_rgb'] is True  # the synthetic datasets give BGR
    if 'val_evaluator' in cfg:
        METRICS.build(cfg.val_evaluator)


def test_preprocessor_statistics_match_the_data():
    # The mean/std in the SynthShapes piece are RGB; check them on samples.
    cfg = Config.fromfile(osp.join(PIECES, 'synth_shapes_bs64.py'))
    ds = DATASETS.build(dict(cfg.train_dataloader.dataset, num_samples=300,
                             pipeline=[]))
    rgb = np.stack([ds.get_data_info(i)['img'][..., ::-1]
                    for i in range(300)]).reshape(-1, 3)
    assert np.allclose(rgb.mean(0), cfg.data_preprocessor.mean, atol=6)
    assert np.allclose(rgb.std(0), cfg.data_preprocessor.std, atol=6)


@pytest.mark.parametrize('name', [
    'cifar100_bs64.py', 'imagenet_bs32.py', 'image_folder_64.py',
    'celeba_attrs_64.py'
])
def test_real_format_pieces_name_buildable_types(name):
    cfg = Config.fromfile(osp.join(PIECES, name))
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:
            continue
        assert DATASETS.get(loader.dataset.type) is not None
        for step in loader.dataset.pipeline:
            assert step['type'].startswith('mmpretrain.'), step

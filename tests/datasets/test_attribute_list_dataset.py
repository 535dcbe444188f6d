import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from gankd.registry import DATASETS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FILES = ['000001.jpg', '000002.jpg', '000003.jpg', '000004.jpg']
NAMES = ['Bangs', 'Eyeglasses', 'Smiling']
VALUES = [[-1, 1, 1], [1, -1, -1], [-1, -1, 1], [1, 1, -1]]


@pytest.fixture
def celeba(tmp_path):
    """A CelebA-like folder: 4 tiny images and the three list files."""
    img_dir = tmp_path / 'img_align_celeba'
    img_dir.mkdir()
    for i, name in enumerate(FILES):
        img = np.full((20, 16, 3), 40 * i, np.uint8)  # distinct per image
        cv2.imwrite(str(img_dir / name), img)
    # CelebA pads values with double spaces; the parser must not care.
    lines = [str(len(FILES)), ' '.join(NAMES)]
    lines += [f'{f} ' + '  '.join(f'{v:2d}' for v in row)
              for f, row in zip(FILES, VALUES)]
    (tmp_path / 'list_attr_celeba.txt').write_text('\n'.join(lines) + '\n')
    (tmp_path / 'identity_CelebA.txt').write_text(
        '000001.jpg 2880\n000002.jpg 17\n000003.jpg 2880\n000004.jpg 9\n')
    (tmp_path / 'list_eval_partition.txt').write_text(
        '000001.jpg 0\n000002.jpg 0\n000003.jpg 1\n000004.jpg 2\n')
    return tmp_path


def _build(root, **kwargs):
    cfg = dict(
        type='AttributeListDataset',
        data_root=str(root),
        ann_file='list_attr_celeba.txt',
        data_prefix='img_align_celeba',
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.PackInputs', algorithm_keys=['gt_attrs'])
        ])
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_reads_attributes_into_the_gt_attrs_contract(celeba):
    ds = _build(celeba)
    assert len(ds) == 4
    assert ds.metainfo['attributes'] == [
        dict(name=n, type='binary') for n in NAMES
    ]
    for i, row in enumerate(VALUES):
        info = ds.get_data_info(i)
        assert info['img_path'].endswith(FILES[i])
        assert info['gt_attrs'].dtype == np.float32
        assert info['gt_attrs'].tolist() == [float(v > 0) for v in row]
    item = ds[2]
    assert item['inputs'].shape == (3, 20, 16)
    assert int(item['inputs'][0, 0, 0]) == 80  # the third image
    assert item['data_samples'].gt_attrs.tolist() == [0.0, 0.0, 1.0]
    assert 'gt_label' not in item['data_samples']


def test_subset_identities_and_partition(celeba):
    ds = _build(celeba, attributes=['Smiling', 'Bangs'],
                identity_file='identity_CelebA.txt',
                partition_file='list_eval_partition.txt', split='train')
    assert [a['name'] for a in ds.metainfo['attributes']] == [
        'Smiling', 'Bangs'
    ]
    assert len(ds) == 2  # files 1 and 2 are partition 0
    assert ds.get_data_info(0)['gt_attrs'].tolist() == [1.0, 0.0]
    # ids sorted numerically: 17 -> 0, 2880 -> 1 (9 is not in the split)
    assert ds.metainfo['classes'] == ('17', '2880')
    assert [ds.get_data_info(i)['gt_label'] for i in range(2)] == [1, 0]
    test = _build(celeba, partition_file='list_eval_partition.txt',
                  split='test')
    assert [osp.basename(test.get_data_info(0)['img_path'])] == [FILES[3]]


def test_errors_name_the_field(celeba):
    with pytest.raises(KeyError, match='Mustache'):
        _build(celeba, attributes=['Mustache'])
    with pytest.raises(ValueError, match='partition_file'):
        _build(celeba, split='val')
    (celeba / 'bad.txt').write_text('1\nA B\nx.jpg 1\n')
    with pytest.raises(ValueError, match='line 3'):
        _build(celeba, ann_file='bad.txt')


def test_image_folder_config_piece_reads_an_ffhq_folder(tmp_path):
    folder = tmp_path / 'images1024x1024' / '00000'  # FFHQ's layout
    folder.mkdir(parents=True)
    for i in range(3):
        cv2.imwrite(str(folder / f'{i:05d}.png'),
                    np.full((128, 128, 3), 60 * i, np.uint8))
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/image_folder_64.py'))
    dataset = dict(cfg.train_dataloader.dataset, data_root=str(tmp_path))
    ds = DATASETS.build(dataset)
    assert len(ds) == 3
    item = ds[1]
    assert item['inputs'].shape == (3, 64, 64)
    assert int(item['inputs'].float().mean()) == 60

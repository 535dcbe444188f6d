"""The 512x512 GPU configs read a folder of identities (CelebRef-HQ's
layout): the reference is another photo of the same person."""
import cv2
import numpy as np

from gankd.config import load_config
from gankd.registry import DATASETS

STAGE_B = 'configs/ented/ented-stage-b_8xb2_celebref512.py'
STAGE_A = 'configs/ented/ented-stage-a_8xb2_celebref512.py'


def people_folder(root, people=3, photos=2, size=32):
    rng = np.random.default_rng(0)
    for person in range(people):
        folder = root / f'person_{person}'
        folder.mkdir(parents=True)
        for photo in range(photos):
            image = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
            cv2.imwrite(str(folder / f'{photo}.png'), image)
    return str(root)


def test_stage_b_pairs_photos_of_one_person(tmp_path):
    root = people_folder(tmp_path / 'celebref')
    cfg = load_config(STAGE_B)
    dataset_cfg = cfg.val_dataloader.dataset.to_dict()
    dataset_cfg['dataset']['data_root'] = root
    dataset = DATASETS.build(dataset_cfg)
    assert len(dataset) == 6
    for idx in range(6):
        sample = dataset[idx]
        meta = sample['data_samples'].metainfo
        assert meta['ref_label'] == meta['gt_label']
        assert meta['ref_index'] != idx
        assert sample['inputs']['reference'].shape == (3, 32, 32)
        assert sample['inputs']['degraded'].shape == (3, 32, 32)
    again = DATASETS.build(dataset_cfg)[4]  # seeded: the same bytes
    assert bytes(again['inputs']['degraded'].numpy()) == \
        bytes(dataset[4]['inputs']['degraded'].numpy())


def test_stage_a_reads_the_clean_photos(tmp_path):
    root = people_folder(tmp_path / 'celebref')
    cfg = load_config(STAGE_A)
    dataset = DATASETS.build(dict(cfg.train_dataloader.dataset.to_dict(),
                                  data_root=root))
    sample = dataset[0]
    assert set(sample['inputs']) == {'degraded'}
    assert bytes(sample['inputs']['degraded'].numpy()) == \
        bytes(sample['data_samples'].gt_img.numpy())
    assert cfg.model.stage == 'A' and cfg.model.init_from is None

import cv2
import numpy as np
import pytest
import torch
from mmpretrain.structures import DataSample

from gankd.datasets import SynthShapes
from gankd.datasets.shape_renderer import ShapeRenderer
from gankd.registry import DATASETS


def _img(ds, i):
    return ds.get_data_info(i)['img']


def test_same_key_same_bytes_other_key_other_bytes():
    a = SynthShapes(num_samples=20, split='train', seed=3)
    b = SynthShapes(num_samples=20, split='train', seed=3)
    # Access order must not matter: b renders 7 before 2.
    b7, b2 = _img(b, 7), _img(b, 2)
    assert _img(a, 2).tobytes() == b2.tobytes()
    assert _img(a, 7).tobytes() == b7.tobytes()
    assert _img(a, 2).tobytes() != _img(a, 3).tobytes()
    val = SynthShapes(num_samples=20, split='val', seed=3)
    other_seed = SynthShapes(num_samples=20, split='train', seed=4)
    assert _img(a, 2).tobytes() != _img(val, 2).tobytes()
    assert _img(a, 2).tobytes() != _img(other_seed, 2).tobytes()


def test_indices_subset_keeps_each_sample():
    full = SynthShapes(num_samples=10, seed=1)
    sub = SynthShapes(num_samples=10, seed=1, indices=[4, 9])
    assert len(sub) == 2
    info = sub.get_data_info(1)
    assert info['synth_index'] == 9 and info['sample_idx'] == 1
    assert info['gt_label'] == full.get_data_info(9)['gt_label']
    assert info['img'].tobytes() == _img(full, 9).tobytes()


def test_labels_balanced_and_cheap_label_access():
    ds = SynthShapes(num_samples=250, num_classes=100, seed=0)
    labels = ds.get_gt_labels()
    # Every block of num_classes indices holds each class once.
    assert sorted(labels[:100]) == list(range(100))
    assert sorted(labels[100:200]) == list(range(100))
    counts = np.bincount(labels, minlength=100)
    assert set(counts) == {2, 3}
    # Not the identity order (the blocks are shuffled).
    assert list(labels[:100]) != list(range(100))
    assert [ds.get_data_info(i)['gt_label'] for i in range(5)] == list(
        labels[:5])
    assert ds.get_cat_ids(3) == [labels[3]]


def test_class_names_and_subset_of_classes():
    ds = SynthShapes(num_samples=30, num_classes=10)
    assert ds.metainfo['classes'][:3] == ('circle_solid', 'square_solid',
                                         'triangle_solid')
    assert len(ds.metainfo['classes']) == 10
    assert ds.get_gt_labels().max() == 9
    full = SynthShapes(num_samples=1)
    assert full.metainfo['classes'][10] == 'circle_stripes'
    assert len(set(full.metainfo['classes'])) == 100
    with pytest.raises(ValueError, match='num_classes'):
        SynthShapes(num_samples=1, num_classes=101)
    with pytest.raises(ValueError, match='split'):
        SynthShapes(num_samples=1, split='training')


def test_sample_format_bgr_uint8_and_mask():
    ds = SynthShapes(num_samples=4, img_size=32)
    info = ds.get_data_info(0)
    assert info['img'].shape == (32, 32, 3) and info['img'].dtype == np.uint8
    assert info['fg_mask'].shape == (32, 32)
    assert info['fg_mask'].dtype == np.uint8
    assert set(np.unique(info['fg_mask'])) <= {0, 1}
    assert isinstance(info['gt_label'], int)


def test_mask_covers_the_object_and_only_it():
    # Without clutter and noise the background is a smooth gradient; the
    # object must be the part that stands out, and the mask must mark it.
    ds = SynthShapes(num_samples=30, clutter=0, noise=0, seed=5)
    for i in range(30):
        info = ds.get_data_info(i)
        img = info['img'].astype(np.float64)
        mask = info['fg_mask'].astype(bool)
        assert 0.05 < mask.mean() < 0.8, i
        inside = img[mask].mean(0)
        outside = img[~mask].mean(0)
        assert np.abs(inside - outside).sum() > 40, i


def test_label_changes_only_the_object():
    # The renderer draws the same pose, colours and background for the same
    # generator whatever the class: only pixels under the objects change.
    renderer = ShapeRenderer(img_size=32)
    a = renderer.render(0, np.random.default_rng(11))  # circle_solid
    b = renderer.render(53, np.random.default_rng(11))  # star_rings
    changed = np.abs(a['img'].astype(int) - b['img'].astype(int)).max(2) > 0
    union = (a['fg_mask'] | b['fg_mask']).astype(np.uint8)
    # One pixel of slack for the anti-aliased, area-reduced edges.
    near = cv2.dilate(union, np.ones((3, 3), np.uint8)).astype(bool)
    assert changed.any()
    assert not (changed & ~near).any()
    assert (a['fg_mask'] != b['fg_mask']).any()


def test_build_from_registry_through_mmpretrain_pipeline():
    ds = DATASETS.build(
        dict(
            type='SynthShapes',
            num_samples=8,
            split='val',
            pipeline=[
                dict(type='mmpretrain.PackInputs', algorithm_keys=['fg_mask'])
            ]))
    raw = SynthShapes(num_samples=8, split='val')
    item = ds[5]
    sample = item['data_samples']
    assert isinstance(sample, DataSample)
    expected = torch.from_numpy(raw.get_data_info(5)['img']).permute(2, 0, 1)
    assert torch.equal(item['inputs'], expected)
    assert sample.gt_label.tolist() == [raw.get_data_info(5)['gt_label']]
    assert np.array_equal(sample.fg_mask, raw.get_data_info(5)['fg_mask'])
    assert sample.sample_idx == 5


def test_cache_renders_once_and_returns_the_same_bytes():
    plain = SynthShapes(num_samples=6, split='val', seed=3)
    cached = SynthShapes(num_samples=6, split='val', seed=3, cache=True)
    calls = []
    render = cached.render
    cached.render = lambda *a: calls.append(a[0]) or render(*a)
    for _ in range(2):
        for i in range(6):
            a, b = plain.get_data_info(i), cached.get_data_info(i)
            assert np.array_equal(a['img'], b['img'])
            b['img'][:] = 0  # a transform writing in place ...
    assert np.array_equal(cached.get_data_info(0)['img'],
                          plain.get_data_info(0)['img'])  # ... is harmless
    assert sorted(calls) == list(range(6))


def test_label_background_ties_the_background_colour_to_the_class():
    plain = SynthShapes(num_samples=60, num_classes=3, clutter=0, noise=0)
    cue = SynthShapes(num_samples=60, num_classes=3, clutter=0, noise=0,
                      label_background=True)

    def spread_within_classes(ds):
        """Largest per-channel range, within one class, of the mean colour
        of the pixels off the object."""
        by_class = {}
        for i in range(60):
            info = ds.get_data_info(i)
            bg = info['img'][info['fg_mask'] == 0].reshape(-1, 3).mean(0)
            by_class.setdefault(int(info['gt_label']), []).append(bg)
        return max(np.ptp(np.stack(v), 0).max() for v in by_class.values())

    # Fixed base colour per class: only the gradient (+-40 per axis,
    # mostly averaging out) moves the mean; without the cue the base
    # colour is uniform in 0-255 (measured: 11-15 against 223-235).
    assert spread_within_classes(cue) < 40
    assert spread_within_classes(plain) > 150
    # Everything but the background colour is drawn as without the cue:
    # same labels; the object mask only moves where the rejection of
    # low-contrast object colours took another number of draws.
    same_masks = 0
    for i in range(60):
        a, b = plain.get_data_info(i), cue.get_data_info(i)
        assert a['gt_label'] == b['gt_label']
        same_masks += np.array_equal(a['fg_mask'], b['fg_mask'])
    assert same_masks >= 40

import numpy as np
import pytest
import torch

from gankd.datasets import SynthFaces
from gankd.datasets.face_attributes import FACE_ATTRIBUTES
from gankd.registry import DATASETS

NAMES = [a['name'] for a in FACE_ATTRIBUTES]


@pytest.fixture(scope='module')
def faces64():
    return SynthFaces(num_samples=64, img_size=64, noise=0.0, seed=2)


def _variant(ds, index, **change):
    """Sample ``index`` re-rendered with some parameters changed."""
    params = ds.sample_params(index)
    params.update(change)
    label = ds.get_data_info(index)['gt_label']
    return ds.render_params(label, params, np.random.default_rng(0))


def test_same_key_same_bytes_other_key_other_bytes():
    a = SynthFaces(num_samples=16, img_size=32, seed=1)
    b = SynthFaces(num_samples=16, img_size=32, seed=1)
    b9 = b.get_data_info(9)
    assert a.get_data_info(9)['img'].tobytes() == b9['img'].tobytes()
    assert np.array_equal(a.get_data_info(9)['gt_attrs'], b9['gt_attrs'])
    img = a.get_data_info(9)['img'].tobytes()
    assert img != a.get_data_info(10)['img'].tobytes()
    val = SynthFaces(num_samples=16, img_size=32, seed=1, split='val')
    assert img != val.get_data_info(9)['img'].tobytes()
    other = SynthFaces(num_samples=16, img_size=32, seed=2)
    assert img != other.get_data_info(9)['img'].tobytes()


def test_identities_balanced_and_shared_across_splits():
    ds = SynthFaces(num_samples=1100, num_identities=512, img_size=32)
    counts = np.bincount(ds.get_gt_labels(), minlength=512)
    assert set(counts) == {2, 3}
    val = SynthFaces(num_samples=4, num_identities=512, split='val')
    # Identity rows depend on the seed only: same people in every split.
    assert ds.sampler.identities[7] == val.sampler.identities[7]
    assert ds.metainfo['classes'][7] == 'id_0007'


def test_attribute_vector_contract():
    ds = SynthFaces(num_samples=200, img_size=32, seed=4)
    meta = ds.metainfo['attributes']
    assert [a['name'] for a in meta] == NAMES == [
        'yaw', 'smile', 'mouth_open', 'eyeglasses', 'hair_color',
        'long_hair', 'aged', 'skin_tone', 'background', 'lighting'
    ]
    attrs = np.stack([ds.get_data_info(i)['gt_attrs'] for i in range(200)])
    assert attrs.dtype == np.float32 and attrs.shape == (200, 10)
    for i, spec in enumerate(meta):
        col = attrs[:, i]
        if spec['type'] == 'binary':
            assert set(np.unique(col)) == {0.0, 1.0}, spec['name']
        elif spec['type'] == 'categorical':
            assert set(np.unique(col)) == set(
                range(spec['num_classes'])), spec['name']
            assert len(spec['classes']) == spec['num_classes']
        else:
            assert -1 <= col.min() < -0.5 and 0.5 < col.max() <= 1
    # skin tone belongs to the identity
    labels = ds.get_gt_labels()
    for ident in np.unique(labels)[:20]:
        assert len(set(attrs[labels == ident, 7])) == 1


def test_eyeglasses_change_only_the_eye_band(faces64):
    for index in range(6):
        params = faces64.sample_params(index)
        off = _variant(faces64, index, eyeglasses=0)['img'].astype(int)
        on = _variant(faces64, index, eyeglasses=1)['img'].astype(int)
        rows = np.nonzero(np.abs(on - off).max(axis=(1, 2)) > 8)[0]
        assert len(rows) > 0
        ident = faces64.sampler.identities[faces64.get_gt_labels()[index]]
        eye_row = 64 * (0.46 + params['dy'] +
                        ident['eye_y'] * ident['face_h'] * params['zoom'])
        assert rows.min() > eye_row - 6 and rows.max() < eye_row + 6, index


def test_mouth_open_changes_only_the_lower_face(faces64):
    for index in range(6):
        params = faces64.sample_params(index)
        closed = _variant(faces64, index, mouth_open=0)['img'].astype(int)
        opened = _variant(faces64, index, mouth_open=1)['img'].astype(int)
        rows = np.nonzero(np.abs(opened - closed).max(axis=(1, 2)) > 8)[0]
        ident = faces64.sampler.identities[faces64.get_gt_labels()[index]]
        cy = 0.46 + params['dy']
        nose_tip = 64 * (cy + ident['eye_y'] * ident['face_h'] *
                         params['zoom'] + ident['nose_len'])
        assert len(rows) > 0 and rows.min() > nose_tip - 1, index


def _feature_x(out):
    """Mean column of face pixels far from the face's median colour."""
    img = out['img'].astype(float)
    face = out['face_mask'].astype(bool)
    skin = np.median(img[face], axis=0)
    features = face & (np.abs(img - skin).sum(2) > 60)
    return np.nonzero(features)[1].mean(), np.nonzero(face)[1].mean()


def test_yaw_sign_moves_the_features(faces64):
    # No glasses: their arms reach the sides of the head and would pull the
    # feature centroid back to the middle.
    fixed = dict(lighting=0.0, eyeglasses=0)
    for index in range(6):
        left = _feature_x(_variant(faces64, index, yaw=-0.8, **fixed))
        right = _feature_x(_variant(faces64, index, yaw=0.8, **fixed))
        # Features move towards the turn, and more than the face outline.
        assert right[0] - left[0] > 3, index
        assert (right[0] - right[1]) - (left[0] - left[1]) > 2, index


def test_lighting_brightens_the_lit_side(faces64):
    lit_right = _variant(faces64, 0, lighting=1.0)
    lit_left = _variant(faces64, 0, lighting=-1.0)
    diff = (lit_right['img'].astype(float) - lit_left['img']).sum(2)
    face = lit_right['face_mask'].astype(bool)
    cols = np.nonzero(face)[1]
    mid = np.median(cols)
    right = diff[face & (np.arange(64)[None, :] > mid + 4)].mean()
    left = diff[face & (np.arange(64)[None, :] < mid - 4)].mean()
    assert right > 20 and left < -20
    # The background is not lit.
    assert np.abs(diff[:4, :4]).max() == 0


def test_face_mask_marks_the_face():
    ds = SynthFaces(num_samples=20, img_size=32, seed=3)
    for i in range(20):
        info = ds.get_data_info(i)
        mask = info['face_mask']
        assert mask.shape == (32, 32) and mask.dtype == np.uint8
        assert 0.08 < mask.mean() < 0.4, i
        # The face sits in the middle of the image, not on its border.
        assert mask[0].sum() == 0 and mask[:, 0].sum() == 0


def test_paired_mode_same_identity_other_pose():
    single = SynthFaces(num_samples=12, img_size=32, seed=6)
    paired = SynthFaces(num_samples=12, img_size=32, seed=6, paired=True)
    appearance = [NAMES.index(n) for n in ('eyeglasses', 'hair_color',
                                           'long_hair', 'aged', 'skin_tone',
                                           'background')]
    for i in range(12):
        a, p = single.get_data_info(i), paired.get_data_info(i)
        # The first view does not depend on the mode.
        assert a['img'].tobytes() == p['img'].tobytes()
        assert p['ref_img'].shape == p['img'].shape
        assert p['ref_face_mask'].shape == p['face_mask'].shape
        assert p['ref_img'].tobytes() != p['img'].tobytes()
        assert np.array_equal(p['gt_attrs'][appearance],
                              p['ref_attrs'][appearance])
        assert abs(p['gt_attrs'][0] - p['ref_attrs'][0]) >= 0.4
        expression = slice(1, 3)
        assert not np.array_equal(p['gt_attrs'][expression],
                                  p['ref_attrs'][expression])


def test_build_from_registry_through_mmpretrain_pipeline():
    ds = DATASETS.build(
        dict(
            type='SynthFaces',
            num_samples=4,
            img_size=32,
            pipeline=[
                dict(
                    type='mmpretrain.PackInputs',
                    algorithm_keys=['gt_attrs', 'face_mask'])
            ]))
    raw = SynthFaces(num_samples=4, img_size=32)
    item = ds[2]
    info = raw.get_data_info(2)
    assert torch.equal(item['inputs'],
                       torch.from_numpy(info['img']).permute(2, 0, 1))
    sample = item['data_samples']
    assert sample.gt_label.tolist() == [info['gt_label']]
    assert np.array_equal(sample.gt_attrs, info['gt_attrs'])
    assert np.array_equal(sample.face_mask, info['face_mask'])

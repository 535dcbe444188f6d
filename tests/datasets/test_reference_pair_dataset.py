"""ReferencePairDataset: same identity, never the ground truth, seeded."""
import numpy as np
import pytest

from gankd.datasets import ReferencePairDataset, SynthFaces
from gankd.datasets.reference_pair_dataset import ReferencePairError
from gankd.registry import DATASETS


def faces(paired=False, num_samples=24, num_identities=6):
    return dict(type='SynthFaces', num_samples=num_samples, img_size=32,
                num_identities=num_identities, paired=paired, seed=1)


def test_paired_mode_gives_synthfaces_second_view():
    ds = ReferencePairDataset(faces(paired=True))
    plain = SynthFaces(**{k: v for k, v in faces(True).items()
                          if k != 'type'})
    for idx in range(4):
        sample = ds[idx]
        view = plain.get_data_info(idx)
        assert sample['ref_img'].tobytes() == view['ref_img'].tobytes()
        assert sample['img'].tobytes() == view['img'].tobytes()
        assert sample['ref_img'].tobytes() != sample['img'].tobytes()
        assert sample['ref_label'] == sample['gt_label']
        assert sample['ref_index'] == -1


def test_paired_mode_needs_paired_synthfaces():
    ds = ReferencePairDataset(faces(paired=False))
    with pytest.raises(ReferencePairError, match='paired=True'):
        ds[0]


def test_same_identity_is_another_sample_of_that_person():
    ds = ReferencePairDataset(faces(), reference='same_identity', seed=0)
    labels = ds.labels()
    for idx in range(len(ds)):
        sample = ds[idx]
        assert sample['ref_index'] != idx
        assert labels[sample['ref_index']] == labels[idx]
        assert sample['ref_label'] == sample['gt_label']
        other = ds.dataset.get_data_info(sample['ref_index'])['img']
        assert sample['ref_img'].tobytes() == other.tobytes()


def test_seeded_choice_is_fixed_and_training_choice_varies():
    a = ReferencePairDataset(faces(), reference='same_identity', seed=4)
    b = ReferencePairDataset(faces(), reference='same_identity', seed=4)
    assert [a.reference_index(i) for i in range(24)] == \
        [b.reference_index(i) for i in range(24)]
    train = ReferencePairDataset(faces(), reference='same_identity')
    np.random.seed(0)
    draws = {train.reference_index(0) for _ in range(30)}
    # identity of sample 0 has 4 images: 3 candidates, all drawn
    assert len(draws) == 3 and 0 not in draws


def test_other_identity_is_someone_else():
    ds = ReferencePairDataset(faces(), reference='other_identity', seed=0)
    for idx in range(len(ds)):
        sample = ds.get_data_info(idx)
        assert sample['ref_label'] != sample['gt_label']


def test_an_identity_with_one_image_has_no_reference():
    ds = ReferencePairDataset(faces(num_samples=6), reference='same_identity')
    with pytest.raises(ReferencePairError, match='no other image'):
        ds[0]


def test_pipeline_runs_on_the_pair_and_builds_from_the_registry():
    ds = DATASETS.build(dict(
        type='ReferencePairDataset', dataset=faces(paired=True), seed=0,
        pipeline=[dict(type='RandomDownsample', scale_range=(2, 2), seed=0),
                  dict(type='ResizeLike')]))
    sample = ds[3]
    assert sample['lq_img'].shape == sample['img'].shape == (32, 32, 3)
    assert sample['degradation']['scale'] == 2.0
    assert ds.metainfo['classes'][:2] == ('id_0000', 'id_0001')
    with pytest.raises(ReferencePairError, match='pipeline'):
        ReferencePairDataset(dict(faces(), pipeline=[
            dict(type='mmpretrain.PackInputs')]))
    with pytest.raises(ReferencePairError, match='reference='):
        ReferencePairDataset(faces(), reference='same')

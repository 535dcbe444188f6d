"""FrechetDistanceMetric: batched features, the distance of the whole set,
cached real statistics."""
import os
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from gankd.evaluation import (FrechetDistanceMetric, feature_statistics,
                              frechet_distance)
from gankd.registry import MODELS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class MeanColourExtractor(nn.Module):
    """Features = per-channel image means, [N, 3]; counts its calls."""
    cache_key = 'mean-colour'

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, images):
        self.calls += 1
        return images.mean(dim=(2, 3))


@pytest.fixture
def metric_cls(temp_register):
    temp_register(MODELS, MeanColourExtractor)
    return FrechetDistanceMetric


def samples(seed, n, shift=0.0, with_real=True):
    generator = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        sample = dict(fake_img=torch.rand(3, 4, 4, generator=generator) +
                      shift)
        if with_real:
            sample['real_img'] = torch.rand(3, 4, 4, generator=generator)
        out.append(sample)
    return out


def evaluate(metric, batches):
    for batch in batches:
        metric.process(None, batch)
    return metric.evaluate(sum(len(b) for b in batches))


def expected_distance(batches):
    everything = [s for b in batches for s in b]
    real = np.stack([s['real_img'].mean(dim=(1, 2)).numpy()
                     for s in everything])
    fake = np.stack([s['fake_img'].mean(dim=(1, 2)).numpy()
                     for s in everything])
    return frechet_distance(*feature_statistics(real),
                            *feature_statistics(fake))


def test_distance_of_the_whole_set_from_batches(metric_cls):
    metric = metric_cls(feature_extractor=dict(type='MeanColourExtractor'))
    batches = [samples(0, 5, shift=0.3), samples(1, 3, shift=0.3)]
    result = evaluate(metric, batches)
    assert result['fid/num_samples'] == 8
    assert result['fid/distance'] == pytest.approx(
        expected_distance(batches), rel=1e-6)
    assert result['fid/distance'] > 0.2  # the shift is seen
    # Batched: one extractor call per batch and image kind.
    assert metric.extractor.calls == 4


def test_identical_real_and_fake_give_zero(metric_cls):
    metric = metric_cls(feature_extractor=dict(type='MeanColourExtractor'))
    batch = samples(0, 6)
    for sample in batch:
        sample['real_img'] = sample['fake_img'].clone()
    assert abs(evaluate(metric, [batch])['fid/distance']) < 1e-9


def test_cached_real_statistics(metric_cls, tmp_path):
    path = str(tmp_path / 'real_stats.npz')
    with pytest.raises(ValueError, match='dataset_key'):
        metric_cls(feature_extractor=dict(type='MeanColourExtractor'),
                   real_stats_path=path)
    config = dict(feature_extractor=dict(type='MeanColourExtractor'),
                  real_stats_path=path, dataset_key='toy-8')
    batches = [samples(0, 4, 0.2), samples(1, 4, 0.2)]
    first = evaluate(metric_cls(**config), batches)
    assert os.path.isfile(path)
    assert [f for f in os.listdir(tmp_path) if f.endswith('.tmp')] == []

    # Same key: reals are neither needed nor extracted.
    fakes_only = [[dict(fake_img=s['fake_img']) for s in b] for b in batches]
    cached = metric_cls(**config)
    again = evaluate(cached, fakes_only)
    assert again['fid/distance'] == pytest.approx(first['fid/distance'],
                                                  rel=1e-9)
    assert cached.extractor.calls == 2

    # Another number of images than cached: a clear error.
    with pytest.raises(ValueError, match='statistics of 8 real images'):
        evaluate(metric_cls(**config), fakes_only[:1])

    # Another key: computed from the reals again, and the file replaced.
    other = dict(config, dataset_key='toy-8-other')
    batches = [samples(5, 4, 0.2)]
    result = evaluate(metric_cls(**other), batches)
    assert result['fid/distance'] == pytest.approx(
        expected_distance(batches), rel=1e-6)
    with np.load(path) as data:
        assert 'toy-8-other' in str(data['key']) and int(data['count']) == 4


def test_missing_field_is_named(metric_cls):
    metric = metric_cls(feature_extractor=dict(type='MeanColourExtractor'))
    with pytest.raises(KeyError, match="no 'fake_img'"):
        metric.process(None, [dict(real_img=torch.zeros(3, 4, 4))])


def test_classifier_extractor_from_a_config():
    with warnings.catch_warnings(), \
            pytest.warns(UserWarning, match='not cached'):
        warnings.filterwarnings('ignore', 'ClassifierFeatureExtractor')
        metric = FrechetDistanceMetric(
            feature_extractor=dict(
                type='ClassifierFeatureExtractor',
                config=os.path.join(REPO, 'tests/data/configs/'
                                    'tiny_face_classifier.py')),
            real_stats_path='unused.npz', dataset_key='x')
    assert metric.real_stats_path is None
    batch = samples(0, 4)
    for sample in batch:
        sample['fake_img'] = sample['fake_img'] * 2 - 1
        sample['real_img'] = sample['real_img'] * 2 - 1
    result = evaluate(metric, [batch])
    assert np.isfinite(result['fid/distance'])

"""The degradation transforms: exact single steps, ranges, seeding."""
import math

import numpy as np
import pytest

from gankd.datasets import SynthFaces
from gankd.datasets.transforms import (DegradationTransformError,
                                       RandomDownsample, RandomGaussianBlur,
                                       RandomGaussianNoise, RandomJPEG,
                                       ResizeLike)
from gankd.evaluation import psnr
from gankd.registry import TRANSFORMS

DEFAULT_PIPELINE = [
    dict(type='RandomGaussianBlur', sigma_range=(0.1, 10)),
    dict(type='RandomDownsample', scale_range=(1, 8)),
    dict(type='RandomGaussianNoise', std_range=(0, 20)),
    dict(type='RandomJPEG', quality_range=(60, 100)),
    dict(type='ResizeLike'),
]


def run(steps, img, index=0):
    results = dict(img=img, sample_idx=index)
    for step in steps:
        results = step(results)
    return results


def build(pipeline, **extra):
    return [TRANSFORMS.build(dict(cfg, **extra) if cfg['type'] != 'ResizeLike'
                             else cfg) for cfg in pipeline]


@pytest.fixture(scope='module')
def faces():
    ds = SynthFaces(num_samples=8, img_size=64, seed=3)
    return [ds.get_data_info(i)['img'] for i in range(8)]


@pytest.mark.parametrize('sigma', [1.0, 2.0, 3.0])
def test_blur_of_an_impulse_is_the_gaussian_kernel(sigma):
    img = np.zeros((41, 41, 3), np.uint8)
    img[20, 20] = 255
    out = RandomGaussianBlur(sigma_range=(sigma, sigma))(dict(img=img))
    # the discrete kernel: 2 ceil(3 sigma) + 1 taps, normalised to sum 1
    taps = np.arange(-math.ceil(3 * sigma), math.ceil(3 * sigma) + 1)
    g = np.exp(-taps**2 / (2 * sigma**2))
    g /= g.sum()
    expected = np.rint(255 * np.outer(g, g))
    r = len(taps) // 2
    window = out['lq_img'][20 - r:21 + r, 20 - r:21 + r, 0].astype(float)
    assert np.abs(window - expected).max() <= 1
    assert out['degradation'] == dict(blur_sigma=sigma)
    assert out['img'][20, 20, 0] == 255  # the ground truth is untouched


def test_blur_keeps_a_constant_image_and_downsample_its_size():
    img = np.full((64, 48, 3), 77, np.uint8)
    blurred = RandomGaussianBlur(sigma_range=(9, 9))(dict(img=img))
    assert (blurred['lq_img'] == 77).all()  # reflected borders: no dark rim
    small = RandomDownsample(scale_range=(4, 4))(blurred)
    assert small['lq_img'].shape == (16, 12, 3)
    assert small['degradation']['lq_shape'] == (16, 12)
    assert (small['lq_img'] == 77).all()
    odd = RandomDownsample(scale_range=(3, 3))(dict(img=img))
    assert odd['lq_img'].shape == (21, 16, 3)  # round(64 / 3), 48 / 3
    back = ResizeLike()(odd)
    assert back['lq_img'].shape == img.shape and back['lq_img'].dtype == \
        np.uint8


def test_noise_has_the_drawn_standard_deviation():
    img = np.full((64, 64, 3), 128, np.uint8)
    out = RandomGaussianNoise(std_range=(10, 10), seed=0)(
        dict(img=img, sample_idx=5))
    diff = out['lq_img'].astype(float) - 128
    assert abs(diff.std() - 10) < 0.3 and abs(diff.mean()) < 0.3
    clean = RandomGaussianNoise(std_range=(0, 0))(dict(img=img))
    assert np.array_equal(clean['lq_img'], img)


def test_jpeg_quality_orders_the_error_and_both_ends_are_drawn(faces):
    img = faces[0]
    errors = {}
    for quality in (10, 60, 100):
        out = RandomJPEG(quality_range=(quality, quality))(dict(img=img))
        assert out['degradation'] == dict(jpeg_quality=quality)
        errors[quality] = np.abs(out['lq_img'].astype(int) - img).mean()
    assert errors[10] > errors[60] > errors[100] > 0
    step = RandomJPEG(quality_range=(60, 61), seed=1)
    drawn = {step(dict(img=img, sample_idx=i))['degradation']['jpeg_quality']
             for i in range(40)}
    assert drawn == {60, 61}  # integers, both ends included


def test_default_ranges_are_respected_and_covered(faces):
    steps = build(DEFAULT_PIPELINE, seed=0)
    params = [run(steps, faces[i % 8], index=i)['degradation']
              for i in range(300)]
    for name, (lo, hi) in dict(blur_sigma=(0.1, 10), scale=(1, 8),
                               noise_std=(0, 20),
                               jpeg_quality=(60, 100)).items():
        values = np.array([p[name] for p in params])
        assert values.min() >= lo and values.max() <= hi, name
        # uniform draws: 300 of them reach near both ends
        span = hi - lo
        assert values.min() < lo + 0.05 * span, name
        assert values.max() > hi - 0.05 * span, name


def test_seeded_draws_depend_on_seed_and_sample_only(faces):
    a = run(build(DEFAULT_PIPELINE, seed=7), faces[1], index=11)
    b = run(build(DEFAULT_PIPELINE, seed=7), faces[1], index=11)
    assert a['degradation'] == b['degradation']
    assert a['lq_img'].tobytes() == b['lq_img'].tobytes()
    other_sample = run(build(DEFAULT_PIPELINE, seed=7), faces[1], index=12)
    other_seed = run(build(DEFAULT_PIPELINE, seed=8), faces[1], index=11)
    assert other_sample['degradation'] != a['degradation']
    assert other_seed['degradation'] != a['degradation']
    # each step type draws from its own stream: with one seed, one sample
    # and the same range, blur and noise still draw different values
    blur = RandomGaussianBlur(sigma_range=(1, 2), seed=7)
    noise = RandomGaussianNoise(std_range=(1, 2), seed=7)
    sample = dict(img=faces[1], sample_idx=11)
    assert blur(dict(sample))['degradation']['blur_sigma'] != \
        noise(dict(sample))['degradation']['noise_std']


def test_training_draws_follow_numpys_global_seed(faces):
    steps = build(DEFAULT_PIPELINE)
    np.random.seed(3)
    first = [run(steps, faces[0])['degradation'] for _ in range(3)]
    np.random.seed(3)
    again = [run(steps, faces[0])['degradation'] for _ in range(3)]
    assert first == again
    assert first[0] != first[1]  # a new draw per call, same sample


def test_harder_degradations_give_lower_psnr(faces):
    gt = np.stack(faces).transpose(0, 3, 1, 2)

    def mean_psnr(sigma, scale):
        steps = [RandomGaussianBlur(sigma_range=(sigma, sigma)),
                 RandomDownsample(scale_range=(scale, scale)),
                 ResizeLike()]
        lq = np.stack([run(steps, img)['lq_img'] for img in faces])
        return psnr(lq.transpose(0, 3, 1, 2), gt).mean()

    by_sigma = [mean_psnr(s, 1) for s in (0.5, 1.5, 3.0, 6.0)]
    by_scale = [mean_psnr(0.1, r) for r in (1.5, 2, 4, 8)]
    assert by_sigma == sorted(by_sigma, reverse=True)
    assert by_scale == sorted(by_scale, reverse=True)


def test_bad_settings_name_the_field():
    with pytest.raises(DegradationTransformError, match='sigma_range'):
        RandomGaussianBlur(sigma_range=(5, 1))
    with pytest.raises(DegradationTransformError, match='scale_range'):
        RandomDownsample(scale_range=(0.5, 2))
    with pytest.raises(DegradationTransformError, match='quality_range'):
        RandomJPEG(quality_range=(50, 101))
    with pytest.raises(DegradationTransformError, match='interpolation'):
        ResizeLike(interpolation='cubic')
    with pytest.raises(DegradationTransformError, match='sample_idx'):
        RandomGaussianNoise(seed=0)(dict(img=np.zeros((8, 8, 3), np.uint8)))

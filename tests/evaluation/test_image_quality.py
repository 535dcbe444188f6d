"""psnr / ssim against values computed by hand from their definitions."""
import math

import numpy as np
import pytest
import torch

from gankd.evaluation import psnr, ssim
from gankd.evaluation.image_quality import ImageQualityError, to_uint8


def _constant(values, size=8):
    """uint8 [1, 3, size, size] with one constant per channel."""
    return torch.tensor(values, dtype=torch.uint8).view(1, 3, 1, 1).expand(
        1, 3, size, size).clone()


def test_psnr_is_ten_log10_of_peak_over_mse_per_image():
    a = torch.zeros(3, 3, 8, 8, dtype=torch.uint8)
    b = a.clone()
    b[0] += 5                      # every value off by 5: MSE 25
    b[1, 2, 3, 4] = 16             # one of 192 values off by 16
    expected = [10 * math.log10(255**2 / 25),
                10 * math.log10(255**2 / (16**2 / 192)), math.inf]
    np.testing.assert_allclose(psnr(a, b), expected, rtol=1e-12)
    # Arrays work as tensors do, and the order of the pair does not matter.
    np.testing.assert_allclose(psnr(b.numpy(), a.numpy()), expected,
                               rtol=1e-12)


def test_ssim_of_constant_images_is_the_luminance_term_channel_mean():
    # Constant images: zero variance, so SSIM = (2xy + C1) / (x^2 + y^2 + C1)
    # with C1 = (0.01 * 255)^2, per channel; the image's SSIM is the mean.
    x, y = (100, 20, 250), (110, 20, 50)
    c1 = (0.01 * 255)**2
    per_channel = [(2 * p * q + c1) / (p * p + q * q + c1)
                   for p, q in zip(x, y)]
    value = ssim(_constant(x), _constant(y))
    np.testing.assert_allclose(value, [np.mean(per_channel)], rtol=1e-9)


def test_ssim_is_one_for_identical_images_and_symmetric():
    rng = np.random.default_rng(0)
    a = torch.from_numpy(rng.integers(0, 256, (2, 3, 9, 9), np.uint8))
    b = torch.from_numpy(rng.integers(0, 256, (2, 3, 9, 9), np.uint8))
    np.testing.assert_allclose(ssim(a, a), [1.0, 1.0])
    np.testing.assert_allclose(ssim(a, b), ssim(b, a), rtol=1e-12)
    assert (ssim(a, b) < 0.5).all()
    # Per image: the batch's values are those of single pairs.
    np.testing.assert_allclose(ssim(a, b)[1], ssim(a[1:], b[1:])[0])


def test_to_uint8_maps_the_ends_and_rounds_half_up():
    images = torch.tensor([-1.0, 0.0, 1.0, 2.0]).view(1, 1, 1, 4)
    assert to_uint8(images).flatten().tolist() == [0, 128, 255, 255]


@pytest.mark.parametrize('a, b, message', [
    (torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 8), 'uint8'),
    (torch.zeros(1, 3, 8, 8, dtype=torch.uint8),
     torch.zeros(1, 3, 8, 16, dtype=torch.uint8), 'one shape'),
])
def test_bad_inputs_are_user_errors(a, b, message):
    with pytest.raises(ImageQualityError, match=message):
        psnr(a, b)


def test_ssim_refuses_images_smaller_than_its_window():
    a = torch.zeros(1, 3, 4, 4, dtype=torch.uint8)
    with pytest.raises(ImageQualityError, match='7x7'):
        ssim(a, a)

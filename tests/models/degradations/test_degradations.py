"""Degradations against their definitions (mganprior.md §2.3 and §6 item
5): hand-computed values, gradients, restores, composition, errors."""
import numpy as np
import pytest
import torch
from skimage.color import rgb2ycbcr

from gankd.models.degradations import (ComposedDegradation, DegradationError,
                                       Downsample, Grayscale,
                                       IdentityDegradation, Mask)
from gankd.registry import MODELS


def images(n=2, size=8, seed=0):
    return torch.rand(n, 3, size, size,
                      generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_grayscale_is_bt601_luma_on_three_channels():
    x = images()
    gray = Grayscale()(x)
    expected = 0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]
    assert gray.shape == x.shape
    for c in range(3):
        torch.testing.assert_close(gray[:, c], expected)
    # A gray image is its own grayscale (the weights sum to 1).
    torch.testing.assert_close(Grayscale()(gray), gray)
    with pytest.raises(DegradationError, match='summing to 1'):
        Grayscale(weights=(0.3, 0.3, 0.3))


def test_colourisation_keeps_the_observed_luminance():
    """§6 item 5: the restored output has the input's Y channel, PSNR_Y >=
    45 dB after an 8-bit round trip (skimage's BT.601 YCbCr)."""
    target = images(1, 16, seed=1) * 0.8
    observation = Grayscale()(target)
    # An inversion's output: near the target, with colours of its own.
    output = target + 0.15 * images(1, 16, seed=2)
    restored = Grayscale().restore(output, observation)
    assert restored.abs().max() < 1  # nothing clipped: Y exact

    def y_channel(x):
        rgb = ((x[0].permute(1, 2, 0).numpy() + 1) * 127.5).round()
        return rgb2ycbcr(rgb.clip(0, 255).astype(np.uint8))[..., 0]

    mse = np.mean((y_channel(restored) - y_channel(target)) ** 2)
    assert 10 * np.log10(235.0 ** 2 / max(mse, 1e-12)) >= 45
    # Chroma comes from the output: restore keeps its colour differences.
    torch.testing.assert_close(restored[:, 0] - restored[:, 1],
                               output[:, 0] - output[:, 1])


def test_downsample_shapes_constant_images_and_average():
    x = images(2, 8)
    low = Downsample(4)(x)
    assert low.shape == (2, 3, 2, 2)
    constant = torch.full((1, 3, 8, 8), 0.25)
    for mode in ('bilinear', 'bicubic', 'area', 'nearest'):
        torch.testing.assert_close(Downsample(2, mode)(constant),
                                   torch.full((1, 3, 4, 4), 0.25))
    # x2 bilinear without antialiasing samples between pixel pairs: the
    # mean of each 2x2 block, by hand.
    blocks = x.reshape(2, 3, 4, 2, 4, 2).mean(dim=(3, 5))
    torch.testing.assert_close(Downsample(2)(x), blocks)
    with pytest.raises(DegradationError, match='not multiples of 3'):
        Downsample(3)(x)
    with pytest.raises(DegradationError, match='integer'):
        Downsample(1.5)


def test_mask_zeroes_holes_and_blocks_their_gradient():
    """§6 item 5: the gradient of the loss w.r.t. output pixels in the hole
    is exactly 0; known pixels are pasted back by restore."""
    holes = torch.zeros(8, 8)
    holes[2:6, 2:6] = 1  # mGANprior's files: 1 on holes
    mask = Mask(holes, hole_value=1)
    output = images(1, 8).requires_grad_()
    target = images(1, 8, seed=3)
    loss = ((mask(output) - mask(target)) ** 2).mean()
    loss.backward()
    assert (output.grad[..., 2:6, 2:6] == 0).all()
    assert (output.grad[..., :2, :] != 0).all()
    observation = mask(target)
    assert (observation[..., 2:6, 2:6] == 0).all()
    restored = mask.restore(output.detach(), observation)
    torch.testing.assert_close(restored[..., :2, :], target[..., :2, :])
    torch.testing.assert_close(restored[..., 2:6, 2:6],
                               output.detach()[..., 2:6, 2:6])
    # hole_value=0: the mask is the known-pixel map itself.
    torch.testing.assert_close(Mask(1 - holes)(target), observation)
    with pytest.raises(DegradationError, match='does not fit'):
        mask(images(1, 16))
    with pytest.raises(DegradationError, match='0/1 mask'):
        Mask(torch.full((4, 4), 0.5))


def test_composition_and_registry():
    holes = torch.zeros(8, 8)
    holes[:, :4] = 1
    composed = MODELS.build(dict(type='ComposedDegradation', degradations=[
        dict(type='Grayscale'), dict(type='Mask', mask=holes,
                                     hole_value=1)]))
    x = images()
    expected = Mask(holes, hole_value=1)(Grayscale()(x))
    torch.testing.assert_close(composed(x), expected)
    # Composition restore leaves the output as it is.
    assert torch.equal(composed.restore(x, expected), x)
    assert torch.equal(IdentityDegradation()(x), x)
    sr = MODELS.build(dict(type='Downsample', factor=2))
    assert sr(x).shape == (2, 3, 4, 4) and torch.equal(sr.restore(x, x), x)
    with pytest.raises(DegradationError, match='at least one'):
        ComposedDegradation([])


def test_centre_hole_mask_and_mask_files(tmp_path):
    import cv2
    import numpy as np

    from gankd.models.degradations import CentreHoleMask, Mask
    hole = CentreHoleMask(size=8, hole=2)
    known = hole.known[0, 0]
    # the 2 x 2 centre, rows and columns 3..4, is the only hole
    assert known.sum() == 60 and not known[3:5, 3:5].any()
    # the same mask as mGANprior's file layout (1 on holes) reads back equal
    holes = ((1 - known.numpy()) * 255).astype(np.uint8)
    cv2.imwrite(str(tmp_path / 'm.png'), holes)
    np.save(tmp_path / 'm.npy', 1 - known.numpy())
    for name in ('m.png', 'm.npy'):
        read = Mask(str(tmp_path / name), hole_value=1)
        assert torch.equal(read.known, hole.known)
    with pytest.raises(DegradationError, match='not found'):
        Mask(str(tmp_path / 'missing.png'))
    with pytest.raises(DegradationError, match='hole 8'):
        CentreHoleMask(size=8, hole=8)


def _truncated_npy(path):
    import numpy as np
    np.save(path, np.ones((16, 16), np.float32))
    data = path.read_bytes()
    path.write_bytes(data[:-100])


def _object_npy(path):
    import numpy as np
    np.save(path, np.array([{'known': 1}], dtype=object), allow_pickle=True)


def _rgb_npy(path):
    import numpy as np
    np.save(path, np.ones((16, 16, 3), np.float32))


@pytest.mark.parametrize('write, message', [
    (_truncated_npy, 'not a readable .npy array (Failed to read all data for '
     'array. Expected (16, 16) = 256 elements, could only read 231 '
     'elements. (file seems not fully written?)); save the mask with '
     'numpy.save'),
    (_object_npy, 'not a readable .npy array (Object arrays cannot be loaded '
     'when allow_pickle=False); save the mask with numpy.save'),
    (_rgb_npy, 'holds a float32 array of shape [16, 16, 3]; a mask file '
     'holds one numeric [H, W] array'),
    (lambda path: path.write_bytes(b'\x93NUMPY garbage'),
     'not a readable .npy array'),
])
def test_bad_mask_files_are_one_line_naming_the_file(tmp_path, write,
                                                      message):
    from gankd.models.degradations import Mask
    path = tmp_path / 'mask.npy'
    write(path)
    with pytest.raises(DegradationError) as caught:
        Mask(str(path))
    assert str(caught.value).startswith(f'mask {path}: {message}')
    assert '\n' not in str(caught.value)

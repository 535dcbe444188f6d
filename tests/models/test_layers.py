"""gankd.models.layers against values computed by hand or by direct loops."""
import math

import pytest
import torch
import torch.nn.functional as F

from gankd.models.layers import (EqualizedConv2d, EqualizedLinear,
                                 MinibatchStdDev, PixelNorm, fir_kernel,
                                 pixel_norm, upfirdn2d)


def test_equalized_linear_runtime_scaling():
    layer = EqualizedLinear(4, 1, gain=2.0, lr_mul=0.5)
    with torch.no_grad():
        layer.weight.fill_(1.0)
        layer.bias.fill_(3.0)
    # scale = gain / sqrt(4) * lr_mul = 0.5; 10 * 0.5 + 3 * 0.5 = 6.5
    assert layer.weight_scale == pytest.approx(0.5)
    out = layer(torch.tensor([[1., 2., 3., 4.]]))
    assert out.item() == pytest.approx(6.5)
    layer.scale_bias = False  # PGGAN: bias as stored -> 5 + 3
    assert layer(torch.tensor([[1., 2., 3., 4.]])).item() == pytest.approx(8)


def test_equalized_linear_init_is_unscaled_normal_over_lr_mul():
    torch.manual_seed(0)
    layer = EqualizedLinear(256, 256, lr_mul=0.01, bias_init=1.0)
    # Stored weights are N(0, 1 / lr_mul): std 100, runtime std 1/sqrt(256).
    assert layer.weight.std().item() == pytest.approx(100, rel=0.02)
    assert torch.allclose(layer.runtime_bias(), torch.ones(256))
    assert layer.bias[0].item() == pytest.approx(100.0)


def test_equalized_conv_scaling_and_padding():
    conv = EqualizedConv2d(2, 1, 3, gain=math.sqrt(2))
    assert conv.padding == 1
    with torch.no_grad():
        conv.weight.fill_(1.0)
        conv.bias.fill_(0.5)
    out = conv(torch.ones(1, 2, 3, 3))
    scale = math.sqrt(2) / math.sqrt(18)
    assert conv.weight_scale == pytest.approx(scale)
    # centre sees 2 * 9 taps, a corner 2 * 4; bias unscaled with lr_mul 1
    assert out[0, 0, 1, 1].item() == pytest.approx(18 * scale + 0.5)
    assert out[0, 0, 0, 0].item() == pytest.approx(8 * scale + 0.5)
    strided = EqualizedConv2d(1, 1, 3, bias=False, stride=2, padding=0)
    assert strided(torch.ones(1, 1, 7, 7)).shape == (1, 1, 3, 3)
    assert strided.bias is None


def test_pixel_norm_values():
    x = torch.tensor([[3., 4.], [0., 0.]])
    expected = torch.tensor([[3., 4.]]) / math.sqrt(12.5 + 1e-8)
    assert torch.allclose(pixel_norm(x)[0], expected[0])
    assert torch.equal(pixel_norm(x)[1], torch.zeros(2))  # eps: no nan
    feat = torch.randn(2, 5, 3, 3)
    rms = PixelNorm()(feat).square().mean(dim=1)
    assert torch.allclose(rms, torch.ones_like(rms), atol=1e-5)


def _stddev_batch():
    # 4 samples, 2 channels, 1x1; groups of 2 pair samples (0, 2), (1, 3).
    values = [[0., 0.], [1., 1.], [2., 4.], [1., 5.]]
    return torch.tensor(values).reshape(4, 2, 1, 1)


def test_minibatch_stddev_group_split_one_channel():
    x = _stddev_batch()
    out = MinibatchStdDev(group_size=2)(x)
    assert out.shape == (4, 3, 1, 1)
    assert torch.equal(out[:, :2], x)
    # group (0, 2): stds 1 and 2 -> 1.5; group (1, 3): ~0 (sqrt(eps)) and 2.
    sd_a = (math.sqrt(1 + 1e-8) + math.sqrt(4 + 1e-8)) / 2
    sd_b = (math.sqrt(1e-8) + math.sqrt(4 + 1e-8)) / 2
    expected = torch.tensor([sd_a, sd_b, sd_a, sd_b])
    assert torch.allclose(out[:, 2, 0, 0], expected, atol=1e-7)


def test_minibatch_stddev_channel_slices_and_group_clamp():
    x = _stddev_batch()
    out = MinibatchStdDev(group_size=2, num_channels=2)(x)
    assert torch.allclose(out[0, 2:, 0, 0], torch.tensor([1., 2.]))
    assert torch.allclose(out[1, 2:, 0, 0], torch.tensor([1e-4, 2.]))
    # group_size larger than the batch: one group of all 4 samples.
    whole = MinibatchStdDev(group_size=16)(x)[:, 2, 0, 0]
    std = x.reshape(4, 2).std(dim=0, unbiased=False).mean()
    assert torch.allclose(whole, std.expand(4), atol=1e-6)
    with pytest.raises(ValueError, match='not divisible'):
        MinibatchStdDev(group_size=4)(torch.randn(6, 2, 1, 1))


def test_fir_kernel_values():
    k = fir_kernel([1, 3, 3, 1], normalize_to=4)
    assert k.shape == (4, 4)
    assert k.sum().item() == pytest.approx(4)
    assert k[0, 0].item() == pytest.approx(1 / 16)
    assert k[1, 2].item() == pytest.approx(9 / 16)


def _upfirdn_loops(x, kernel, up, down, pad):
    """Direct definition: zero-insert, pad, true convolution, subsample."""
    x0, x1, y0, y1 = pad
    n, c, h, w = x.shape
    big = torch.zeros(n, c, h * up, w * up, dtype=x.dtype)
    big[:, :, ::up, ::up] = x
    padded = torch.zeros(n, c, h * up + y0 + y1, w * up + x0 + x1,
                         dtype=x.dtype)
    # handle negative pads (crops) by index arithmetic
    for i in range(padded.shape[2]):
        for j in range(padded.shape[3]):
            si, sj = i - y0, j - x0
            if 0 <= si < h * up and 0 <= sj < w * up:
                padded[:, :, i, j] = big[:, :, si, sj]
    kh, kw = kernel.shape
    out_h = (padded.shape[2] - kh) // down + 1
    out_w = (padded.shape[3] - kw) // down + 1
    out = torch.zeros(n, c, out_h, out_w, dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            acc = torch.zeros(n, c, dtype=x.dtype)
            for a in range(kh):
                for b in range(kw):
                    # convolution: kernel index reversed
                    acc += (padded[:, :, i * down + a, j * down + b]
                            * kernel[kh - 1 - a, kw - 1 - b])
            out[:, :, i, j] = acc
    return out


@pytest.mark.parametrize('up,down,pad', [
    (1, 1, (1, 1, 1, 1)),
    (2, 1, (2, 1, 2, 1)),
    (1, 2, (2, 2, 2, 2)),
    (1, 2, (1, 1, 1, 1)),
    (2, 1, (1, 1, 1, 1)),
    (2, 2, (0, -1, 1, 0)),
    (3, 1, (1, 2, 0, 3)),
])
def test_upfirdn2d_matches_direct_loops(up, down, pad):
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5, 4, dtype=torch.float64)
    kernel = torch.randn(4, 3, dtype=torch.float64)  # asymmetric: flip matters
    got = upfirdn2d(x, kernel, up=up, down=down, pad=pad)
    want = _upfirdn_loops(x, kernel, up, down, pad)
    assert got.shape == want.shape
    assert torch.allclose(got, want, atol=1e-12)


def test_upfirdn2d_keeps_constants_inside_and_accepts_buffer_layout():
    # Upsampling with a kernel summing to up**2 keeps a constant image
    # constant away from the borders (StyleGAN2's skip upsample).
    x = torch.full((1, 2, 4, 4), 3.0)
    k = fir_kernel([1, 3, 3, 1], 4)[None, None]  # genforce's [1, 1, 4, 4]
    y = upfirdn2d(x, k, up=2, pad=(2, 1, 2, 1))
    assert y.shape == (1, 2, 8, 8)
    assert torch.allclose(y[:, :, 2:-2, 2:-2], torch.full((1, 2, 4, 4), 3.))
    # Downsampling with a kernel summing to 1 does too.
    z = upfirdn2d(torch.full((1, 1, 8, 8), 2.0), fir_kernel([1, 3, 3, 1]),
                  down=2, pad=(1, 1, 1, 1))
    assert z.shape == (1, 1, 4, 4)
    assert torch.allclose(z[:, :, 1:-1, 1:-1], torch.full((1, 1, 2, 2), 2.))


def test_upfirdn2d_matches_conv_transpose_formulation():
    # The genforce formulation of an up-conv: transposed conv with the
    # spatially flipped kernel == zero insertion + correlation.
    torch.manual_seed(1)
    x = torch.randn(1, 1, 3, 3, dtype=torch.float64)
    w = torch.randn(3, 3, dtype=torch.float64)
    ref = F.conv_transpose2d(x, w.flip((0, 1))[None, None], stride=2)
    got = upfirdn2d(x, w.flip((0, 1)), up=2, pad=(2, 1, 2, 1))
    assert torch.allclose(got, ref[:, :, :got.shape[2], :got.shape[3]])


def test_upfirdn2d_double_backward():
    x = torch.randn(1, 2, 4, 4, requires_grad=True)
    y = upfirdn2d(x, fir_kernel([1, 3, 3, 1], 4), up=2, pad=(2, 1, 2, 1))
    (g, ) = torch.autograd.grad(y.square().sum(), x, create_graph=True)
    g.square().sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_equalized_layers_without_wscale_store_scaled_weights():
    torch.manual_seed(0)
    layer = EqualizedLinear(400, 300, lr_mul=0.5, use_wscale=False)
    # genforce use_wscale=False: stored N(0, 1/fan_in) / lr_mul, runtime
    # factor lr_mul only.
    assert layer.weight_scale == pytest.approx(0.5)
    assert layer.weight.std().item() == pytest.approx(0.1, rel=0.03)
    conv = EqualizedConv2d(16, 8, 3, gain=2.0, use_wscale=False)
    assert conv.weight_scale == 1.0
    assert conv.weight.std().item() == pytest.approx(2 / 12, rel=0.1)

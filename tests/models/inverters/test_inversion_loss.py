"""InversionLoss against hand-computed values on tiny tensors."""
import pytest
import torch
from torch import nn

from gankd.models.degradations import Downsample, Mask
from gankd.models.inverters import InversionLoss
from gankd.models.inverters.inversion_loss import InversionLossError


class ToyFeatures(nn.Module):
    """Two 'feature maps': the doubled image and its channel sum."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(2.0))  # must end up frozen

    def forward(self, images):
        return [self.scale * images, images.sum(1, keepdim=True)]


def pair():
    out = torch.zeros(2, 3, 2, 2)
    obs = torch.zeros(2, 3, 2, 2)
    out[0, 0, 0, 0] = 1.0   # image 0: one element off by 1 -> 12 elements
    out[1] = 0.5            # image 1: every element off by 0.5
    return out, obs


def test_pixel_mse_and_l1_per_image():
    out, obs = pair()
    losses = InversionLoss(pixel_weight=2.0, l1_weight=3.0)(out, obs)
    # image 0: mse = 1/12, l1 = 1/12; image 1: mse = 0.25, l1 = 0.5.
    expect = torch.tensor([2 / 12 + 3 / 12, 2 * 0.25 + 3 * 0.5])
    torch.testing.assert_close(losses['pixel'], expect)
    torch.testing.assert_close(losses['loss'], expect)
    assert torch.equal(losses['perceptual'], torch.zeros(2))


@pytest.mark.parametrize('distance', ['l1', 'l2'])
def test_perceptual_term(distance):
    out, obs = pair()
    net = ToyFeatures()
    loss = InversionLoss(pixel_weight=0.0, perceptual=dict(
        net=net, weight=10.0, internal_scale=0.1, distance=distance))
    assert not any(p.requires_grad for p in net.parameters())
    loss.train()
    assert not net.training
    losses = loss(out, obs)
    # features of the difference: 2 * diff (12 elements) and the channel
    # sum (4 elements); image 0: diff 1 at one place; image 1: diff 0.5.
    if distance == 'l1':
        per = torch.tensor([2 / 12 + 1 / 4, 1.0 + 1.5])
    else:
        per = torch.tensor([4 / 12 + 1 / 4, 1.0 + 2.25])
    torch.testing.assert_close(losses['perceptual'], 1.0 * per)
    torch.testing.assert_close(losses['loss'], per)
    # precomputed target features give the same result
    again = loss(out, obs, target_features=loss.target_features(obs))
    torch.testing.assert_close(again['loss'], losses['loss'])


def test_degradation_applies_to_output_only():
    out = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).view(2, 3, 4, 4)
    out = out / out.max()
    obs = Downsample(2)(out)
    losses = InversionLoss()(out, obs, Downsample(2))
    assert torch.equal(losses['loss'], torch.zeros(2))
    with pytest.raises(InversionLossError, match='does not match'):
        InversionLoss()(out, out, Downsample(2))


def test_mask_hole_gradient_is_zero():
    known = torch.ones(4, 4)
    known[1:3, 1:3] = 0
    out = torch.rand(1, 3, 4, 4, requires_grad=True)
    obs = torch.rand(1, 3, 4, 4) * known
    InversionLoss(l1_weight=1.0)(out, obs, Mask(known))['loss'].sum()\
        .backward()
    assert torch.equal(out.grad[..., 1:3, 1:3], torch.zeros(1, 3, 2, 2))
    assert bool((out.grad[..., 0, :] != 0).all())


def test_bad_options():
    with pytest.raises(InversionLossError, match='distance'):
        InversionLoss(perceptual=dict(net=ToyFeatures(), distance='cos'))
    with pytest.raises(InversionLossError, match='net='):
        InversionLoss(perceptual=dict(layer='relu3_3'))

"""Perceptual feature nets: frozen, gradients reach the images, values
equal the underlying network run by hand, one-line errors on bad input."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.vgg import cfgs, make_layers

from gankd.models.inverters import (ClassifierFeatures,
                                    DiscriminatorFeatures, FeatureNetError,
                                    VGG16Features)
from gankd.models.layers import MinibatchStdDev
from gankd.registry import MODELS
from gankd.utils.checkpoint import CheckpointError

PREDICTOR = 'configs/attribute_predictor/resnet18-w16_1xb128_synthfaces32.py'


def images(n=2, size=16, grad=True):
    return (torch.rand(n, 3, size, size) * 2 - 1).requires_grad_(grad)


def frozen_and_differentiable(net, x):
    assert not any(p.requires_grad for p in net.parameters())
    net.train()
    feats = net(x)
    sum(f.sum() for f in feats).backward()
    assert x.grad is not None and bool(x.grad.abs().sum() > 0)
    assert all(p.grad is None for p in net.parameters())
    return feats


# ---------------------------------------------------------------- VGG16

@pytest.fixture(scope='module')
def vgg_file(tmp_path_factory):
    """Random torchvision VGG-16 feature weights up to relu4_3."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('vgg') / 'vgg16.pth'
    features = make_layers(cfgs['D'])[:23]
    torch.save({f'features.{k}': v
                for k, v in features.state_dict().items()}, path)
    return str(path)


def vgg_by_hand(state, x, convs):
    """VGG-16's first ``convs`` 3x3 conv + ReLU layers, 2x2 max-pooling
    after the 2nd, 4th and 7th, from the state dict alone."""
    indices = sorted({int(k.split('.')[1]) for k in state})
    for n, index in enumerate(indices[:convs]):
        if n in (2, 4, 7):
            x = F.max_pool2d(x, 2)
        x = F.relu(F.conv2d(x, state[f'features.{index}.weight'],
                            state[f'features.{index}.bias'], padding=1))
    return x


def test_vgg16_matches_torchvision_by_hand(vgg_file):
    net = VGG16Features(vgg_file, resize=32)
    state = torch.load(vgg_file, weights_only=True)
    x = images()
    feats = frozen_and_differentiable(net, x)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    # nearest 16 -> 32: every pixel becomes a 2x2 block
    y = ((x.detach() + 1) / 2 - mean) / std
    big = y.repeat_interleave(2, 2).repeat_interleave(2, 3)
    assert len(feats) == 1 and feats[0].shape == (2, 256, 8, 8)
    torch.testing.assert_close(feats[0], vgg_by_hand(state, big, 7))
    deep = VGG16Features(vgg_file, layer='relu4_3', resize=None)(x)[0]
    assert deep.shape == (2, 512, 2, 2)
    torch.testing.assert_close(deep, vgg_by_hand(state, y, 10))


def test_vgg16_errors(tmp_path, vgg_file):
    with pytest.raises(FeatureNetError, match='not found'):
        VGG16Features(str(tmp_path / 'missing.pth'))
    with pytest.raises(FeatureNetError, match='not found'):
        VGG16Features(None)
    with pytest.raises(FeatureNetError, match='relu3_3'):
        VGG16Features(vgg_file, layer='conv9')
    partial = tmp_path / 'partial.pth'
    torch.save({'features.0.weight': torch.zeros(64, 3, 3, 3)}, partial)
    with pytest.raises(FeatureNetError, match='lacks'):
        VGG16Features(str(partial))


# ----------------------------------------------------------- classifier

def test_classifier_features_are_backbone_stages():
    with pytest.warns(UserWarning, match='without checkpoint'):
        net = ClassifierFeatures(PREDICTOR, out_indices=[-1, 1])
    x = images(size=32)
    feats = frozen_and_differentiable(net, x)
    # by hand: mmpretrain's CIFAR ResNet stem and stages on the
    # preprocessed images
    backbone = net.classifier.backbone
    h = backbone.conv1(net.preprocess(x.detach()))
    h = backbone.relu(backbone.norm1(h))
    stages = []
    for name in backbone.res_layers:
        h = getattr(backbone, name)(h)
        stages.append(h)
    assert len(feats) == 2
    torch.testing.assert_close(feats[0], stages[1])
    torch.testing.assert_close(feats[1], stages[-1])
    with pytest.warns(UserWarning):
        every = ClassifierFeatures(PREDICTOR)
    assert len(every(x)) == backbone.num_stages


def test_classifier_features_errors(tmp_path):
    with pytest.raises(CheckpointError, match='not found'):
        ClassifierFeatures(PREDICTOR, str(tmp_path / 'missing.pth'))
    with pytest.warns(UserWarning), pytest.raises(FeatureNetError,
                                                  match='out_indices'):
        ClassifierFeatures(PREDICTOR, out_indices=[7])


# -------------------------------------------------------- discriminator

class ToyDiscriminator(nn.Module):
    """conv -> conv -> minibatch stddev -> linear, at 8x8."""

    def __init__(self, resolution=8):
        super().__init__()
        self.resolution = resolution
        self.conv0 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv1 = nn.Conv2d(4, 4, 3, stride=2, padding=1)
        self.mbstd = MinibatchStdDev(group_size=2)
        self.head = nn.Linear(5 * 4 * 4, 1)

    def forward(self, x):
        x = torch.relu(self.conv1(torch.relu(self.conv0(x))))
        return self.head(self.mbstd(x).flatten(1))


@pytest.fixture
def gan_files(tmp_path, temp_register):
    temp_register(MODELS, ToyDiscriminator)
    config = tmp_path / 'gan.py'
    config.write_text("model = dict(type='UnconditionalGAN', generator=None, "
                      "discriminator=dict(type='ToyDiscriminator'))\n")
    torch.manual_seed(1)
    disc = ToyDiscriminator()
    state = {f'discriminator.{k}': v for k, v in disc.state_dict().items()}
    state['generator.weight'] = torch.zeros(3)  # ignored
    ckpt = tmp_path / 'iter_1.pth'
    torch.save(dict(state_dict=state, meta=dict(iter=1)), ckpt)
    return str(config), str(ckpt), disc


def test_discriminator_features_by_hand(gan_files):
    config, ckpt, disc = gan_files
    net = DiscriminatorFeatures(config, ckpt, layers=['conv1', 'conv0'])
    x = images(size=16)
    feats = frozen_and_differentiable(net, x)
    # resized (bilinear) to the discriminator's 8x8, layers in given order
    small = nn.functional.interpolate(x.detach(), size=(8, 8),
                                      mode='bilinear', align_corners=False)
    first = disc.conv0(small)
    torch.testing.assert_close(feats[1], first)
    torch.testing.assert_close(feats[0], disc.conv1(torch.relu(first)))
    # one image alone gives what it gives in the batch
    torch.testing.assert_close(net(x[:1])[0], feats[0][:1])


def test_discriminator_features_errors(gan_files, tmp_path):
    config, ckpt, _ = gan_files
    # A missing checkpoint names the command that trains it.
    with pytest.raises(CheckpointError, match='GAN checkpoint not found: '
                       f'.*no.pth; `python tools/train.py {config}`'):
        DiscriminatorFeatures(config, str(tmp_path / 'no.pth'), ['conv0'])
    with pytest.raises(FeatureNetError, match='unknown'):
        DiscriminatorFeatures(config, ckpt, ['conv7'])
    with pytest.raises(FeatureNetError, match='minibatch-stddev'):
        DiscriminatorFeatures(config, ckpt, ['head'])
    bad = tmp_path / 'bad.pth'
    torch.save(dict(state_dict={'discriminator.conv0.weight':
                                torch.zeros(1)}), bad)
    with pytest.raises(CheckpointError, match='does not fit'):
        DiscriminatorFeatures(config, str(bad), ['conv0'])

"""CIFAR distillation backbones: sizes against the published model zoo,
stage outputs, freezing, wiring, and use inside mmpretrain's classifier."""
import pytest
import torch
import torch.nn as nn
from mmengine.registry import DefaultScope
from torch.nn.modules.batchnorm import _BatchNorm

from gankd.models.backbones import CIFARVGG, CIFARResNet, WideResNet
from gankd.registry import MODELS

# Parameters (millions) of the 100-class classifier (backbone + GAP + linear
# head), as cited for the CRD benchmark's models (Tian et al., ICLR 2020).
# resnet14 is cited as 0.17 M, most likely its 10-class count (0.175 M)
# truncated; with a 100-way head it has 0.175 M + 90 * (64 + 1) = 0.181 M
# (see gankd/models/backbones/README.md).
PUBLISHED_MPARAMS = {
    ('CIFARResNet', 'resnet8'): 0.08,
    ('CIFARResNet', 'resnet14'): 0.18,
    ('CIFARResNet', 'resnet20'): 0.28,
    ('CIFARResNet', 'resnet32'): 0.47,
    ('CIFARResNet', 'resnet44'): 0.67,
    ('CIFARResNet', 'resnet56'): 0.86,
    ('CIFARResNet', 'resnet110'): 1.74,
    ('CIFARResNet', 'resnet8x4'): 1.23,
    ('CIFARResNet', 'resnet32x4'): 7.43,
    ('WideResNet', 'wrn_16_2'): 0.70,
    ('WideResNet', 'wrn_40_1'): 0.57,
    ('WideResNet', 'wrn_40_2'): 2.26,
    ('CIFARVGG', 'vgg8'): 3.96,
    ('CIFARVGG', 'vgg13'): 9.46,
}
BACKBONES = {'CIFARResNet': CIFARResNet, 'WideResNet': WideResNet,
             'CIFARVGG': CIFARVGG}


def _classifier(type_name, num_classes=100, **kwargs):
    in_channels = BACKBONES[type_name](**kwargs).out_channels[-1]
    return MODELS.build(
        dict(type='mmpretrain.ImageClassifier',
             backbone=dict(type=f'gankd.{type_name}', **kwargs),
             neck=dict(type='mmpretrain.GlobalAveragePooling'),
             head=dict(type='mmpretrain.LinearClsHead',
                       num_classes=num_classes, in_channels=in_channels)))


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('type_name,arch', sorted(PUBLISHED_MPARAMS))
def test_parameter_count_matches_published(type_name, arch):
    measured = _num_params(_classifier(type_name, arch=arch)) / 1e6
    published = PUBLISHED_MPARAMS[(type_name, arch)]
    # Published to 0.01 M: 2 %, or the rounding of the last digit.
    assert measured == pytest.approx(published, rel=0.02, abs=0.005)


def test_resnet20_parameter_count_by_hand():
    # stem: 3*16*9 + BN 32 = 464
    # layer1: 3 blocks * 2 * (16*16*9 + 32) = 14016
    # layer2: (16*32*9 + 64) + (32*32*9 + 64) + proj (16*32 + 64)
    #         + 2 blocks * 2 * (32*32*9 + 64) = 51648
    # layer3: the same with 32 -> 64: 205696
    # head: 64*100 + 100 = 6500
    assert _num_params(_classifier('CIFARResNet', depth=20)) == 278324


@pytest.mark.parametrize('kwargs,shapes', [
    (dict(type='CIFARResNet', depth=20),
     [(16, 32, 32), (32, 16, 16), (64, 8, 8)]),
    (dict(type='CIFARResNet', arch='resnet8x4'),
     [(64, 32, 32), (128, 16, 16), (256, 8, 8)]),
    (dict(type='WideResNet', depth=16, widen_factor=2),
     [(32, 32, 32), (64, 16, 16), (128, 8, 8)]),
    (dict(type='CIFARVGG', arch='vgg8'),
     [(128, 16, 16), (256, 8, 8), (512, 4, 4), (512, 4, 4)]),
])
def test_out_indices_select_stage_outputs(kwargs, shapes):
    x = torch.rand(2, 3, 32, 32)
    every = MODELS.build(dict(kwargs, out_indices=range(len(shapes))))
    outs = every(x)
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(2, ) + s for s in shapes]
    assert every.out_channels == tuple(s[0] for s in shapes)
    last = MODELS.build(kwargs)  # default: the last stage only
    assert [tuple(o.shape) for o in last(x)] == [(2, ) + shapes[-1]]
    some = MODELS.build(dict(kwargs, out_indices=(-1, 0)))
    assert [tuple(o.shape) for o in some(x)] == [(2, ) + shapes[0],
                                                 (2, ) + shapes[-1]]


def _stage_state(backbone, index):
    modules = backbone._stage_modules(index)
    return {f'{i}.{k}': v.clone() for i, m in enumerate(modules)
            for k, v in m.state_dict().items()}


@pytest.mark.parametrize('kwargs', [
    dict(type='CIFARResNet', depth=8),
    dict(type='WideResNet', depth=10, widen_factor=1),
    dict(type='CIFARVGG', arch='vgg8'),
])
def test_frozen_stages_stay_bit_identical(kwargs):
    torch.manual_seed(0)
    backbone = MODELS.build(dict(kwargs, frozen_stages=1, out_indices=(0, 1)))
    backbone.init_weights()
    backbone.train()
    assert not backbone.stem.training and not backbone.layer1.training
    assert backbone.layer2.training
    before = [_stage_state(backbone, i) for i in range(3)]
    optimizer = torch.optim.SGD(
        [p for p in backbone.parameters() if p.requires_grad], lr=0.1)
    for _ in range(2):
        loss = sum(o.square().mean() for o in backbone(torch.randn(4, 3, 32,
                                                                   32)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = [_stage_state(backbone, i) for i in range(3)]
    for index in (0, 1):  # stem, layer1: weights and BN statistics
        for key, value in before[index].items():
            assert torch.equal(value, after[index][key]), (index, key)
    # Not vacuous: layer2 learned and updated its BN statistics.
    changed = [k for k, v in before[2].items()
               if v.is_floating_point() and not torch.equal(v, after[2][k])]
    assert any('running_mean' in k for k in changed)
    assert any('weight' in k and 'running' not in k for k in changed)


def test_wide_resnet_last_frozen_stage_includes_final_norm():
    backbone = WideResNet(depth=10, frozen_stages=3).train()
    assert not backbone.norm_out.training
    assert not any(p.requires_grad for p in backbone.parameters())


def test_norm_eval_keeps_every_bn_in_eval():
    backbone = CIFARResNet(depth=8, norm_eval=True).train()
    norms = [m for m in backbone.modules() if isinstance(m, _BatchNorm)]
    assert norms and not any(m.training for m in norms)
    assert backbone.layer3.training  # only the norms
    mean = backbone.layer3[0].bn1.running_mean.clone()
    backbone(torch.randn(2, 3, 32, 32))
    assert torch.equal(mean, backbone.layer3[0].bn1.running_mean)


@pytest.mark.parametrize('scope', [None, 'mmpretrain', 'gankd'])
@pytest.mark.parametrize('type_name,kwargs', [
    ('CIFARResNet', dict(depth=20)),
    ('WideResNet', dict(arch='wrn_16_2')),
    ('CIFARVGG', dict(arch='vgg8')),
])
def test_builds_inside_mmpretrain_image_classifier(scope, type_name, kwargs):
    if scope is not None:
        DefaultScope.get_instance('test_cifar_backbones', scope_name=scope)
    model = _classifier(type_name, **kwargs)
    model.init_weights()
    logits = model.eval()(torch.rand(2, 3, 32, 32), mode='tensor')
    assert logits.shape == (2, 100)
    assert torch.isfinite(logits).all()


def _convs(module, kernel):
    return [m for m in module.modules()
            if isinstance(m, nn.Conv2d) and m.kernel_size == (kernel, kernel)]


def test_resnet_shortcuts_are_projections_only_where_shapes_change():
    # 1 stem conv + 9 blocks * 2 convs, and 1x1 conv + BN shortcuts in the
    # first blocks of layer2 and layer3 only (identity elsewhere).
    resnet20 = CIFARResNet(depth=20)
    assert len(_convs(resnet20, 3)) == 19
    assert len(_convs(resnet20, 1)) == 2
    assert resnet20.layer1[0].downsample is None
    assert isinstance(resnet20.layer2[0].downsample[1], nn.BatchNorm2d)
    # resnet8x4: stem 32 -> layer1 64 channels needs a projection too.
    resnet8x4 = CIFARResNet(arch='resnet8x4')
    assert len(_convs(resnet8x4, 3)) == 7
    assert len(_convs(resnet8x4, 1)) == 3


def test_resnet_block_is_residual():
    # With bn2 scaled to zero, a block is relu(shortcut(x)); layer1's input
    # is already non-negative (stem ends in ReLU), so layer1 is the identity.
    backbone = CIFARResNet(depth=20, out_indices=(0, )).eval()
    with torch.no_grad():
        for block in backbone.layer1:
            block.bn2.weight.zero_()
            block.bn2.bias.zero_()
        x = torch.randn(2, 3, 32, 32)
        assert torch.allclose(backbone(x)[0], backbone.stem(x))


def test_wide_resnet_is_pre_activation():
    backbone = WideResNet(arch='wrn_16_2', out_indices=(0, 1, 2)).eval()
    # Stem without BN; 1x1 shortcuts without BN in every first block (the
    # stem has 16 channels, layer1 32).
    assert isinstance(backbone.stem, nn.Conv2d)
    assert len(_convs(backbone, 1)) == 3
    assert isinstance(backbone.layer1[0].bn1, nn.BatchNorm2d)
    with torch.no_grad():
        f1, _, f3 = backbone(torch.randn(2, 3, 32, 32))
    assert (f1 < 0).any()  # raw residual sum
    assert (f3 >= 0).all()  # after the final BN + ReLU


def test_vgg_stage_layout():
    vgg13 = CIFARVGG(arch='vgg13')
    assert len(_convs(vgg13, 3)) == 10
    assert all(conv.bias is not None for conv in _convs(vgg13, 3))
    assert [isinstance(vgg13.get_submodule(f'layer{i}')[0], nn.MaxPool2d)
            for i in range(1, 5)] == [True, True, True, False]
    pooled = CIFARVGG(arch='vgg8', downsample_last=True)
    assert pooled(torch.rand(1, 3, 32, 32))[0].shape == (1, 512, 2, 2)


@pytest.mark.parametrize('cls,kwargs', [
    (CIFARResNet, dict(depth=21)),
    (CIFARResNet, dict(depth=20, arch='resnet20')),
    (CIFARResNet, dict(arch='resnet21')),
    (CIFARResNet, dict(depth=20, out_indices=(3, ))),
    (CIFARResNet, dict(depth=20, frozen_stages=4)),
    (WideResNet, dict(depth=18)),
    (CIFARVGG, dict(arch='vgg12')),
])
def test_bad_arguments_raise(cls, kwargs):
    with pytest.raises(ValueError):
        cls(**kwargs)

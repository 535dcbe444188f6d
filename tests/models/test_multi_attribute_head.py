import glob
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample

from gankd.datasets import SynthFaces
from gankd.models import MultiAttributeHead
from gankd.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ATTRS = [
    dict(name='glasses', type='binary'),
    dict(name='hair', type='categorical', num_classes=3),
    dict(name='yaw', type='continuous'),
]
_FACE_ATTRS = SynthFaces(num_samples=1).metainfo['attributes']
# Outputs: [glasses logit | hair logits x3 | yaw value]
BIAS = [2.0, 1.0, 0.0, -1.0, 0.5]


def _head(**kwargs):
    head = MultiAttributeHead(attributes=ATTRS, in_channels=4, **kwargs)
    with torch.no_grad():  # every sample gets the outputs BIAS
        head.fc.weight.zero_()
        head.fc.bias.copy_(torch.tensor(BIAS))
    return head


def _samples(targets):
    samples = []
    for t in targets:
        sample = DataSample()
        sample.set_field(np.array(t, np.float32), 'gt_attrs')
        samples.append(sample)
    return samples


def _softplus(x):
    return math.log1p(math.exp(x))


def test_loss_matches_hand_computation():
    head = _head(loss_weights=dict(binary=1.0, categorical=2.0,
                                   continuous=0.5))
    feats = (torch.randn(2, 4), )
    targets = [[1, 0, 0.0], [0, 2, 2.0]]
    loss = head.loss(feats, _samples(targets))['loss']
    # BCE(2, 1) = softplus(-2); BCE(2, 0) = softplus(2)
    bce = (_softplus(-2.0) + _softplus(2.0)) / 2
    lse = math.log(math.e + 1 + math.exp(-1))
    ce = ((lse - 1.0) + (lse + 1.0)) / 2  # classes 0 and 2
    # smooth-L1 (beta 1): |0.5 - 0| < 1 -> 0.5 * 0.25; |0.5 - 2| -> 1.0
    sl1 = (0.125 + 1.0) / 2
    expected = (1.0 * bce + 2.0 * ce + 0.5 * sl1) / 3
    assert loss.item() == pytest.approx(expected, rel=1e-6)

    mse = _head(continuous_loss='mse').loss(feats, _samples(targets))['loss']
    assert mse.item() == pytest.approx((bce + ce + (0.25 + 2.25) / 2) / 3,
                                       rel=1e-6)


def test_missing_labels_are_ignored():
    head = _head()
    feats = (torch.randn(2, 4), )
    loss = head.loss(feats, _samples([[1, 0, 0.0], [np.nan, 0, np.nan]]))
    bce = _softplus(-2.0)  # only the first sample has a glasses label
    lse = math.log(math.e + 1 + math.exp(-1))
    ce = lse - 1.0
    sl1 = 0.125
    assert loss['loss'].item() == pytest.approx((bce + ce + sl1) / 3,
                                                rel=1e-6)


def test_predict_decodes_each_type():
    head = _head()
    samples = head.predict((torch.randn(3, 4), ))
    assert len(samples) == 3
    assert samples[0].pred_attrs.tolist() == [1.0, 0.0, 0.5]
    assert samples[0].pred_attr_scores.tolist() == BIAS
    assert head.output_slices['hair'] == slice(1, 4)
    with torch.no_grad():
        head.fc.bias.copy_(torch.tensor([-0.1, 0.0, 0.0, 3.0, -0.7]))
    given = [DataSample(), DataSample()]
    out = head.predict((torch.randn(2, 4), ), given)
    assert out[1] is given[1]
    assert out[1].pred_attrs.tolist() == pytest.approx([0.0, 2.0, -0.7])


def test_bad_specs_name_the_field():
    with pytest.raises(ValueError, match=r'attributes\[1\]'):
        MultiAttributeHead([ATTRS[0], dict(name='x', type='ordinal')], 4)
    with pytest.raises(ValueError, match='num_classes'):
        MultiAttributeHead([dict(name='x', type='categorical')], 4)
    with pytest.raises(KeyError, match='gt_attrs'):
        _head().loss((torch.randn(1, 4), ), [DataSample()])
    string_form = MultiAttributeHead(
        ['glasses:binary', 'hair:categorical:3', 'yaw:continuous'], 4)
    assert string_form.attributes == ATTRS
    assert string_form.num_outputs == 5


def _classifier():
    return MODELS.build(
        dict(
            type='mmpretrain.ImageClassifier',
            data_preprocessor=dict(
                type='mmpretrain.ClsDataPreprocessor',
                mean=[128.0] * 3,
                std=[64.0] * 3,
                to_rgb=True),
            backbone=dict(
                type='mmpretrain.ResNet_CIFAR',
                depth=18,
                stem_channels=8,
                base_channels=8,
                out_indices=(3, )),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(
                type='gankd.MultiAttributeHead',
                in_channels=64,
                attributes=_FACE_ATTRS)))


def test_trains_inside_mmpretrain_image_classifier():
    torch.manual_seed(0)
    ds = SynthFaces(
        num_samples=8,
        img_size=32,
        pipeline=[
            dict(type='mmpretrain.PackInputs', algorithm_keys=['gt_attrs'])
        ])
    batch = dict(
        inputs=[ds[i]['inputs'] for i in range(8)],
        data_samples=[ds[i]['data_samples'] for i in range(8)])
    model = _classifier()
    optim = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(6):  # fit one fixed batch: the loss must go down
        data = model.data_preprocessor(batch, True)
        loss = model(**data, mode='loss')['loss']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]
    model.eval()
    with torch.no_grad():
        out = model.val_step(batch)
    assert out[0].pred_attrs.shape == (10, )
    assert out[0].pred_attr_scores.shape == (21, )  # 1+1+1+1+5+1+1+3+6+1
    assert set(out[0].pred_attrs[[1, 2, 3, 5, 6]].tolist()) <= {0.0, 1.0}


@pytest.mark.parametrize(
    'path',
    sorted(glob.glob(osp.join(REPO, 'configs', 'attribute_predictor',
                              '*.py'))))
def test_predictor_configs_match_synthfaces(path):
    cfg = Config.fromfile(path)
    head = MultiAttributeHead(**{
        k: v
        for k, v in cfg.model.head.items() if k != 'type'
    })
    assert head.attributes == [{
        k: v
        for k, v in spec.items() if k in ('name', 'type', 'num_classes')
    } for spec in _FACE_ATTRS]

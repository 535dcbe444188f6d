"""PooledBatchNormNeck: GAP + BatchNorm1d, folded exactly into the head."""
import torch

from gankd.models.necks import PooledBatchNormNeck, fold_batch_norm_neck
from gankd.registry import MODELS


def classifier(neck):
    return MODELS.build(dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, base_channels=4,
                      stem_channels=4, num_stages=2, strides=(1, 2),
                      dilations=(1, 1), out_indices=(1, )),
        neck=neck,
        head=dict(type='LinearClsHead', num_classes=5, in_channels=8)))


def test_neck_standardises_each_channel_by_hand():
    neck = PooledBatchNormNeck(3).train()
    x = torch.randn(6, 3, 4, 4) * torch.tensor([0.1, 2.0, 30.0]).view(
        1, 3, 1, 1) + 5
    out, = neck((x, ))
    pooled = x.mean(dim=(2, 3))
    expected = (pooled - pooled.mean(0)) / torch.sqrt(
        pooled.var(0, unbiased=False) + 1e-5)
    torch.testing.assert_close(out, expected, atol=1e-4, rtol=1e-4)


def test_folding_gives_the_same_logits_with_a_plain_gap_neck():
    torch.manual_seed(0)
    model = classifier(dict(type='gankd.PooledBatchNormNeck', in_channels=8))
    model.train()
    with torch.no_grad():  # non-trivial running statistics and affine
        for _ in range(5):
            model(torch.randn(16, 3, 8, 8) * 3 + 1, mode='tensor')
        model.neck.bn.weight.uniform_(0.5, 2.0)
        model.neck.bn.bias.uniform_(-1, 1)
    model.eval()
    cfg = dict(type='mmpretrain.ImageClassifier', neck=dict(
        type='gankd.PooledBatchNormNeck', in_channels=8))
    folded, folded_cfg = fold_batch_norm_neck(model, cfg)
    assert folded_cfg['neck'] == dict(type='mmpretrain.GlobalAveragePooling')
    assert type(folded.neck).__name__ == 'GlobalAveragePooling'
    assert isinstance(model.neck, PooledBatchNormNeck)  # original untouched
    x = torch.randn(4, 3, 8, 8)
    with torch.no_grad():
        torch.testing.assert_close(folded(x, mode='tensor'),
                                   model(x, mode='tensor'),
                                   atol=1e-5, rtol=1e-5)
    # A classifier with another neck is returned as it is.
    plain = classifier(dict(type='mmpretrain.GlobalAveragePooling'))
    assert fold_batch_norm_neck(plain, {'x': 1}) == (plain, {'x': 1})

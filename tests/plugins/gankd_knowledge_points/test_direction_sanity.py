"""Spec §6 check 12, direction sanity: a network trained where the
background carries no label information has a higher lambda (share of its
knowledge points on the foreground) than the same network trained where a
background cue predicts the label (SynthShapes' ``label_background``).

Tiny: 4 classes, 600 images, a 2-stage CIFAR ResNet at width 8, 8 epochs
of Adam, sigma on 8 images at G = 8. The full-size run with 3 seeds is
``configs/knowledge_points/kp-background-cue_*.py`` (README, check 12).
Measured with this seed: lambda 0.68 against 0.21; the plain network is
right on 35 % of plain test images (chance 25 %), the cue network on all
cue images and 22 % of plain ones."""
import numpy as np
import torch
import torch.nn.functional as F

from gankd.datasets import SynthShapes
from gankd.registry import MODELS, scope_config_types
from gankd_knowledge_points.knowledge_metrics import (baseline_entropy,
                                                      count_points,
                                                      knowledge_points,
                                                      quality_ratio)
from gankd_knowledge_points.knowledge_points_probe import \
    KnowledgePointsProbe

CLASSIFIER = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=8,
                  stem_channels=8, num_stages=2, strides=(1, 2),
                  dilations=(1, 1), out_indices=(1, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=4,
              in_channels=16))


def _data(label_background, num, split='train'):
    ds = SynthShapes(num_samples=num, num_classes=4, split=split,
                     label_background=label_background)
    infos = [ds.get_data_info(i) for i in range(num)]
    x = torch.from_numpy(np.stack([i['img'] for i in infos]))
    x = x.permute(0, 3, 1, 2).float() / 127.5 - 1
    y = torch.tensor([int(i['gt_label']) for i in infos])
    return x, y, [torch.from_numpy(i['fg_mask']) for i in infos]


def _train(label_background):
    torch.manual_seed(0)
    model = MODELS.build(scope_config_types(CLASSIFIER))
    x, y, _ = _data(label_background, 600)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(8):
        for batch in torch.randperm(len(x)).split(50):
            loss = F.cross_entropy(model(x[batch], mode='tensor'), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def _lambda(model, images, masks):
    probe = KnowledgePointsProbe(
        model, layer='backbone.layer2',
        sigma_cfg=dict(grid=8, noise_batch=8, images_per_batch=8),
        mask_cfg=dict(source='dataset'))
    entropy = probe.learn_sigma(images)['entropy'][:, 0][None]  # [1,N,G,G]
    fg = probe.foreground(len(images), masks=masks,
                          image_size=tuple(images.shape[-2:]))
    points = knowledge_points(entropy, baseline_entropy(entropy, fg),
                              probe.points_cfg.threshold)
    counts = count_points(points, fg)
    return quality_ratio(counts['fg'], counts['bg']).float().mean().item()


def test_a_background_cue_lowers_lambda():
    plain, cue = _train(False), _train(True)
    images, labels, masks = _data(True, 8, split='test')  # with the cue
    with torch.no_grad():
        # The cue network reads the colour: it is right on cue images
        # far more often than the plain one.
        cue_right = (cue(images, mode='tensor').argmax(1) == labels).sum()
        plain_right = (plain(images, mode='tensor').argmax(1) == labels).sum()
    assert cue_right >= 7 and cue_right > plain_right
    assert _lambda(plain, images, masks) > _lambda(cue, images, masks) + 0.1

"""KnowledgePointsProbe over classifiers: the layer check, the
pre-activation feature, the frozen network, strict checkpoint loading and
the whole analysis over a tiny checkpoint list."""
import pytest
import torch
from torch import nn

from gankd.utils.checkpoint import save_checkpoint
from gankd_knowledge_points.errors import KnowledgePointsError
from gankd_knowledge_points.knowledge_points_probe import \
    KnowledgePointsProbe

TINY_CLASSIFIER = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=4,
                  stem_channels=4, num_stages=2, strides=(1, 2),
                  dilations=(1, 1), out_indices=(1, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=3, in_channels=8))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.act = nn.ReLU(inplace=True)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc(self.pool(self.act(self.conv(x))).flatten(1))


def test_layer_typo_names_close_matches():
    with pytest.raises(KnowledgePointsError,
                       match=r"layer 'backbone.layr2' is not a module of "
                             r'ImageClassifier; did you mean '
                             r'backbone.layer2'):
        KnowledgePointsProbe(TINY_CLASSIFIER, layer='backbone.layr2')
    probe = KnowledgePointsProbe(TINY_CLASSIFIER)
    assert probe.layer == 'backbone.layer2'  # default: last stage
    assert all(not p.requires_grad for p in probe.classifier.parameters())
    probe.train()
    assert not probe.classifier.training  # frozen: eval under train()
    feature = probe.feature(torch.randn(2, 3, 8, 8))
    assert feature.shape == (2, 8, 4, 4)


def test_feature_is_the_pre_activation_output():
    net = Net()
    probe = KnowledgePointsProbe(net, layer='conv')
    x = torch.randn(3, 1, 8, 8)
    # the in-place ReLU after 'conv' must not reach the recorded tensor
    assert torch.equal(probe.feature(x), net.conv(x))
    assert (probe.feature(x) < 0).any()
    with pytest.raises(KnowledgePointsError, match='not on the path'):
        net.unused = nn.Linear(1, 1)
        KnowledgePointsProbe(net, layer='unused').feature(x)


def test_checkpoint_that_does_not_fit_is_one_line(tmp_path):
    probe = KnowledgePointsProbe(Net(), layer='conv')
    path = str(tmp_path / 'other.pth')
    save_checkpoint(dict(state_dict=nn.Linear(2, 2).state_dict()), path)
    with pytest.raises(KnowledgePointsError, match='other.pth: does not fit'):
        probe.load_checkpoint(path)


def test_analyse_over_checkpoints(tmp_path):
    # Three "checkpoints" of a one-conv net whose weights look only at the
    # centre (foreground): knowledge points are foreground, lambda = 1.
    images = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    masks = torch.zeros(4, 8, 8)
    masks[:, 2:6, 2:6] = 1
    checkpoints = []
    for epoch, gain in [(0, 0.5), (1, 1.0), (2, 2.0)]:
        net = Net()
        with torch.no_grad():
            net.conv.weight.zero_()
            net.conv.weight[:, :, 1, 1] = gain
            net.conv.bias.fill_(5.0)  # keep the ReLU inactive
        path = str(tmp_path / f'snapshot_epoch_{epoch}.pth')
        save_checkpoint(dict(state_dict=net.state_dict()), path)
        checkpoints.append((epoch, path))

    def centre_only(x):
        return x[:, :, 2:6, 2:6]
    probe = KnowledgePointsProbe(
        Net(), layer='conv',
        sigma_cfg=dict(grid=4, noise_batch=8, iterations=30,
                       optimizer='Adam', lr=0.05, escalation_iter=None,
                       snapshot='last', images_per_batch=2),
        points_cfg=dict(max_images=2, filter_min_epoch=1))
    # look only at the centre: wrap the classifier's conv input
    net = probe.classifier
    original = net.conv.forward
    net.conv.forward = lambda x: original(
        torch.nn.functional.pad(centre_only(x), (2, 2, 2, 2)))
    result = probe.analyse(checkpoints, images, masks,
                           distances=[0.5, 0.25])
    # max_images: the first round (2 images) is enough, the second never
    # runs
    assert result['kept'] == [0, 1]
    assert torch.isnan(result['entropy'][:, 2:]).all()
    assert (result['chosen_iter'][:, :2] == 29).all()
    metrics = result['metrics']
    assert metrics['images'] == 2
    assert metrics['table']['epoch'] == 2
    assert metrics['table']['N_bg'] == 0 and metrics['table']['N_fg'] > 0
    assert metrics['table']['lambda'] == 1.0
    assert 0 <= metrics['rho']['fg'] <= 1
    assert metrics['speed']['images'] == 2
    assert set(metrics['speed']['peak_epoch']) <= {0, 1, 2}

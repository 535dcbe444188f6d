"""count_flops / count_params against hand counts."""
from torch import nn

from gankd.utils.complexity import count_flops, count_params


def test_hand_counted_conv_and_linear():
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False),
                        nn.BatchNorm2d(4), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Linear(4, 5))
    net.train()
    # conv: 2 * (3 * 9) * 4 * 8 * 8 ; linear: 2 * 4 * 5 ; BN/ReLU/pool: 0
    assert count_flops(net, (3, 8, 8)) == 2 * 27 * 4 * 64 + 2 * 4 * 5
    assert net.training  # mode restored
    assert count_params(net) == 3 * 4 * 9 + 4 + 4 + 4 * 5 + 5

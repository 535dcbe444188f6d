"""A tiny convolutional backbone, mmpretrain-compatible."""
from typing import Tuple

from mmengine.model import BaseModule
from torch import Tensor, nn

__all__ = ['ExampleConvNet']


class ExampleConvNet(BaseModule):
    """Three conv-BN-ReLU stages, stride 2 after the first.

    Args:
        width (int): channels of the first stage; later stages double it.
        in_channels (int): image channels.

    Forward: ``[N, in_channels, H, W] -> ([N, 4 * width, H / 4, W / 4],)``, a
    tuple as mmpretrain necks expect.
    """

    def __init__(self, width: int = 8, in_channels: int = 3, init_cfg=None):
        super().__init__(init_cfg)
        self.width = width
        layers, channels = [], in_channels
        for stage, out_channels in enumerate((width, 2 * width, 4 * width)):
            layers += [
                nn.Conv2d(channels, out_channels, 3, stride=1 if stage == 0
                          else 2, padding=1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True),
            ]
            channels = out_channels
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        return (self.layers(x), )

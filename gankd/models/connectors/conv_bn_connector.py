"""1x1 conv + BN connector from student to teacher feature width."""
from typing import Optional, Sequence, Union

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from gankd.registry import MODELS

__all__ = ['ConvBNConnector']


@MODELS.register_module()
class ConvBNConnector(BaseModule):
    """Maps a student feature map to the teacher's channels (and size).

    ``[N, C_s, H, W] -> [N, C_t, H', W']`` with ``(H', W') = size`` when a
    size is given, else ``(H, W)``. The map is resized (bilinear) before the
    1x1 conv so BN normalises the statistics of the exact map the loss sees.

    Args:
        in_channels (int): Student channels ``C_s``.
        out_channels (int): Teacher channels ``C_t``.
        init_cfg (dict | list[dict], optional): mmengine init config.
            Defaults to Kaiming on the conv, BN at weight 1, bias 0.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='Kaiming', layer='Conv2d'),
                dict(type='Constant', val=1, bias=0, layer='BatchNorm2d'),
            ]
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = out_channels
        # No conv bias: BN's shift makes it redundant.
        self.conv = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x: Tensor,
                size: Optional[Union[int, Sequence[int]]] = None) -> Tensor:
        """Connect a student feature.

        Args:
            x (Tensor): Student feature ``[N, C_s, H, W]``.
            size (int | Sequence[int], optional): Target ``(H', W')`` (an int
                means square), e.g. ``teacher_feat.shape[-2:]``. None keeps
                ``(H, W)``.

        Returns:
            Tensor: ``[N, C_t, H', W']``.

        Raises:
            ValueError: ``x`` is not 4-D or has not ``C_s`` channels (a
                mis-wired stage fails here with both numbers, not deep
                inside the conv).
        """
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__} expects [N, {self.in_channels}, H, W]'
                f', got {list(x.shape)}.')
        if size is not None:
            size = (size, size) if isinstance(size, int) else tuple(
                int(s) for s in size)
            if tuple(x.shape[-2:]) != size:
                x = F.interpolate(
                    x, size=size, mode='bilinear', align_corners=False)
        return self.bn(self.conv(x))

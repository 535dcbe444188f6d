"""The assistant of Residual KD: a network that regresses F_T - F_S."""
import copy
from typing import Optional

import torch
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from gankd.kinds import BaseAssistant
from gankd.registry import MODELS
from gankd_residual_kd.model_utils import last_output

__all__ = ['ResidualAssistant']


class ResidualAssistant(BaseAssistant):
    """A backbone plus a connector to the teacher's channels; its output is
    the estimate of the residual ``R = F_T - F_S`` that inference adds to
    the student's feature.

    ``forward(x)``: images ``[N, 3, H, W]`` -> ``[N, C_T, h, w]``.

    Args:
        backbone (dict): Backbone config (e.g. ``mmpretrain.ResNet_CIFAR``
            at reduced width); its last output is used.
        connector (dict, optional): Maps the backbone's channels to ``C_T``,
            e.g. ``dict(type='gankd.ConvBNConnector', in_channels=16,
            out_channels=64)``. None when the backbone already gives
            ``C_T`` channels.
        zero_init_output (bool): Zero the connector's last BN (scale and
            shift), so the assistant outputs exactly 0 until it trains and
            the combined network starts as the student alone. Needs a
            connector ending in BN: zeroing a backbone's own last BN would
            not zero its output (a residual add and a ReLU follow it).
            Defaults to True.
        init_cfg (dict, optional): mmengine init config.

    Buffer ``output_scale`` (a scalar, 1 until set): the output is the
    network's own output times it, so the network can learn a target of
    unit scale while the assistant still adds the residual in the
    teacher's units (Residual KD's ``residual_target='unit'`` sets it).
    """

    def __init__(self, backbone: dict, connector: Optional[dict] = None,
                 zero_init_output: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.backbone = MODELS.build(copy.deepcopy(backbone))
        self.connector = (None if connector is None else
                          MODELS.build(copy.deepcopy(connector)))
        self.register_buffer('output_scale', torch.ones(()))
        self.zero_init_output = bool(zero_init_output)
        if self.zero_init_output:
            if self._output_bn() is None:
                raise ValueError(
                    'ResidualAssistant: zero_init_output=True needs a '
                    'connector ending in BN (e.g. ConvBNConnector); set '
                    'assistant_connector=dict(type=\'ConvBNConnector\') or '
                    'zero_init_assistant=False.')
            self._zero_output()

    def _output_bn(self) -> Optional[_BatchNorm]:
        if self.connector is None:
            return None
        norms = [m for m in self.connector.modules()
                 if isinstance(m, _BatchNorm)]
        return norms[-1] if norms else None

    def _zero_output(self) -> None:
        bn = self._output_bn()
        with torch.no_grad():
            bn.weight.zero_()
            bn.bias.zero_()

    def init_weights(self) -> None:
        # The connector's own init_cfg sets its BN scale to 1; zero it again
        # afterwards so the Runner's init_weights keeps the zero start.
        super().init_weights()
        if self.zero_init_output:
            self._zero_output()

    def forward_backbone(self, x: Tensor) -> Tensor:
        """The backbone's last feature map ``[N, C_A, h, w]``."""
        return last_output(self.backbone(x))

    def forward(self, x: Tensor) -> Tensor:
        """Images ``[N, 3, H, W]`` -> residual estimate ``[N, C_T, h, w]``."""
        feat = self.forward_backbone(x)
        if self.connector is not None:
            feat = self.connector(feat)
        return feat * self.output_scale


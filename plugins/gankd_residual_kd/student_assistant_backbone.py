"""Student and assistant side by side, as one mmpretrain-style backbone."""
import contextlib
import copy
from typing import Iterator, Optional, Tuple

from mmengine.model import BaseModule
from torch import Tensor, nn

from gankd.kinds import build_assistant
from gankd.registry import MODELS
from gankd_residual_kd.model_utils import last_output

__all__ = ['StudentAssistantBackbone']


class StudentAssistantBackbone(BaseModule):
    """Runs the student S and the assistant A on the same images and adds
    their feature maps: ``F_hat = connector_S(F_S) + A(x)``.

    Returns ``(F_hat,)``, a 1-tuple as mmpretrain backbones return, so an
    ``mmpretrain.ImageClassifier`` with this backbone, a GAP neck and a
    ``LinearClsHead(in_channels=C_T)`` is the whole deployable Residual KD
    network and needs nothing from gankd but this class (export: build it
    with ``custom_imports=dict(imports=['gankd_residual_kd'])``).

    Shapes (``C_T``: the teacher's channels at the matched layer)::

        x              [N, 3, H, W]
        S(x)           [N, C_S, h, w] -> student_connector -> [N, C_T, h, w]
        A(x)           [N, C_T, h, w]   (assistant incl. its connector)
        forward(x)     ([N, C_T, h, w],)

    Args:
        student (dict): Student backbone config (its last output is used).
        assistant (dict): Assistant config, a
            :class:`~gankd.kinds.BaseAssistant` (e.g.
            ``gankd.ResidualAssistant``).
        student_connector (dict, optional): Maps ``C_S`` to ``C_T``
            (e.g. ``gankd.ConvBNConnector``); None when ``C_S == C_T``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, student: dict, assistant: dict,
                 student_connector: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.student = MODELS.build(copy.deepcopy(student))
        self.student_connector = (
            None if student_connector is None else
            MODELS.build(copy.deepcopy(student_connector)))
        self.assistant = build_assistant(copy.deepcopy(assistant))
        # Runtime switch for the S-only diagnostic, not part of the config.
        self._student_only = False

    def student_parameters(self) -> Iterator[nn.Parameter]:
        """Parameters of the student branch (backbone and connector)."""
        yield from self.student.parameters()
        if self.student_connector is not None:
            yield from self.student_connector.parameters()

    def forward_student(self, x: Tensor) -> Tensor:
        """``F_S`` after the connector, ``[N, C_T, h, w]``."""
        feat = last_output(self.student(x))
        if self.student_connector is not None:
            feat = self.student_connector(feat)
        return feat

    def forward_assistant(self, x: Tensor) -> Tensor:
        """``F_A``, ``[N, C_T, h, w]``."""
        return self.assistant(x)

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        """Images ``[N, 3, H, W]`` -> ``(F_S + F_A,)``, ``[N, C_T, h, w]``
        (``(F_S,)`` inside :meth:`student_only`)."""
        feat_s = self.forward_student(x)
        if self._student_only:
            return (feat_s, )
        feat_a = self.forward_assistant(x)
        if feat_a.shape != feat_s.shape:
            raise ValueError(
                f'{type(self).__name__}: student feature {list(feat_s.shape)}'
                f' and assistant feature {list(feat_a.shape)} cannot be '
                'added; both branches must end at the teacher layer\'s '
                'channels and size (check the connectors).')
        return (feat_s + feat_a, )

    @contextlib.contextmanager
    def student_only(self):
        """Within the block, ``forward`` returns the student branch alone
        (the S-only diagnostic: what the head makes of ``F_S``)."""
        previous, self._student_only = self._student_only, True
        try:
            yield self
        finally:
            self._student_only = previous

"""E_k: the attribute predictor's regressors as frozen extractors of the
non-identity facial features (pose, expression, lighting, appearance)."""
from typing import Dict, Optional, Sequence

from torch import Tensor

from gankd.models.heads import MultiAttributeHead
from gankd.models.predictors import FrozenClassifier

__all__ = ['FaceAttributeExtractor']


class FaceAttributeExtractor(FrozenClassifier):
    """Images ``[N, 3, H, W]`` in ``[-1, 1]`` RGB -> raw attribute outputs.

    Wraps a classifier with a ``gankd.MultiAttributeHead`` (the project's
    attribute predictor): :meth:`forward` returns its raw head outputs
    ``[N, O]`` (logits of binary attributes, the logits of categorical
    ones, the values of continuous ones), and :meth:`select` cuts the
    columns of named attributes out of them, so several features (pose =
    ``['yaw']``, expression = ``['smile', 'mouth_open']``) share one
    network run. Frozen as :class:`FrozenClassifier` freezes; gradients
    flow to the images (the feature-consistency loss needs them).

    Args:
        config (str): classifier config (``gankd::...`` allowed).
        checkpoint (str, optional): its weights (None: random, tests only).
        input_size (int, optional): side the classifier expects.

    Raises:
        ValueError: the classifier's head is not a MultiAttributeHead.
    """

    untrained_output = 'attribute features'

    def __init__(self, config: str, checkpoint: Optional[str] = None,
                 input_size: Optional[int] = None) -> None:
        super().__init__(config, checkpoint=checkpoint, input_size=input_size)
        head = getattr(self.classifier, 'head', None)
        if not isinstance(head, MultiAttributeHead):
            raise ValueError(f'FaceAttributeExtractor: {config} has no '
                             'gankd.MultiAttributeHead; give the attribute '
                             'predictor config.')
        self.slices: Dict[str, slice] = dict(head.output_slices)

    def width(self, names: Sequence[str]) -> int:
        """Columns that :meth:`select` returns for ``names``."""
        return sum(self._slice(n).stop - self._slice(n).start for n in names)

    def _slice(self, name: str) -> slice:
        if name not in self.slices:
            raise KeyError(f"FaceAttributeExtractor: unknown attribute "
                           f"'{name}'; known: {', '.join(self.slices)}")
        return self.slices[name]

    def select(self, outputs: Tensor, names: Sequence[str]) -> Tensor:
        """``[N, width(names)]``: the columns of ``names`` in that order."""
        return outputs[:, [i for n in names
                           for i in range(self._slice(n).start,
                                          self._slice(n).stop)]]

    def forward(self, images: Tensor) -> Tensor:
        """Raw head outputs ``[N, O]`` of ``[N, 3, H, W]`` images."""
        return self.classifier(self.preprocess(images), mode='tensor')

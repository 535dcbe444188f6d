"""Stage outputs of a trained classifier's backbone as perceptual
features: the feature net of our SynthFaces configs, where no ImageNet
network knows the domain."""
from typing import List, Optional, Sequence

from torch import Tensor

from gankd.models.predictors.frozen_classifier import FrozenClassifier
from gankd.registry import MODELS

from .vgg16_features import FeatureNetError

__all__ = ['ClassifierFeatures']


@MODELS.register_module()
class ClassifierFeatures(FrozenClassifier):
    """Images ``[B, 3, H, W]`` in ``[-1, 1]`` -> the backbone's stage
    outputs ``[[B, C_k, h_k, w_k], ...]``.

    Building, loading and preprocessing (resize to the classifier's input
    size, its own normalisation) are :class:`FrozenClassifier`'s. Unlike
    the scorers, the forward runs with autograd on (no inference mode):
    the frozen network passes gradients to the images.

    Args:
        config (str): the classifier's config (``gankd::`` allowed).
        checkpoint (str): its trained weights (a missing file raises
            CheckpointError; None leaves it random, for tests only).
        out_indices (Sequence[int], optional): backbone stages to return,
            0-based, negative from the end; None: every stage.
        input_size (int, optional): as for FrozenClassifier.
    """

    untrained_output = 'features'

    def __init__(self, config: str, checkpoint: Optional[str] = None,
                 out_indices: Optional[Sequence[int]] = None,
                 input_size: Optional[int] = None) -> None:
        super().__init__(config, checkpoint=checkpoint,
                         input_size=input_size)
        backbone = self.classifier.backbone
        stages = getattr(backbone, 'num_stages', None)
        if not stages or not hasattr(backbone, 'out_indices'):
            raise FeatureNetError(
                f'ClassifierFeatures: the backbone of {config} has no '
                'num_stages/out_indices; use a staged (ResNet-like) one')
        indices = range(stages) if out_indices is None else out_indices
        if any(not -stages <= int(i) < stages for i in indices):
            raise FeatureNetError(
                f'ClassifierFeatures out_indices {list(indices)}: stages '
                f'are 0..{stages - 1} (negative from the end)')
        # the backbone returns these stages, in order, from its forward
        backbone.out_indices = tuple(sorted({int(i) % stages
                                             for i in indices}))

    def forward(self, images: Tensor) -> List[Tensor]:
        return list(self.classifier.backbone(self.preprocess(images)))

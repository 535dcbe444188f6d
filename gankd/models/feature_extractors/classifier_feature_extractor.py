"""Pooled features of a trained mmpretrain/gankd classifier, for FID-style
scores on data no public network knows (SynthFaces)."""
from typing import Optional

import torch
from torch import Tensor

from gankd.models.predictors.frozen_classifier import (
    FrozenClassifier, file_digest, load_state_dict_strict)
from gankd.registry import MODELS

# file_digest and load_state_dict_strict moved to frozen_classifier; they
# stay importable from here for existing callers.
__all__ = ['ClassifierFeatureExtractor', 'file_digest',
           'load_state_dict_strict']


@MODELS.register_module()
class ClassifierFeatureExtractor(FrozenClassifier):
    """Images in ``[-1, 1]`` RGB -> the classifier's pooled features.

    Loading, freezing and input handling are :class:`FrozenClassifier`'s:
    the classifier is built from its config, loaded from ``checkpoint``,
    frozen (eval mode even under ``train()``) and run in inference mode;
    inputs are resized to the classifier's input size and normalised with
    the classifier's own ``data_preprocessor``. Arguments: those of
    :class:`FrozenClassifier` (``config``, ``checkpoint``, ``input_size``).
    """

    untrained_output = 'features'

    def __init__(self, config: str, checkpoint: Optional[str] = None,
                 input_size: Optional[int] = None) -> None:
        super().__init__(config, checkpoint=checkpoint,
                         input_size=input_size)

    def forward(self, images: Tensor) -> Tensor:
        """Features ``[N, D]`` of images ``[N, 3, H, W]`` in ``[-1, 1]``."""
        with torch.inference_mode():
            features = self.classifier.extract_feat(self.preprocess(images))
            if isinstance(features, (tuple, list)):
                features = features[-1]
            return features.flatten(1)

"""E_id: a trained identity classifier, frozen, as a face-recognition
embedding (its penultimate layer, L2-normalised)."""
from typing import Optional

import torch.nn.functional as F
from torch import Tensor

from gankd.models.predictors import FrozenClassifier

__all__ = ['FaceIdentityEncoder']


class FaceIdentityEncoder(FrozenClassifier):
    """Images ``[N, 3, H, W]`` in ``[-1, 1]`` RGB -> identity embeddings
    ``[N, D]`` (unit L2 norm).

    The embedding is the classifier's pooled feature before its linear
    head (``extract_feat``: backbone + neck), the "penultimate layer" of an
    identity classifier trained on the training identities. Loading,
    freezing (no grad, eval mode even under ``train()``), resizing and
    normalisation are :class:`FrozenClassifier`'s. Unlike the scorers, the
    forward is *not* run in inference mode: gradients flow to the images
    (FaceFeat-GAN's identity loss trains the renderer through it), never
    to the frozen weights.

    Args:
        config (str): classifier config (``gankd::...`` allowed), e.g.
            the E_id configs in ``configs/facefeat_gan/``.
        checkpoint (str, optional): its trained weights (None: random,
            tests only).
        input_size (int, optional): side the classifier expects.
    """

    untrained_output = 'embeddings'

    def __init__(self, config: str, checkpoint: Optional[str] = None,
                 input_size: Optional[int] = None) -> None:
        super().__init__(config, checkpoint=checkpoint, input_size=input_size)
        self.embed_dim = int(self._features(
            self.preprocess(self.mean.new_zeros(
                1, 3, self.input_size, self.input_size))).shape[1])

    def _features(self, x: Tensor) -> Tensor:
        features = self.classifier.extract_feat(x)
        if isinstance(features, (tuple, list)):
            features = features[-1]
        return features.flatten(1)

    def forward(self, images: Tensor) -> Tensor:
        """``[N, D]`` unit-norm embeddings of ``[N, 3, H, W]`` images."""
        return F.normalize(self._features(self.preprocess(images)), dim=1)

    def logits(self, images: Tensor) -> Tensor:
        """``[N, num_identities]`` class scores (evaluation: which training
        identity the classifier recognises)."""
        return self.classifier(self.preprocess(images), mode='tensor')

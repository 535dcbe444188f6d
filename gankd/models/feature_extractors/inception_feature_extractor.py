"""Inception-v3 pool3 features from weights at a path the user gives."""
import os

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.models.feature_extractors.classifier_feature_extractor import (
    file_digest, load_state_dict_strict)
from gankd.registry import MODELS
from gankd.utils.checkpoint import load_weights

__all__ = ['InceptionFeatureExtractor']


@MODELS.register_module()
class InceptionFeatureExtractor(nn.Module):
    """Images in ``[-1, 1]`` RGB -> 2048-d Inception-v3 pool3 features.

    The network is torchvision's ``inception_v3`` with the weights file at
    ``weights`` (torchvision's ImageNet state dict,
    ``inception_v3_google-*.pth``, or one with the same keys), loaded
    weights-only. Nothing is ever downloaded. Images are resized to 299
    (bilinear) and fed in ``[-1, 1]``, the range the Google weights were
    trained on (torchvision's ``transform_input`` only maps ImageNet-
    normalised inputs there, so it is off). Frozen, eval, inference mode.

    Scores use torchvision's weights, which differ slightly from the
    TF-FID Inception: they compare runs with each other, not with
    published FIDs.

    Args:
        weights (str): path of the weights file.
        resize (int): input side. Defaults to 299.
    """

    def __init__(self, weights: str, resize: int = 299) -> None:
        super().__init__()
        if not os.path.isfile(str(weights)):
            raise FileNotFoundError(
                f'Inception weights not found: {weights}. gankd never '
                'downloads weights: fetch torchvision\'s inception_v3 '
                'ImageNet weights (inception_v3_google-0cc3c7bd.pth) and '
                'pass their path as feature_extractor.weights.')
        from torchvision.models import inception_v3
        # init_weights=False: the weights are loaded next; torchvision's
        # truncated-normal init would take seconds for nothing.
        net = inception_v3(weights=None, aux_logits=True,
                           transform_input=False, init_weights=False)
        load_state_dict_strict(net, weights, load_weights(weights))
        net.aux_logits, net.AuxLogits = False, None  # never run in eval
        net.fc = nn.Identity()  # forward ends at pool3 (+ eval dropout)
        self.net = net.requires_grad_(False).eval()
        self.resize = resize
        self.cache_key = f'inception:{file_digest(weights)}:{resize}'

    def train(self, mode: bool = True):
        super().train(mode)
        self.net.eval()
        return self

    def forward(self, images: Tensor) -> Tensor:
        """Features ``[N, 2048]`` of images ``[N, 3, H, W]`` in ``[-1, 1]``."""
        with torch.inference_mode():
            x = images.float()
            if tuple(x.shape[-2:]) != (self.resize, self.resize):
                x = F.interpolate(x, size=(self.resize, self.resize),
                                  mode='bilinear', align_corners=False,
                                  antialias=True)
            return self.net(x)

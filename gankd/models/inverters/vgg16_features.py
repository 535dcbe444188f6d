"""VGG-16 features for the perceptual term of mGANprior's loss (spec §2.2),
from weights the user gives: nothing is ever downloaded."""
import os
from typing import List, Optional

import torch.nn.functional as F
from torch import Tensor, nn
from torchvision.models.vgg import cfgs, make_layers

from gankd.errors import UserError
from gankd.registry import MODELS
from gankd.utils.checkpoint import load_weights

__all__ = ['VGG16Features', 'FeatureNetError']

#: Modules of torchvision's ``vgg16().features`` up to and including the
#: named ReLU (relu3_3 is index 15: ``features[:16]``, mGANprior's cut).
VGG16_CUTS = {'relu1_2': 4, 'relu2_2': 9, 'relu3_3': 16, 'relu4_3': 23,
              'relu5_3': 30}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class FeatureNetError(UserError):
    """A perceptual feature net that cannot be built (weights, layers)."""


def require_file(path: Optional[str], owner: str, what: str) -> str:
    """``path`` if it is a file; else one line naming it and the fix."""
    if not path or not os.path.isfile(path):
        raise FeatureNetError(
            f'{owner}: {what} file {path!r} not found; give the path of '
            'the weights (nothing is downloaded)')
    return path


@MODELS.register_module()
class VGG16Features(nn.Module):
    """``torchvision.models.vgg16().features`` cut after ``layer``, frozen.

    Images ``[B, 3, H, W]`` in ``[-1, 1]`` are mapped to ``[0, 1]``,
    normalised with ImageNet's mean/std and resized to ``resize`` squared
    (mGANprior: 256, nearest); gradients flow to the images.

    Args:
        weights (str): a torchvision VGG-16 state dict (the
            ``vgg16-397923af.pth`` file, or any holding the needed
            ``features.*`` keys); read weights-only.
        layer (str): ``'relu3_3'`` (mGANprior's code) or ``'relu4_3'``
            (the paper's text), also ``relu1_2``, ``relu2_2``, ``relu5_3``.
        resize (int, optional): side of the network input; None keeps it.
        resize_mode (str): ``F.interpolate`` mode for the resize.
    """

    def __init__(self, weights: str, layer: str = 'relu3_3',
                 resize: Optional[int] = 256,
                 resize_mode: str = 'nearest') -> None:
        super().__init__()
        if layer not in VGG16_CUTS:
            raise FeatureNetError(f"VGG16Features layer '{layer}': use one "
                                  f'of {", ".join(VGG16_CUTS)}')
        state = load_weights(require_file(weights, 'VGG16Features',
                                          'weights'))
        state = state.get('state_dict', state)
        # vgg16().features without building (and initialising) the large
        # classifier head that is never used
        self.features = make_layers(cfgs['D'])[:VGG16_CUTS[layer]]
        own = {f'features.{k}' for k in self.features.state_dict()}
        missing = sorted(own - set(state))
        if missing:
            raise FeatureNetError(
                f'VGG16Features: {weights} lacks {missing[:2]}; give a '
                'torchvision VGG-16 state dict')
        self.features.load_state_dict(
            {k[len('features.'):]: state[k] for k in own})
        self.features.requires_grad_(False).eval()
        self.resize, self.resize_mode = resize, resize_mode
        self.register_buffer('mean', Tensor(IMAGENET_MEAN).view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('std', Tensor(IMAGENET_STD).view(1, 3, 1, 1),
                             persistent=False)

    def train(self, mode: bool = True):
        super().train(mode)
        self.features.eval()
        return self

    def preprocess(self, images: Tensor) -> Tensor:
        """``[B, 3, H, W]`` in ``[-1, 1]`` -> ``[B, 3, S, S]`` normalised."""
        x = ((images + 1) / 2 - self.mean) / self.std
        if self.resize and tuple(x.shape[-2:]) != (self.resize, ) * 2:
            x = F.interpolate(x, size=(self.resize, self.resize),
                              mode=self.resize_mode)
        return x

    def forward(self, images: Tensor) -> List[Tensor]:
        """One feature map ``[B, C, h, w]`` (C = 256 for relu3_3)."""
        return [self.features(self.preprocess(images))]

"""Intermediate activations of a trained GAN discriminator as perceptual
features (the discriminator knows the generator's domain)."""
from typing import List, Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from gankd.models.layers.minibatch_stddev import MinibatchStdDev
from gankd.models.predictors.frozen_classifier import load_state_dict_strict
from gankd.registry import MODELS, scope_config_types
from gankd.utils.checkpoint import (load_training_checkpoint,
                                    require_checkpoint)

from .vgg16_features import FeatureNetError

__all__ = ['DiscriminatorFeatures']


class _Collected(Exception):
    """Raised by the last hook: the layers after it need not run."""


@MODELS.register_module()
class DiscriminatorFeatures(nn.Module):
    """Images ``[B, 3, H, W]`` in ``[-1, 1]`` -> the outputs of the named
    discriminator submodules, in the order of ``layers``.

    The discriminator is ``model.discriminator`` of a gankd GAN config,
    loaded strictly from the ``discriminator.*`` weights of a training
    checkpoint, frozen; images are resized (bilinear) to its
    ``resolution`` when they differ. The forward stops after the last
    hooked layer. Layers at or after a minibatch-stddev layer are refused:
    that layer mixes the images of a batch, so batched inversions would no
    longer equal single runs.

    Args:
        config (str): the GAN's training config (``gankd::`` allowed).
        checkpoint (str): a Runner checkpoint of that config.
        layers (Sequence[str]): submodule names (``named_modules``), e.g.
            ``['layer1', 'layer3']``.
    """

    def __init__(self, config: str, checkpoint: str,
                 layers: Sequence[str]) -> None:
        super().__init__()
        from gankd.config import load_config
        require_checkpoint(checkpoint, 'DiscriminatorFeatures: GAN', config)
        cfg = load_config(config).model.get('discriminator')
        if cfg is None:
            raise FeatureNetError(f'DiscriminatorFeatures: {config} has no '
                                  'model.discriminator; give a GAN config')
        self.discriminator = MODELS.build(scope_config_types(cfg.to_dict()))
        state = load_training_checkpoint(checkpoint)
        state = state.get('state_dict', state)
        prefix = 'discriminator.'
        load_state_dict_strict(
            self.discriminator, checkpoint,
            {k[len(prefix):]: v for k, v in state.items()
             if k.startswith(prefix)}, what='the discriminator')
        self.discriminator.requires_grad_(False).eval()
        self.layers = list(layers)
        self._check_layers(config)
        self._outputs = {}
        modules = dict(self.discriminator.named_modules())
        for name in self.layers:
            modules[name].register_forward_hook(self._hook(name))

    def _check_layers(self, config: str) -> None:
        names = [n for n, _ in self.discriminator.named_modules() if n]
        unknown = [n for n in self.layers if n not in names]
        if not self.layers or unknown:
            raise FeatureNetError(
                f'DiscriminatorFeatures layers {self.layers}: unknown '
                f'{unknown}; the discriminator of {config} has {names[:12]}')
        order = {n: i for i, n in enumerate(names)}
        mixed = [n for n, m in self.discriminator.named_modules()
                 if isinstance(m, MinibatchStdDev)]
        for name in self.layers:
            # a layer containing the stddev layer, or registered after it
            if any(m.startswith(name + '.') or order[name] >= order[m]
                   for m in mixed):
                raise FeatureNetError(
                    f"DiscriminatorFeatures layer '{name}' is at or after "
                    f'the minibatch-stddev layer {mixed[0]}, which mixes '
                    'images; pick earlier layers')

    def _hook(self, name: str):
        def hook(module, inputs, output):
            self._outputs[name] = output
            if len(self._outputs) == len(set(self.layers)):
                raise _Collected()
        return hook

    def train(self, mode: bool = True):
        super().train(mode)
        self.discriminator.eval()
        return self

    def forward(self, images: Tensor) -> List[Tensor]:
        size = getattr(self.discriminator, 'resolution', None)
        if size and tuple(images.shape[-2:]) != (size, size):
            images = F.interpolate(images, size=(size, size),
                                   mode='bilinear', align_corners=False)
        self._outputs = {}
        try:
            self.discriminator(images)
        except _Collected:
            pass
        outputs, self._outputs = self._outputs, {}
        return [outputs[name] for name in self.layers]

"""A trained mmpretrain/gankd classifier, frozen, fed GAN images: the one
loading and preprocessing path that feature extractors and attribute
scorers share."""
import hashlib
import os
import warnings
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.registry import MODELS, scope_config_types
from gankd.utils.checkpoint import (CheckpointError, load_training_checkpoint,
                                    require_checkpoint)
from gankd.utils.state_dict_fit import compare_state_dicts

__all__ = ['FrozenClassifier', 'file_digest', 'load_state_dict_strict',
           'config_input_size']


def file_digest(path: str) -> str:
    """First 16 hex digits of the file's SHA-256 (identifies weights)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for block in iter(lambda: file.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()[:16]


def load_state_dict_strict(module: nn.Module, path: str, state,
                           what: str = 'the network', hint: str = '') -> None:
    """Load ``state`` (a state dict, or a checkpoint holding one under
    ``state_dict``) into ``module``; keys and shapes must match exactly.
    ``what`` and ``hint`` complete the error message.

    Raises:
        CheckpointError: naming ``path`` and the first mismatching keys.
    """
    if isinstance(state, dict) and isinstance(state.get('state_dict'), dict):
        state = state['state_dict']
    if not isinstance(state, dict):
        raise CheckpointError(f'{path}: no state_dict in the file.')
    mismatch = compare_state_dicts(module.state_dict(), state)
    if mismatch:
        raise CheckpointError(
            f'{path}: does not fit {what} ({mismatch})'
            f'{"; " + hint if hint else "."}')
    module.load_state_dict(state)


def config_input_size(cfg) -> Optional[int]:
    """The image side the classifier was trained on, from its config's
    dataloaders (``dataset.img_size``, as gankd's datasets have it)."""
    for split in ('test', 'val', 'train'):
        loader = cfg.get(f'{split}_dataloader') or {}
        size = (loader.get('dataset') or {}).get('img_size')
        if size:
            return int(size)
    return None


class FrozenClassifier(nn.Module):
    """Base of modules that run a trained classifier on GAN images.

    The classifier is built from its config (``model``), loaded from
    ``checkpoint`` (a Runner checkpoint from ``tools/train.py`` or a plain
    state dict; weights-only loading) and frozen: no grad, eval mode even
    under ``train()``. :meth:`preprocess` resizes images ``[N, 3, H, W]``
    in ``[-1, 1]`` RGB to the classifier's input size, maps them back to
    pixel values and normalises them with the classifier's own
    ``data_preprocessor`` (``mean``, ``std``, ``to_rgb``); with
    ``to_rgb=False`` the classifier was fed the dataset's channel order, BGR
    for gankd's datasets and mmcv-loaded images, so the channels are flipped
    first. Subclasses run their forward under ``torch.inference_mode()``.

    Attributes:
        classifier (nn.Module): the built classifier.
        classifier_cfg (Config): its whole config (datasets, metainfo).
        input_size (int): side the images are resized to.
        cache_key (str | None): ``'classifier:<config file>:<weights
            digest>:<input size>'``; None without checkpoint.

    Args:
        config (str): classifier config (``gankd::...`` allowed), e.g.
            ``gankd::attribute_predictor/resnet18-w16_1xb128_synthfaces32.py``.
        checkpoint (str, optional): its trained weights. None leaves it
            random: tests only (a warning says so).
        input_size (int, optional): side the classifier expects; default
            the ``img_size`` of its config's dataset.
    """

    #: What a random classifier gives, for the no-checkpoint warning.
    untrained_output = 'outputs'

    def __init__(self, config: str, checkpoint: Optional[str] = None,
                 input_size: Optional[int] = None) -> None:
        super().__init__()
        from gankd.config import load_config
        owner = type(self).__name__
        cfg = load_config(config)
        self.classifier_cfg = cfg
        model_cfg = cfg.model.to_dict()
        preprocessor = dict(model_cfg.get('data_preprocessor')
                            or cfg.get('data_preprocessor') or {})
        self.classifier = MODELS.build(scope_config_types(model_cfg))
        if checkpoint is None:
            warnings.warn(f'{owner} without checkpoint: random '
                          f'{self.untrained_output} (fine for tests, useless '
                          'otherwise).')
            self.cache_key = None
        else:
            require_checkpoint(checkpoint, 'classifier', config)
            load_state_dict_strict(self.classifier, checkpoint,
                                   load_training_checkpoint(checkpoint))
            self.cache_key = (f'classifier:{os.path.basename(config)}:'
                              f'{file_digest(checkpoint)}')
        self.classifier.requires_grad_(False).eval()
        self.input_size = input_size or config_input_size(cfg)
        if not self.input_size:
            raise ValueError(f'{owner}: {config} names no dataset img_size; '
                             'pass input_size=...')
        if self.cache_key is not None:
            self.cache_key += f':{self.input_size}'
        mean = preprocessor.get('mean') or [0.0, 0.0, 0.0]
        std = preprocessor.get('std') or [1.0, 1.0, 1.0]
        self.flip_to_bgr = not preprocessor.get('to_rgb', False)
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1),
                             persistent=False)

    def train(self, mode: bool = True):
        super().train(mode)
        self.classifier.eval()  # frozen: BN statistics never move
        return self

    def preprocess(self, images: Tensor) -> Tensor:
        """Images ``[N, 3, H, W]`` in ``[-1, 1]`` RGB -> the classifier's
        normalised input ``[N, 3, S, S]`` (``S = input_size``), float32."""
        x = images.float()
        size = (self.input_size, self.input_size)
        if tuple(x.shape[-2:]) != size:
            # antialias: a 64->32 bilinear resize would alias otherwise.
            x = F.interpolate(x, size=size, mode='bilinear',
                              align_corners=False, antialias=True)
        x = (x + 1) * 127.5
        if self.flip_to_bgr:
            x = x.flip(1)
        return (x - self.mean) / self.std

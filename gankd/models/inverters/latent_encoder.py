"""A feed-forward encoder from images to a generator's latent codes, and
its frozen loader for inverters (encoder init, the hybrid inverter)."""
import copy
from typing import Optional, Union

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from gankd.errors import UserError
from gankd.registry import MODELS, scope_config_types

__all__ = ['LatentEncoder', 'LatentEncoderError', 'build_frozen_encoder']

SPACES = ('z', 'w', 'wp')


class LatentEncoderError(UserError):
    """A LatentEncoder option, input or checkpoint that cannot be used."""


@MODELS.register_module()
class LatentEncoder(BaseModule):
    """Images ``[B, 3, R, R]`` in ``[-1, 1]`` -> codes of one latent space.

    A 3x3 stem at full size, then stride-2 3x3 convolutions (LeakyReLU 0.2)
    down to 4x4, channels doubling from ``channels`` up to
    ``max_channels``; a linear layer, LeakyReLU and a linear head. The head
    starts at zero and its output is an offset from the ``code_mean``
    buffer, so an untrained encoder returns the mean code (the generator's
    w_avg for w/wp, set by the trainer; zeros for z) and training starts
    from the mean face rather than from random codes.

    Args:
        resolution (int): image side ``R``, a power of two >= 4.
        space (str): ``'z'`` -> ``[B, code_dim]``, ``'w'`` ->
            ``[B, code_dim]``, ``'wp'`` -> ``[B, num_layers, code_dim]``.
        code_dim (int): ``z_dim`` or ``w_dim`` of the generator.
        num_layers (int): codes per image in wp (1 for z and w).
        channels (int): channels of the stem.
        max_channels (int): cap of the doubling channels (and the width of
            the hidden linear layer).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, resolution: int, space: str, code_dim: int,
                 num_layers: int = 1, channels: int = 32,
                 max_channels: int = 256,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        resolution = int(resolution)
        if resolution < 4 or resolution & (resolution - 1):
            raise LatentEncoderError(
                f'LatentEncoder resolution={resolution}: give a power of '
                'two >= 4 (the generator\'s resolution)')
        if space not in SPACES:
            raise LatentEncoderError(
                f"LatentEncoder space='{space}': use one of {SPACES}")
        if space != 'wp' and num_layers != 1:
            raise LatentEncoderError(
                f"LatentEncoder num_layers={num_layers} with space='{space}'"
                ": only wp codes have layers, give num_layers=1")
        self.resolution, self.space = resolution, space
        self.code_dim, self.num_layers = int(code_dim), int(num_layers)
        self.code_shape = ((self.num_layers, self.code_dim)
                           if space == 'wp' else (self.code_dim, ))
        layers = [nn.Conv2d(3, channels, 3, padding=1), nn.LeakyReLU(0.2)]
        width, size = channels, resolution
        while size > 4:
            out = min(width * 2, max_channels)
            layers += [nn.Conv2d(width, out, 3, stride=2, padding=1),
                       nn.LeakyReLU(0.2)]
            width, size = out, size // 2
        self.features = nn.Sequential(*layers)
        self.hidden = nn.Sequential(nn.Flatten(),
                                    nn.Linear(width * 16, max_channels),
                                    nn.LeakyReLU(0.2))
        self.head = nn.Linear(max_channels,
                              self.num_layers * self.code_dim)
        # zero head: the first output is exactly code_mean (see above)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.register_buffer('code_mean', torch.zeros(self.code_shape))

    def forward(self, images: Tensor) -> Tensor:
        """``[B, 3, R, R]`` -> ``[B, *code_shape]``."""
        if images.dim() != 4 or tuple(images.shape[1:]) != (
                3, self.resolution, self.resolution):
            raise LatentEncoderError(
                f'LatentEncoder takes [B, 3, {self.resolution}, '
                f'{self.resolution}] images, got {list(images.shape)}: '
                'resize the images to the generator\'s resolution')
        offset = self.head(self.hidden(self.features(images)))
        return self.code_mean + offset.view(-1, *self.code_shape)


def _encoder_state(checkpoint: dict, path: str) -> dict:
    """The ``encoder.`` entries of a Runner checkpoint, prefix removed."""
    state = checkpoint.get('state_dict', checkpoint)
    found = {key[len('encoder.'):]: value for key, value in state.items()
             if key.startswith('encoder.')}
    if not found:
        raise LatentEncoderError(
            f'{path} holds no encoder.* weights: give a checkpoint of a '
            'LatentEncoderTrainer run (configs/inversion/encoder_*.py)')
    return found


def build_frozen_encoder(cfg: Union[dict, nn.Module]) -> LatentEncoder:
    """A frozen encoder (no grad, eval mode).

    Args:
        cfg: ``dict(config=..., checkpoint=...)`` (a LatentEncoderTrainer
            config and a checkpoint the Runner wrote for it: the weights
            under ``encoder.`` load strictly, ``code_mean`` included), an
            encoder config with ``type`` (random weights: tests), or a
            module, used as given.
    """
    if isinstance(cfg, nn.Module):
        encoder = cfg
    elif 'config' in cfg:
        from gankd.config import load_config
        from gankd.utils.checkpoint import (load_training_checkpoint,
                                            require_checkpoint)
        if set(cfg) != {'config', 'checkpoint'}:
            raise LatentEncoderError(
                f'encoder={dict(cfg)}: give dict(config=<an encoder_*.py '
                'trainer config>, checkpoint=<its iter_*.pth>)')
        model = load_config(cfg['config']).model
        if 'encoder' not in model:
            raise LatentEncoderError(
                f"{cfg['config']} has no model.encoder: give a "
                'LatentEncoderTrainer config (configs/inversion/encoder_*)')
        encoder = MODELS.build(scope_config_types(
            copy.deepcopy(model.encoder.to_dict())))
        checkpoint = load_training_checkpoint(require_checkpoint(
            cfg['checkpoint'], 'encoder', cfg['config']))
        encoder.load_state_dict(
            _encoder_state(checkpoint, cfg['checkpoint']), strict=True)
    else:
        encoder = MODELS.build(scope_config_types(copy.deepcopy(dict(cfg))))
    return encoder.requires_grad_(False).eval()

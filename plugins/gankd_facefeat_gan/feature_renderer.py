"""R: identity + facial features to an image, on a style-based decoder."""
from typing import List, Optional

import torch
from mmengine.model import BaseModule
from torch import Tensor

from gankd.kinds import build_generator
from gankd.registry import MODELS, scope_config_types
from .feature_mlp import mlp

__all__ = ['FeatureRenderer']


class FeatureRenderer(BaseModule):
    """``x = R(f_id, f_1, ..., f_K)``: the concatenated features are mapped
    by an MLP to per-layer style codes ``wp`` of a style-based decoder
    (FaceFeat-GAN's "StyleGAN2-like decoder with the concatenated features
    as style input" [proposed]).

    The decoder is any :class:`~gankd.kinds.BaseGenerator` with a ``wp``
    space, built through the registry (default the project's
    ``StyleGAN2Generator``, whose synthesis network is reused; its mapping
    network stays unused). Output images are in ``[-1, 1]`` when the
    decoder applies a final tanh (``final_tanh=True``, as the configs set);
    otherwise they are clamped.

    Args:
        input_dim (int): ``d_id + sum_k d_k``.
        decoder (dict): a generator config with a ``wp`` space.
        hidden (int): width of the feature-to-style MLP.
        num_layers (int): its linear layers.
        noise_mode (str): the decoder's noise in training (``'random'``)
            and at inference (the ``noise_mode`` argument).
        init_cfg (dict, optional): mmengine init config.

    Shapes: ``features`` ``[N, input_dim]`` -> ``wp`` ``[N, L, w_dim]`` ->
    image ``[N, 3, R, R]``.
    """

    def __init__(self, input_dim: int, decoder: dict, hidden: int = 512,
                 num_layers: int = 2, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.decoder = build_generator(scope_config_types(dict(decoder)))
        if 'wp' not in self.decoder.latent_spaces:
            raise ValueError(f'FeatureRenderer: {type(self.decoder).__name__}'
                             ' has no wp space to take styles')
        self.input_dim = int(input_dim)
        self.num_codes, self.w_dim = self.decoder.num_layers, \
            self.decoder.w_dim
        self.resolution = self.decoder.resolution
        self.to_styles = mlp(self.input_dim, hidden,
                             self.num_codes * self.w_dim, num_layers)
        self.clamp = not getattr(self.decoder.synthesis, 'final_tanh', False) \
            if hasattr(self.decoder, 'synthesis') else True

    def styles(self, features: Tensor) -> Tensor:
        """``[N, input_dim]`` -> ``wp`` ``[N, L, w_dim]``."""
        return self.to_styles(features).view(-1, self.num_codes, self.w_dim)

    def synthesize(self, wp: Tensor, noise_mode: str = 'const') -> Tensor:
        """``wp`` ``[N, L, w_dim]`` -> images ``[N, 3, R, R]``."""
        image = self.decoder.synthesize(wp, space='wp', noise_mode=noise_mode)
        return image.clamp(-1, 1) if self.clamp else image

    def forward(self, features: Tensor, noise_mode: str = 'const') -> Tensor:
        return self.synthesize(self.styles(features), noise_mode)

    def layer_names(self) -> List[str]:
        """Decoder layers as module paths of the renderer."""
        return [f'decoder.{name}' for name in self.decoder.layer_names()]

    def concat(self, identity: Tensor, features: List[Tensor]) -> Tensor:
        """``[f_id, f_1, ..., f_K]`` along dim 1, checking the width."""
        x = torch.cat([identity, *features], dim=1)
        if x.shape[1] != self.input_dim:
            raise ValueError(f'FeatureRenderer: inputs have {x.shape[1]} '
                             f'values, expected {self.input_dim}')
        return x

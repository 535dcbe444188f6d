"""Single-code GAN inversion: optimise one z, w or wp code per image,
starting from the mean code, a random code or a trained encoder's guess
(the hybrid inverter); with no iterations, the encoder alone."""
import copy
from typing import Dict, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gankd.errors import UserError
from gankd.kinds import BaseInverter
from gankd.registry import MODELS, scope_config_types
from gankd.utils.frozen_generator import build_frozen_generator

from .code_optimizer import optimize_codes

__all__ = ['LatentInverter', 'EncoderInverter', 'InverterError']

INITS = ('mean', 'random', 'encoder')


class InverterError(UserError):
    """Inverter options that do not fit together or the generator."""


@MODELS.register_module()
class LatentInverter(BaseInverter):
    """Optimises one code per image so that ``degradation(G(code))``
    matches the observation (contract: :class:`gankd.kinds.BaseInverter`).

    Initialisation (``init``): ``'mean'`` the generator's w_avg (w, wp;
    every layer) or zeros (z); ``'random'`` ``z ~ N(0, I)`` from the
    image's own seeded stream (``image_generators(indices, seed)``),
    mapped without truncation for w/wp; ``'encoder'`` the frozen
    encoder's codes of the observation, resized (bilinear) to the
    encoder's resolution when it differs (super-resolution observations).

    The result holds ``codes``, ``space``, ``image`` (clamped), ``restored``,
    ``loss`` ``[B]``, ``history`` ``[T, B]`` (all on the CPU) and, with
    ``record_every``, ``records``: ``[dict(iteration=t, codes=...)]``.

    Args:
        generator (dict | nn.Module): for ``build_frozen_generator``.
        space (str, optional): ``'z'``, ``'w'`` or ``'wp'``; None takes the
            encoder's space (``'wp'`` without encoder).
        loss (dict | nn.Module, optional): an InversionLoss config
            (default ``dict(type='InversionLoss')``: pixel MSE).
        optimizer (dict, optional): OPTIMIZERS config without ``params``
            (default ``dict(type='Adam', lr=0.01)``).
        num_iters (int): optimiser steps; 0 returns the initial codes.
        init (str): ``'mean'``, ``'random'`` or ``'encoder'``.
        encoder (dict | nn.Module, optional): for ``build_frozen_encoder``;
            required by (and only used with) ``init='encoder'``.
        noise_mode (str): the generator's noise (``'const'`` keeps the
            rendering a deterministic function of the codes).
        record_every (int): keep the codes every this many steps (0: no).
        seed (int): seed of the random initialisation.
    """

    def __init__(self, generator: Union[dict, nn.Module],
                 space: Optional[str] = 'wp',
                 loss: Union[dict, nn.Module, None] = None,
                 optimizer: Optional[dict] = None, num_iters: int = 300,
                 init: str = 'mean',
                 encoder: Union[dict, nn.Module, None] = None,
                 noise_mode: str = 'const', record_every: int = 0,
                 seed: int = 0, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if init not in INITS:
            raise InverterError(f"init '{init}': use one of "
                                f'{", ".join(INITS)}')
        if (init == 'encoder') != (encoder is not None):
            raise InverterError(
                "init='encoder' and encoder=... go together: give both "
                '(hybrid inverter) or neither')
        self.generator = build_frozen_generator(generator)
        self.generator.check_noise_mode(noise_mode)
        self.encoder = None
        if encoder is not None:
            from gankd.models.inverters.latent_encoder import \
                build_frozen_encoder
            self.encoder = build_frozen_encoder(encoder)
        space = space or getattr(self.encoder, 'space', None) or 'wp'
        self._check_space(space)
        loss = dict(type='InversionLoss') if loss is None else loss
        # not self.loss: that is the mmengine loss() method
        self.loss_fn = loss if isinstance(loss, nn.Module) else MODELS.build(
            scope_config_types(copy.deepcopy(dict(loss))))
        self.space, self.init, self.noise_mode = space, init, noise_mode
        self.optimizer = dict(optimizer or dict(type='Adam', lr=0.01))
        self.num_iters, self.record_every = int(num_iters), int(record_every)
        self.seed = int(seed)
        self.freeze('generator', 'loss_fn',
                    *(['encoder'] if self.encoder is not None else []))

    decoding_fields = ('space', 'noise_mode')

    def decoding_info(self) -> dict:
        # Subclasses (the encoder alone) decode as a LatentInverter does.
        return dict(super().decoding_info(), type='LatentInverter')

    def _check_space(self, space: str) -> None:
        spaces = self.generator.latent_spaces
        if space not in spaces:
            raise InverterError(
                f"space '{space}' is not a space of "
                f'{type(self.generator).__name__}: use {", ".join(spaces)}')
        enc_space = getattr(self.encoder, 'space', space)
        if enc_space != space:
            raise InverterError(
                f"the encoder predicts '{enc_space}' codes, not '{space}': "
                f"give space='{enc_space}' (or None)")

    @torch.no_grad()
    def initial_codes(self, observation: Tensor,
                      indices: Sequence[int]) -> Tensor:
        """Starting codes ``[B, ...]`` of ``self.space`` (see class doc)."""
        gen, batch = self.generator, len(observation)
        device = observation.device
        if self.init == 'encoder':
            size = self.encoder.resolution
            if tuple(observation.shape[-2:]) != (size, size):
                observation = F.interpolate(observation, size=(size, size),
                                            mode='bilinear',
                                            align_corners=False)
            return self.encoder(observation)
        if self.init == 'mean':
            if self.space == 'z':
                return torch.zeros(batch, gen.z_dim, device=device)
            wp = gen.mean_wp(batch)
        else:
            z = torch.stack([gen.sample_z(1, g)[0] for g in
                             self.image_generators(indices, self.seed)])
            z = z.to(device)
            if self.space == 'z':
                return z
            wp = gen.mapping(z)['wp']
        return wp if self.space == 'wp' else wp[:, 0]

    def render(self, codes: Tensor) -> Tensor:
        """``[B, 3, H, W]`` images of ``codes``, gradients to the codes."""
        return self.generator.synthesize(codes, self.space, self.noise_mode)

    def invert(self, images: Tensor, degradation: Optional[nn.Module] = None,
               indices: Optional[Sequence[int]] = None) -> Dict[str, Tensor]:
        device = self.generator.device
        observation = images.to(device, torch.float32)
        indices = list(range(len(images)) if indices is None else indices)
        if len(indices) != len(images):
            raise InverterError(f'{len(indices)} indices for {len(images)} '
                                'images: give one index per image')
        if degradation is not None:
            degradation = degradation.to(device)
        codes = self.initial_codes(observation, indices).detach().clone()
        codes.requires_grad_(True)
        out = optimize_codes([codes], lambda: self.render(codes),
                             observation, self.loss_fn, degradation,
                             self.optimizer, self.num_iters,
                             record_every=self.record_every)
        image = out['image'].clamp(-1, 1)
        restored = image if degradation is None else degradation.restore(
            image, observation)
        result = dict(codes=codes.detach().cpu(), space=self.space,
                      image=image.cpu(), restored=restored.detach().cpu(),
                      loss=out['loss'], history=out['history'])
        if self.record_every:
            result['records'] = [dict(iteration=r['iteration'],
                                      codes=r['params'][0])
                                 for r in out['records']]
        return result


@MODELS.register_module()
class EncoderInverter(LatentInverter):
    """The encoder alone: ``codes = E(observation)``, no optimisation
    (a LatentInverter with ``init='encoder'``, ``num_iters=0``). The
    loss is still evaluated, for the result's ``loss``."""

    def __init__(self, encoder: Union[dict, nn.Module],
                 generator: Union[dict, nn.Module],
                 space: Optional[str] = None,
                 loss: Union[dict, nn.Module, None] = None,
                 noise_mode: str = 'const',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(generator, space=space, loss=loss, num_iters=0,
                         init='encoder', encoder=encoder,
                         noise_mode=noise_mode, init_cfg=init_cfg)

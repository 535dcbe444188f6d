"""Trains a LatentEncoder on a frozen generator's own samples."""
import copy
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.config import ConfigDict
from mmengine.model import BaseModel
from torch import Tensor

from gankd.kinds import FrozenPartsMixin, ModeDispatchMixin
from gankd.models.gans.sampling import seeded_latents
from gankd.registry import MODELS, scope_config_types
from gankd.utils.frozen_generator import build_frozen_generator

from .inversion_loss import InversionLoss
from .latent_encoder import LatentEncoderError

__all__ = ['LatentEncoderTrainer']

#: [-1, 1] RGB images from the datasets' BGR uint8 (as UnconditionalGAN).
DEFAULT_DATA_PREPROCESSOR = dict(type='mmpretrain.ClsDataPreprocessor',
                                 mean=[127.5] * 3, std=[127.5] * 3,
                                 to_rgb=True)


def _plain(cfg):
    if isinstance(cfg, (dict, ConfigDict)):
        return {k: _plain(v) for k, v in cfg.items()}
    return cfg


@MODELS.register_module()
class LatentEncoderTrainer(FrozenPartsMixin, ModeDispatchMixin, BaseModel):
    """A :class:`LatentEncoder` learning to invert a frozen generator.

    Training (``train_step``, a batch of a
    :class:`~gankd.datasets.LatentSeedDataset`): each seed gives ``z``
    (``seeded_latents``), the target codes in the encoder's space (``z``;
    the truncated ``w``; the truncated ``wp``) and, without gradient, the
    target image ``x = G(codes)`` clamped to ``[-1, 1]`` (the range of real
    images). The encoder predicts ``c = E(x)`` and the loss is

    ``code_weight * mean((c - codes)^2) + mean_B image_loss(G(c), x)``

    with ``G(c)`` rendered WITH gradient to the encoder (the generator's
    parameters stay frozen) and ``image_loss`` an :class:`InversionLoss`
    (``pixel_weight`` MSE + optional perceptual term), skipped when both
    are off. Validation (``predict``): data samples of real images get
    ``pred_img`` = ``G(E(x))`` clamped and ``gt_img`` = ``x`` for
    :class:`~gankd.evaluation.ReconstructionPSNR`.

    The Runner checkpoints hold the encoder under ``encoder.``
    (:func:`build_frozen_encoder` reads them); ``code_mean`` is set here
    from the generator: its w_avg (w/wp), zeros (z).

    Args:
        generator (dict | nn.Module): for ``build_frozen_generator``.
        encoder (dict): LatentEncoder config; ``resolution``, ``code_dim``
            and ``num_layers`` must match the generator.
        truncation_psi (float, optional): truncation of the sampled w/wp
            codes (all layers), for sampling variety; not with space z.
        code_weight (float): weight of the code MSE.
        pixel_weight (float): weight of the image MSE.
        perceptual (dict, optional): InversionLoss ``perceptual``.
        noise_mode (str): the generator's noise, as the inverters use it.
        data_preprocessor (dict, optional): for the validation images.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, generator, encoder: dict,
                 truncation_psi: Optional[float] = None,
                 code_weight: float = 1.0, pixel_weight: float = 1.0,
                 perceptual: Optional[dict] = None,
                 noise_mode: str = 'const',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        preprocessor = dict(DEFAULT_DATA_PREPROCESSOR) \
            if data_preprocessor is None else _plain(data_preprocessor)
        super().__init__(data_preprocessor=scope_config_types(preprocessor),
                         init_cfg=init_cfg)
        self.generator = build_frozen_generator(_plain(generator))
        self.encoder = MODELS.build(scope_config_types(
            copy.deepcopy(_plain(encoder))))
        self.space = self.encoder.space
        self._check_fits(truncation_psi)
        self.truncation_psi = truncation_psi
        self.code_weight = float(code_weight)
        self.image_loss = None
        if pixel_weight or perceptual is not None:
            self.image_loss = InversionLoss(pixel_weight=pixel_weight,
                                            perceptual=_plain(perceptual))
            self.freeze('image_loss')
        self.generator.check_noise_mode(noise_mode)
        self.noise_mode = noise_mode
        self.freeze('generator')
        with torch.no_grad():
            self.encoder.code_mean.copy_(self._mean_code())

    def _check_fits(self, truncation_psi) -> None:
        gen, enc = self.generator, self.encoder
        if self.space not in gen.latent_spaces:
            raise LatentEncoderError(
                f"encoder space '{self.space}' is not a space of "
                f'{type(gen).__name__} ({", ".join(gen.latent_spaces)})')
        dim = gen.z_dim if self.space == 'z' else gen.w_dim
        layers = gen.num_layers if self.space == 'wp' else 1
        if (enc.resolution, enc.code_dim, enc.num_layers) != (
                gen.resolution, dim, layers):
            raise LatentEncoderError(
                f'encoder (resolution, code_dim, num_layers) = '
                f'{(enc.resolution, enc.code_dim, enc.num_layers)} does not '
                f'fit the generator: give {(gen.resolution, dim, layers)}')
        if truncation_psi is not None and self.space == 'z':
            raise LatentEncoderError(
                'truncation_psi applies to w/wp codes: give None with an '
                "encoder of space 'z'")

    def _mean_code(self) -> Tensor:
        """w_avg in the encoder's code shape (zeros for z)."""
        if self.space == 'z':
            return torch.zeros(self.encoder.code_shape)
        wp = self.generator.mean_wp()[0]
        return wp if self.space == 'wp' else wp[0]

    def _device(self) -> torch.device:
        return next(self.encoder.parameters()).device

    def target_codes(self, seeds: Sequence[int]) -> Tensor:
        """Codes ``[N, *code_shape]`` of the encoder's space, one per seed
        (``torch.Generator().manual_seed(seed)`` draws its z)."""
        z = seeded_latents(self.generator.z_dim, seeds, self._device())
        if self.space == 'z':
            return z
        layers = (self.generator.num_layers
                  if self.truncation_psi is not None else None)
        wp = self.generator.mapping(z, self.truncation_psi, layers)['wp']
        return wp if self.space == 'wp' else wp[:, 0]

    def render(self, codes: Tensor) -> Tensor:
        """``G(codes)`` ``[N, 3, H, W]`` (not clamped, gradient kept)."""
        return self.generator.synthesize(codes, self.space, self.noise_mode)

    def train_step(self, data: dict, optim_wrapper) -> Dict[str, Tensor]:
        """One encoder update on the batch's seeds (``data['seed']``)."""
        with optim_wrapper.optim_context(self):
            losses = self.loss(data['seed'])
        parsed, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(parsed)
        return log_vars

    def loss(self, inputs, data_samples=None) -> Dict[str, Tensor]:
        """Losses for the seeds ``inputs`` (ints or a tensor of them)."""
        seeds = [int(s) for s in inputs]
        # no_grad, not inference mode: the images enter the encoder's graph
        with torch.no_grad():
            codes = self.target_codes(seeds)
            images = self.render(codes).clamp(-1, 1)
        pred = self.encoder(images)
        losses = dict(loss_code=self.code_weight * (pred - codes).square()
                      .mean())
        if self.image_loss is not None:
            terms = self.image_loss(self.render(pred), images)
            losses['loss_image'] = terms['loss'].mean()
        return losses

    def predict(self, inputs: Tensor, data_samples=None) -> List:
        """Data samples with ``pred_img`` (``G(E(x))``) and ``gt_img``
        (``x``), ``[3, H, W]`` in ``[-1, 1]``."""
        with torch.no_grad():
            recon = self.render(self.encoder(inputs)).clamp(-1, 1)
        if data_samples is None:
            from mmpretrain.structures import DataSample
            data_samples = [DataSample() for _ in range(inputs.shape[0])]
        for sample, pred, real in zip(data_samples, recon, inputs):
            sample.set_field(pred, 'pred_img')
            sample.set_field(real, 'gt_img')
        return data_samples

    def _forward(self, inputs: Tensor, data_samples=None) -> Tensor:
        """The codes ``[N, *code_shape]`` of images ``inputs``."""
        return self.encoder(inputs)

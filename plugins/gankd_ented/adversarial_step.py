"""The training step of restorers with an optional adversarial loss
(mmagic's protocol: ``OptimWrapperDict`` with ``generator`` and
``discriminator``; NTED's StyleGAN2 losses with lazy R1)."""
from typing import Dict, Optional

import torch
from mmengine.optim import OptimWrapperDict
from torch import Tensor

from gankd.models.gans.gan_losses import (disc_logistic_loss,
                                          gen_nonsaturating_loss, r1_penalty)
from gankd.models.gans.wrapped_call import unwrap
from gankd.registry import MODELS, scope_config_types

__all__ = ['AdversarialStepMixin']


class AdversarialStepMixin:
    """``train_step`` for a restorer holding ``generator`` and, optionally,
    ``discriminator``; the host gives ``generator_losses(inputs,
    data_samples) -> dict`` (``gen.*`` losses plus the restored
    ``image``) and ``self.weights['adversarial']``.

    Without a discriminator: one optimizer wrapper, one step on the
    ``gen.*`` losses. With one (``optim_wrapper`` an ``OptimWrapperDict``
    built by ``MultiOptimWrapperConstructor``): a D step on real (ground
    truth) and fake (restored, detached) images, with
    ``r1_gamma / 2 * R1`` as an extra step every ``r1_interval``
    iterations (lazy; give D's optimizer ``lazy_reg_interval``), then a G
    step adding ``adversarial * softplus(-D(fake))`` once ``iteration >=
    gan_start_iter``. The iteration is a buffer, so a resumed run
    continues the R1 rhythm.
    """

    def build_discriminator(self, cfg: Optional[dict], r1_gamma: float,
                            r1_interval: int, gan_start_iter: int) -> None:
        self.discriminator = None if cfg is None else MODELS.build(
            scope_config_types(dict(cfg)))
        if int(r1_interval) < 1:
            raise ValueError(f'r1_interval must be >= 1, got {r1_interval}')
        self.r1_gamma, self.r1_interval = float(r1_gamma), int(r1_interval)
        self.gan_start_iter = int(gan_start_iter)
        self.register_buffer('iteration', torch.zeros((), dtype=torch.long))

    def train_step(self, data, optim_wrapper) -> Dict[str, Tensor]:
        data = self.data_preprocessor(data, True)
        iteration = int(self.iteration)
        self.iteration += 1
        if self.discriminator is None:
            if isinstance(optim_wrapper, OptimWrapperDict):
                optim_wrapper = optim_wrapper['generator']
            with optim_wrapper.optim_context(self):
                losses = self.generator_losses(**data)
            losses.pop('image')
            loss, log_vars = self.parse_losses(losses)
            optim_wrapper.update_params(loss)
            return log_vars
        log_vars = {}
        with optim_wrapper['generator'].optim_context(self.generator):
            losses = self.generator_losses(**data)
        fake = losses.pop('image')
        real = torch.stack([s.gt_img for s in data['data_samples']])
        log_vars.update(self._discriminator_step(
            real, fake.detach(), optim_wrapper['discriminator'],
            r1=self.r1_gamma > 0 and iteration % self.r1_interval == 0))
        if iteration >= self.gan_start_iter and \
                self.weights['adversarial']:
            # D is only a function of the fakes here: its parameters leave
            # the graph, and it runs unwrapped (DDP would wait for
            # gradients of D that never come).
            discriminator = unwrap(self.discriminator)
            discriminator.requires_grad_(False)
            try:
                losses['gen.loss_adv'] = self.weights['adversarial'] * \
                    gen_nonsaturating_loss(discriminator(fake))
            finally:
                discriminator.requires_grad_(True)
        loss, gen_vars = self.parse_losses(losses)
        optim_wrapper['generator'].update_params(loss)
        log_vars.update(gen_vars)
        return log_vars

    def _discriminator_step(self, real: Tensor, fake: Tensor, optim,
                            r1: bool) -> Dict[str, Tensor]:
        with optim.optim_context(self.discriminator):
            losses = {f'disc.{k}': v for k, v in disc_logistic_loss(
                self.discriminator(real), self.discriminator(fake)).items()}
        loss, log_vars = self.parse_losses(losses)
        optim.update_params(loss)
        if r1:  # lazy: its own step, scaled by the interval
            real = real.detach().requires_grad_(True)
            with optim.optim_context(self.discriminator):
                scores = self.discriminator(real)
                penalty = r1_penalty(scores, real)
                # "+ 0 * scores": the last bias, which the penalty does not
                # reach, stays in the graph, as DDP needs
                r1_loss = penalty * (self.r1_gamma / 2 * self.r1_interval) \
                    + scores.sum() * 0
            optim.update_params(r1_loss)
            log_vars['disc.loss_r1'] = r1_loss.detach()
        return log_vars

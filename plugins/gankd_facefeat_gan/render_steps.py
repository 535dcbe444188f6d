"""Stage 2 of FaceFeat-GAN (and the single-stage baseline): the image
GAN steps of the renderer."""
from typing import Dict

import torch
from torch import Tensor

from gankd.models.gans.gan_losses import (disc_logistic_loss,
                                          gen_nonsaturating_loss, r1_penalty)
from gankd.models.gans.wrapped_call import call_through_wrapper
from .facefeat_losses import (feature_consistency_loss, identity_loss,
                              perceptual_distance)

__all__ = ['RenderStepsMixin']


def _render(g, identity: Tensor, features: Dict[str, Tensor]) -> Tensor:
    return g.render_features(identity, features, noise_mode='random')


class RenderStepsMixin:
    """``_render_gan_step`` of :class:`FaceFeatGAN` (see its doc)."""

    def feature_path(self, iteration: int) -> str:
        """``'real'`` (E_k(x), reconstruction) or ``'generated'`` (G_k or
        noise) features at ``iteration`` for this stage."""
        if self.stage == 'render_real':
            return 'real'
        if self.stage == 'render_mixed':
            real, generated = self.mixed_cycle
            return 'real' if iteration % (real + generated) < real \
                else 'generated'
        return 'generated'

    def _render_gan_step(self, real: Tensor, real_parts: dict,
                         iteration: int,
                         optim_wrapper) -> Dict[str, Tensor]:
        identity = real_parts['identity']
        path = self.feature_path(iteration)
        generator = self.plain_generator
        if path == 'real':
            features = real_parts['features']
        else:
            with torch.no_grad():  # G_k are frozen in stage 2
                features = generator.generate_features(
                    self._z(real.shape[0], real.device), identity)
        log_vars = self._image_disc_step(
            real, identity, features, optim_wrapper['discriminator'],
            r1=self.r1_gamma > 0 and iteration % self.r1_interval == 0)
        log_vars.update(self._renderer_step(
            real, identity, features, path, optim_wrapper['generator']))
        log_vars['gen.real_path'] = torch.tensor(float(path == 'real'))
        return log_vars

    def _image_disc_step(self, real: Tensor, identity: Tensor,
                         features: Dict[str, Tensor], optim,
                         r1: bool) -> Dict[str, Tensor]:
        with torch.no_grad():
            fake = _render(self.plain_generator, identity, features)
        r1_now = r1 and self.r1_interval == 1
        real = real.detach().requires_grad_(r1_now)
        with optim.optim_context(self.discriminator):
            real_scores = self.discriminator(real)
            fake_scores = self.discriminator(fake)
            losses = {f'disc.{k}': v for k, v in disc_logistic_loss(
                real_scores, fake_scores).items()}
            if r1_now:
                losses['disc.loss_r1'] = r1_penalty(real_scores, real) * \
                    (self.r1_gamma / 2)
        loss, log_vars = self._parse('disc', losses)
        optim.update_params(loss)
        log_vars['disc.real_score'] = real_scores.detach().mean()
        log_vars['disc.fake_score'] = fake_scores.detach().mean()
        if r1 and not r1_now:
            log_vars.update(self._lazy_r1_step(real.detach(), optim))
        return log_vars

    def _renderer_step(self, real: Tensor, identity: Tensor,
                       features: Dict[str, Tensor], path: str,
                       optim) -> Dict[str, Tensor]:
        disc = self.plain_discriminator
        flags = [p.requires_grad for p in disc.parameters()]
        disc.requires_grad_(False)
        generator = self.plain_generator
        try:
            with optim.optim_context(self.generator):
                fake = call_through_wrapper(self.generator, _render,
                                            identity, features)
                losses = {'gen.loss_adv': gen_nonsaturating_loss(disc(fake))}
                if self.lambda_id > 0 or self.lambda_feat > 0:
                    parts = generator.extract(fake)
                if self.lambda_id > 0:
                    losses['gen.loss_id'] = self.lambda_id * identity_loss(
                        parts['identity'], identity)
                if self.lambda_feat > 0:
                    weights = {s['name']: s['loss_weight']
                               for s in generator.feature_specs}
                    losses['gen.loss_feat'] = self.lambda_feat * \
                        feature_consistency_loss(parts['features'],
                                                 features, weights)
                if path == 'real' and self.lambda_rec > 0:
                    losses['gen.loss_rec'] = self.lambda_rec * \
                        (fake - real).abs().mean()
                    if self.perceptual is not None:
                        losses['gen.loss_perceptual'] = self.lambda_rec * \
                            self.lambda_p * perceptual_distance(
                                self.perceptual(fake),
                                self.perceptual(real))
            loss, log_vars = self._parse('gen', losses)
            optim.update_params(loss)
        finally:
            for param, flag in zip(disc.parameters(), flags):
                param.requires_grad_(flag)
        return log_vars

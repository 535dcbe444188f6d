"""Stage 1 of FaceFeat-GAN: the feature-domain GAN steps."""
from typing import Dict

import torch
from torch import Tensor

from gankd.models.gans.gan_losses import (disc_logistic_loss,
                                          gen_nonsaturating_loss, r1_penalty)
from gankd.models.gans.wrapped_call import call_through_wrapper
from .facefeat_losses import mode_seeking_loss

__all__ = ['FeatureStepsMixin']


def _score_pairs(disc, real: Dict[str, Tensor], fake: Dict[str, Tensor],
                 identity: Tensor):
    """D_k on real and fake features of every k, in one forward (one DDP
    call per backward)."""
    return {k: (disc.score_features(k, real[k], identity),
                disc.score_features(k, fake[k], identity)) for k in real}


class FeatureStepsMixin:
    """``_feature_gan_step`` of :class:`FaceFeatGAN` (see its doc)."""

    def _feature_gan_step(self, real_parts: dict,
                          optim_wrapper) -> Dict[str, Tensor]:
        identity = real_parts['identity']
        n, device = identity.shape[0], identity.device
        with torch.no_grad():  # no graph through G in the D step
            fake = self.plain_generator.generate_features(
                self._z(n, device), identity)
        gamma = self.r1_gamma_features
        real = {k: v.detach().requires_grad_(gamma > 0)
                for k, v in real_parts['features'].items()}
        optim = optim_wrapper['discriminator']
        with optim.optim_context(self.discriminator):
            scores = call_through_wrapper(self.discriminator, _score_pairs,
                                          real, fake, identity)
            losses = {}
            for k, (real_scores, fake_scores) in scores.items():
                for term, value in disc_logistic_loss(
                        real_scores, fake_scores).items():
                    losses[f'disc.{k}.{term}'] = value
                if gamma > 0:
                    losses[f'disc.{k}.loss_r1'] = r1_penalty(
                        real_scores, real[k]) * (gamma / 2)
        loss, log_vars = self._parse('disc', losses)
        optim.update_params(loss)
        log_vars.update(self._feature_generator_step(identity,
                                                     optim_wrapper))
        return log_vars

    def _feature_generator_step(self, identity: Tensor,
                                optim_wrapper) -> Dict[str, Tensor]:
        n, device = identity.shape[0], identity.device
        disc = self.plain_discriminator
        flags = [p.requires_grad for p in disc.parameters()]
        disc.requires_grad_(False)  # D_k only scores the fakes here
        generator = self.plain_generator
        optim = optim_wrapper['generator']
        try:
            with optim.optim_context(self.generator):
                pairs = 2 if self.lambda_div > 0 else 1
                z = self._z(n * pairs, device)
                fake = self._features_through_wrapper(
                    z, identity.repeat(pairs, 1))
                losses = {}
                for k, f in fake.items():
                    losses[f'gen.{k}.loss_adv'] = gen_nonsaturating_loss(
                        disc.score_features(k, f[:n], identity))
                if pairs == 2:
                    z_parts = generator.split_z(z)
                    for k, f in fake.items():
                        losses[f'gen.{k}.loss_div'] = self.lambda_div * \
                            mode_seeking_loss(f[:n], f[n:], z_parts[k][:n],
                                              z_parts[k][n:])
            loss, log_vars = self._parse('gen', losses)
            optim.update_params(loss)
        finally:
            for param, flag in zip(disc.parameters(), flags):
                param.requires_grad_(flag)
        return log_vars

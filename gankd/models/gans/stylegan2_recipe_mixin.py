"""The parts of StyleGAN2's training recipe around the two main steps:
lazy R1, lazy path length, the running w average and the EMA generator."""
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.optim import OptimWrapper
from torch import Tensor

from gankd.models.gans.gan_losses import ema_momentum, path_lengths, r1_penalty

__all__ = ['StyleGAN2RecipeMixin']


class StyleGAN2RecipeMixin:
    """Regularisation and averaging steps of
    :class:`~gankd.models.gans.UnconditionalGAN` (see its docstring for the
    attributes they read). Kept apart so a restorer training against a
    discriminator can reuse them.

    Every process ends each step with the same values: DDP averages the
    gradients, and the running means (path length, w) average the batch
    means of all processes.
    """

    def _lazy_r1_step(self, real: Tensor,
                      optim: OptimWrapper) -> Dict[str, Tensor]:
        real = real.requires_grad_(True)
        with optim.optim_context(self.discriminator):
            scores = self.discriminator(real)
            penalty = r1_penalty(scores, real)
            # Applied every r1_interval iterations, it carries that many
            # iterations' weight. "+ 0 * scores": the last bias (which the
            # penalty does not depend on) stays in the graph, as DDP needs.
            loss = penalty * (self.r1_gamma / 2 * self.r1_interval) + \
                scores.sum() * 0
        optim.update_params(loss)
        return {'disc.loss_r1': loss.detach(),
                'disc.r1_penalty': penalty.detach()}

    def _path_length_losses(self, n: int, device,
                            gain: int) -> Dict[str, Tensor]:
        out = self._generate(max(1, n // self.pl_batch_shrink), device,
                             module=self.generator, codes_grad=True)
        lengths = path_lengths(out['image'], out['wp'])
        with torch.no_grad():
            # The running mean is shared by all processes (mean of their
            # batch means) so the model stays identical across ranks.
            batch_mean = lengths.detach().mean()
            all_reduce(batch_mean, op='mean')
            self.pl_mean.copy_(self.pl_mean.lerp(batch_mean, self.pl_decay))
        penalty = (lengths - self.pl_mean).square().mean()
        # "+ 0 * image": parameters the penalty does not reach (the last
        # bias) stay in the graph, as DDP needs.
        loss = penalty * (self.pl_weight * gain) + \
            out['image'][:, 0, 0, 0].sum() * 0
        return {'gen.loss_pl': loss, 'gen.pl_mean': self.pl_mean.clone()}

    @torch.no_grad()
    def _update_w_avg(self, w: Optional[Tensor]) -> None:
        generator = self.plain_generator
        if w is None or not hasattr(generator, 'update_w_avg'):
            return
        # The mean over every process's batch: each keeps the same w_avg.
        w_mean = w.detach().mean(dim=0, keepdim=True)
        all_reduce(w_mean, op='mean')
        generator.update_w_avg(w_mean, momentum=self.w_avg_momentum)

    @torch.no_grad()
    def _update_ema(self, iteration: int, n: int) -> None:
        if iteration < self.ema_start_iter:
            self._copy_generator_to_ema()
            return
        batch = n * get_world_size()
        self.generator_ema.momentum = ema_momentum(
            batch, self.ema_half_life_kimg, (iteration + 1) * batch,
            self.ema_rampup)
        self.generator_ema.update_parameters(self.plain_generator)

    @torch.no_grad()
    def _copy_generator_to_ema(self) -> None:
        self.generator_ema.module.load_state_dict(
            self.plain_generator.state_dict())

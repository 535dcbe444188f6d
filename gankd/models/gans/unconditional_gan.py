"""Unconditional GAN training on mmengine, StyleGAN2's recipe (the mmagic
protocol: ``train_step`` with an ``OptimWrapperDict``, EMA inside the step,
separate DDP wrappers for G and D)."""
import warnings
from contextlib import contextmanager
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.model import (BaseModel, ExponentialMovingAverage,
                            is_model_wrapper)
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner.checkpoint import get_state_dict
from torch import Tensor

from gankd.kinds import build_generator
from gankd.models.gans.gan_losses import (disc_logistic_loss,
                                          gen_nonsaturating_loss, r1_penalty)
from gankd.models.gans.gan_sampling_mixin import GANSamplingMixin
from gankd.models.gans.sampling import synthesize_for_training
from gankd.models.gans.stylegan2_recipe_mixin import StyleGAN2RecipeMixin
from gankd.models.gans.wrapped_call import call_through_wrapper, unwrap
from gankd.registry import MODELS, scope_config_types

__all__ = ['UnconditionalGAN']

#: Images to [-1, 1] RGB, the range and order gankd generators produce
#: (datasets give BGR uint8, as mmcv's image loading does).
DEFAULT_DATA_PREPROCESSOR = dict(
    type='mmpretrain.ClsDataPreprocessor',
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    to_rgb=True)


def _plain(cfg):
    if isinstance(cfg, (dict, ConfigDict)):
        return {k: _plain(v) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_plain(v) for v in cfg)
    return cfg


@MODELS.register_module()
class UnconditionalGAN(GANSamplingMixin, StyleGAN2RecipeMixin,
                       BaseModel):
    """Trains any :class:`~gankd.kinds.BaseGenerator` against a
    discriminator with StyleGAN2's objectives.

    Each ``train_step`` (iteration ``i``, batch of ``N`` real images):

    1. D step: fakes from ``N`` fresh ``z`` under ``no_grad`` (no graph
       through G), non-saturating logistic loss on reals and fakes.
    2. Lazy R1 when ``i % r1_interval == 0``: ``gamma / 2 * ||grad_x
       D(x)||^2 * r1_interval`` on reals, as its own optimizer step
       (StyleGAN2's; the Adam adjustment below assumes it). With
       ``r1_interval=1`` it is added to the D loss instead.
    3. G step when ``(i + 1) % generator_interval == 0``: D's parameters stop
       requiring grad for the step (they are not in the graph), G minimises
       softplus(-D(G(z))). Style-based generators get style mixing and their
       ``update_w_avg``; fresh noise (``noise_mode='random'``).
    4. Lazy path length every ``pl_interval`` G steps when ``pl_weight > 0``
       (generators with ``wp`` only), on ``N // pl_batch_shrink`` samples.
    5. EMA of G after each G step, momentum from ``ema_half_life_kimg``.

    The iteration is the Runner's (MessageHub ``iter``, so intervals and the
    EMA ramp continue correctly after resume); outside a Runner, calls are
    counted. Every random draw of a step (latents, mixing, noise, the
    path-length direction) comes from torch's RNG seeded with (the seed set
    when the model was built, iteration), the global RNG state restored
    afterwards: a step depends only on the weights, the batch and the
    iteration, so a resumed run continues exactly as an unbroken one would.
    The Runner seeds before building the model (``randomness.seed``; with
    ``diff_rank_seed=True`` each process draws its own latents).

    Lazy regularisation and Adam: StyleGAN2 runs Adam for a regularised
    network with ``lr * c`` and ``betas ** c``, ``c = interval / (interval
    + 1)``, because every ``interval`` iterations it takes one extra step.
    The config applies it; ``MultiOptimWrapperConstructor`` does it for an
    optimizer given ``lazy_reg_interval``.

    Evaluation (``val_step``/``test_step``): for each real image the EMA
    generator draws a fake from ``z`` seeded with ``val_seed +
    sample_idx``; data samples get ``fake_img`` and ``real_img`` (``[3, H,
    W]`` in ``[-1, 1]``, RGB) for metrics such as FrechetDistanceMetric.

    Args:
        generator (dict): a BaseGenerator config.
        discriminator (dict): images ``[N, 3, H, W]`` in ``[-1, 1]`` ->
            scores ``[N, 1]``.
        data_preprocessor (dict, optional): default
            :data:`DEFAULT_DATA_PREPROCESSOR` (uint8 BGR -> [-1, 1] RGB);
            a dict without ``type`` gets ``mmpretrain.ClsDataPreprocessor``.
        generator_interval (int): a G step every this many iterations.
        r1_gamma (float): R1 weight; 0 disables it.
        r1_interval (int): lazy R1 interval (1: every iteration, same step).
        pl_weight (float): path-length weight; 0 disables it.
        pl_interval (int): path length every this many G steps.
        pl_decay (float): running-mean rate of the path length.
        pl_batch_shrink (int): path length runs on ``N // shrink`` samples.
        style_mixing_prob (float): probability that a batch mixes two
            ``z`` at a random layer (generators with ``wp``).
        w_avg_momentum (float): passed to ``generator.update_w_avg``.
        ema_half_life_kimg (float): EMA half-life, thousands of images.
        ema_rampup (float, optional): StyleGAN2-ADA ramp-up (half-life at
            most ``images_seen * ema_rampup``).
        ema_start_iter (int): before this iteration the EMA copies G.
        val_seed (int): seed offset of evaluation latents.
        val_noise_mode (str): noise mode of evaluation samples.
        val_truncation_psi (float, optional): truncation of evaluation
            samples (None: none).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 generator: dict,
                 discriminator: dict,
                 data_preprocessor: Optional[dict] = None,
                 generator_interval: int = 1,
                 r1_gamma: float = 10.0,
                 r1_interval: int = 16,
                 pl_weight: float = 0.0,
                 pl_interval: int = 4,
                 pl_decay: float = 0.01,
                 pl_batch_shrink: int = 2,
                 style_mixing_prob: float = 0.9,
                 w_avg_momentum: float = 0.995,
                 ema_half_life_kimg: float = 10.0,
                 ema_rampup: Optional[float] = None,
                 ema_start_iter: int = 0,
                 val_seed: int = 0,
                 val_noise_mode: str = 'const',
                 val_truncation_psi: Optional[float] = None,
                 init_cfg: Optional[dict] = None) -> None:
        preprocessor = dict(DEFAULT_DATA_PREPROCESSOR) \
            if data_preprocessor is None else _plain(data_preprocessor)
        preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(data_preprocessor=scope_config_types(preprocessor),
                         init_cfg=init_cfg)
        for name, value in (('generator_interval', generator_interval),
                            ('r1_interval', r1_interval),
                            ('pl_interval', pl_interval),
                            ('pl_batch_shrink', pl_batch_shrink)):
            if int(value) < 1:
                raise ValueError(f'UnconditionalGAN: {name} must be >= 1, '
                                 f'got {value}')
        self.generator, self.discriminator = self._build_networks(
            _plain(generator), _plain(discriminator))
        # momentum is set before every update (it depends on the batch and,
        # with a ramp-up, on the images seen); this value is never used.
        self.generator_ema = ExponentialMovingAverage(self.generator,
                                                      momentum=0.001)
        self.register_buffer('pl_mean', torch.zeros(()))
        has_wp = 'wp' in self.generator.latent_spaces
        if pl_weight > 0 and not has_wp:
            warnings.warn(f'{type(self.generator).__name__} has no wp codes: '
                          'the path-length regulariser is skipped.')
        self.generator_interval = int(generator_interval)
        self.r1_gamma, self.r1_interval = float(r1_gamma), int(r1_interval)
        self.pl_weight = float(pl_weight) if has_wp else 0.0
        self.pl_interval, self.pl_decay = int(pl_interval), float(pl_decay)
        self.pl_batch_shrink = int(pl_batch_shrink)
        self.style_mixing_prob = float(style_mixing_prob) \
            if has_wp and self.generator.num_layers > 1 else 0.0
        self.w_avg_momentum = w_avg_momentum
        self.ema_half_life_kimg, self.ema_rampup = ema_half_life_kimg, \
            ema_rampup
        self.ema_start_iter = int(ema_start_iter)
        self.val_seed, self.val_noise_mode = int(val_seed), val_noise_mode
        self.val_truncation_psi = val_truncation_psi
        self._calls = 0  # the iteration outside a Runner
        self._base_seed = torch.initial_seed()

    def _build_networks(self, generator: dict, discriminator: dict):
        """``(G, D)`` from their configs (plain dicts). A subclass whose
        networks hold several parts (FaceFeat-GAN: feature and image
        discriminators sized by the generator's extractors) overrides it."""
        return (build_generator(scope_config_types(generator)),
                MODELS.build(scope_config_types(discriminator)))

    # -- plumbing -------------------------------------------------------------

    @property
    def plain_generator(self):
        """The generator without its DDP wrapper."""
        return unwrap(self.generator)

    @property
    def plain_discriminator(self):
        """The discriminator without its DDP wrapper."""
        return unwrap(self.discriminator)

    def init_weights(self) -> None:
        super().init_weights()
        self._copy_generator_to_ema()  # the EMA starts where G starts

    def train(self, mode: bool = True):
        super().train(mode)
        self.generator_ema.eval()  # only ever sampled from
        return self

    def state_dict(self, *args, destination=None, prefix='',
                   keep_vars=False):
        """Keys as without DDP (``generator.*``, not ``generator.module.*``)
        when the Runner has wrapped G and D separately, so checkpoints of
        one- and multi-process runs are interchangeable."""
        if args or not any(is_model_wrapper(m) for m in self.children()):
            return super().state_dict(*args, destination=destination,
                                      prefix=prefix, keep_vars=keep_vars)
        return get_state_dict(self, destination, prefix, keep_vars)

    def _iteration(self) -> int:
        iteration = MessageHub.get_current_instance().get_info('iter')
        if iteration is None:
            iteration = self._calls
        self._calls += 1
        return int(iteration)

    @contextmanager
    def _step_rng(self, iteration: int):
        """Seed torch's RNG (CPU and the current GPU) for this iteration;
        restore the outer state on exit."""
        devices = [torch.cuda.current_device()] \
            if torch.cuda.is_available() else []
        seed = np.random.SeedSequence([self._base_seed, iteration])
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(seed.generate_state(1, np.uint64)[0]))
            yield

    def _latents(self, n: int, device) -> Tensor:
        return torch.randn(n, self.plain_generator.z_dim, device=device)

    def _generate(self, n: int, device, module=None,
                  codes_grad: bool = False) -> Dict[str, Optional[Tensor]]:
        """Training samples with style mixing and random noise; ``module``
        (default the plain G) may be G's DDP wrapper."""
        z, mix_z, cutoff = self._latents(n, device), None, 0
        if self.style_mixing_prob > 0 and \
                torch.rand(()).item() < self.style_mixing_prob:
            # One cutoff per batch, as StyleGAN2 does.
            cutoff = int(torch.randint(
                1, self.plain_generator.num_layers, ()).item())
            mix_z = self._latents(n, device)
        return call_through_wrapper(module or self.plain_generator,
                                    synthesize_for_training, z, mix_z,
                                    cutoff, 'random', codes_grad)

    @staticmethod
    def _parse(role: str, losses: Dict[str, Tensor]):
        total = sum(v for k, v in losses.items() if 'loss' in k)
        log_vars = {k: v.detach() for k, v in losses.items()}
        log_vars[f'{role}.loss'] = total.detach()
        return total, log_vars

    # -- training -------------------------------------------------------------

    def train_step(self, data, optim_wrapper: OptimWrapperDict
                   ) -> Dict[str, Tensor]:
        """One iteration: D step (+ lazy R1), G step every
        ``generator_interval`` iterations (+ lazy path length), EMA.

        Args:
            data: a batch from the dataloader (``inputs``: uint8 images).
            optim_wrapper: ``generator`` and ``discriminator`` wrappers.

        Returns:
            log variables: ``disc.*`` every iteration, ``gen.*`` on G steps.
        """
        iteration = self._iteration()
        real = self.data_preprocessor(data, True)['inputs']
        with self._step_rng(iteration):
            log_vars = self._discriminator_step(
                real, optim_wrapper['discriminator'],
                r1=self.r1_gamma > 0 and iteration % self.r1_interval == 0)
            if (iteration + 1) % self.generator_interval == 0:
                g_step = iteration // self.generator_interval
                log_vars.update(self._generator_step(
                    real.shape[0], real.device, optim_wrapper['generator'],
                    pl=self.pl_weight > 0 and g_step % self.pl_interval == 0))
                self._update_ema(iteration, real.shape[0])
        return log_vars

    def _discriminator_step(self, real: Tensor, optim: OptimWrapper,
                            r1: bool) -> Dict[str, Tensor]:
        with torch.no_grad():  # G is not trained here: no graph through it
            fake = self._generate(real.shape[0], real.device)['image']
        r1_now = r1 and self.r1_interval == 1
        real = real.detach().requires_grad_(r1_now)
        with optim.optim_context(self.discriminator):
            # Two calls, not one on [real; fake]: minibatch-stddev layers
            # would otherwise see mixed real/fake groups.
            real_scores = self.discriminator(real)
            fake_scores = self.discriminator(fake)
            losses = {f'disc.{k}': v for k, v in disc_logistic_loss(
                real_scores, fake_scores).items()}
            if r1_now:
                penalty = r1_penalty(real_scores, real)
                losses['disc.loss_r1'] = penalty * (self.r1_gamma / 2)
        loss, log_vars = self._parse('disc', losses)
        optim.update_params(loss)
        log_vars['disc.real_score'] = real_scores.detach().mean()
        log_vars['disc.fake_score'] = fake_scores.detach().mean()
        if r1 and not r1_now:
            log_vars.update(self._lazy_r1_step(real.detach(), optim))
        return log_vars

    def _generator_step(self, n: int, device, optim: OptimWrapper,
                        pl: bool) -> Dict[str, Tensor]:
        discriminator = self.plain_discriminator
        # D is only a function of the fakes here: its parameters leave the
        # graph (no weight gradients computed), and it is called unwrapped
        # since DDP would have nothing of it to synchronise.
        flags = [p.requires_grad for p in discriminator.parameters()]
        discriminator.requires_grad_(False)
        pl_now = pl and self.pl_interval == 1
        try:
            with optim.optim_context(self.generator):
                out = self._generate(n, device, module=self.generator)
                scores = discriminator(out['image'])
                losses = {'gen.loss_adv': gen_nonsaturating_loss(scores)}
                if pl_now:
                    losses.update(self._path_length_losses(n, device, 1))
            loss, log_vars = self._parse('gen', losses)
            optim.update_params(loss)
        finally:
            for param, flag in zip(discriminator.parameters(), flags):
                param.requires_grad_(flag)
        log_vars['gen.fake_score'] = scores.detach().mean()
        if pl and not pl_now:
            with optim.optim_context(self.generator):
                losses = self._path_length_losses(n, device, self.pl_interval)
            optim.update_params(losses['gen.loss_pl'])
            log_vars.update({k: v.detach() for k, v in losses.items()})
        self._update_w_avg(out['w'])
        return log_vars

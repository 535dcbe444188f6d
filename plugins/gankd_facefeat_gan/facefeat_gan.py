"""FaceFeat-GAN training: stage 1 (feature GANs), stage 2a/2b (renderer
on real / mixed features) and the single-stage baseline, on the GAN core."""
from typing import Dict, Optional, Sequence

import torch
from mmengine.optim import OptimWrapperDict
from torch import Tensor

from gankd.kinds import FrozenPartsMixin, build_generator
from gankd.models.gans import UnconditionalGAN
from gankd.models.gans.wrapped_call import call_through_wrapper
from gankd.registry import MODELS, scope_config_types
from .feature_steps import FeatureStepsMixin
from .render_steps import RenderStepsMixin

__all__ = ['FaceFeatGAN', 'STAGES']

#: stage -> (generator part, discriminator part) that it trains.
STAGES = {
    'features': ('feature_generators', 'features'),     # spec 2.3 step 2
    'render_real': ('renderer', 'image'),               # step 3 (2a)
    'render_mixed': ('renderer', 'image'),              # step 4 (2b)
    'single_stage': ('renderer', 'image'),              # ablation baseline
}


class FaceFeatGAN(FeatureStepsMixin, RenderStepsMixin, FrozenPartsMixin,
                  UnconditionalGAN):
    """Trains a :class:`FaceFeatGenerator` stage by stage.

    Every iteration extracts ``f_id = E_id(x)`` and the real features
    ``f_k = E_k(x)`` of the real batch (frozen networks, no graph), adds
    ``f_id`` to the generator's identity bank under the batch labels
    (``gt_label``), then runs the stage's D and G steps (seeded per
    iteration as the GAN core does: resume continues exactly):

    * ``'features'`` (stage 1): per feature k, D_k on (f_k, f_id) vs
      (G_k(z_k, f_id), f_id), non-saturating, R1 on real features
      (``r1_gamma_features``, every iteration); G_k: non-saturating +
      ``lambda_div`` * mode seeking.
    * ``'render_real'`` (2a): x_hat = R(f_id, f); ``'render_mixed'`` (2b):
      per ``mixed_cycle = (a, b)``, ``a`` iterations on real features then
      ``b`` on generated ones (G_k frozen); ``'single_stage'``: features
      are the noise itself (the generator's ``feature_source='noise'``).
      D_I: non-saturating + lazy R1 (``r1_gamma``, ``r1_interval``). R:
      L_adv + lambda_id L_id + lambda_feat L_feat (+ lambda_rec (L1 +
      lambda_p L_p) on real features).

    Only the stage's parts train (:data:`STAGES`): the others stop
    requiring grad; E_id and E_k are frozen always. Load the previous
    stage with ``load_from`` (all stages have the same modules).

    Args:
        generator (dict): a ``FaceFeatGenerator`` config.
        discriminator (dict): a ``FaceFeatDiscriminators`` config without
            ``feature_dims``/``identity_dim`` (taken from the generator).
        stage (str): a key of :data:`STAGES`.
        lambda_id, lambda_feat, lambda_rec, lambda_p, lambda_div (float):
            loss weights (spec 2.1-2.2).
        perceptual (dict, optional): frozen feature net for L_p (e.g.
            ``ClassifierFeatures``); None: no L_p.
        r1_gamma_features (float): R1 weight on real features.
        mixed_cycle (tuple[int, int]): real / generated iterations per
            cycle in ``'render_mixed'``.
        **kwargs: :class:`UnconditionalGAN` arguments (``r1_gamma``,
            ``r1_interval``, ``ema_half_life_kimg``, ``data_preprocessor``,
            ...); path length and style mixing are off.
    """

    def __init__(self, generator: dict, discriminator: dict,
                 stage: str = 'features', lambda_id: float = 1.0,
                 lambda_feat: float = 1.0, lambda_rec: float = 10.0,
                 lambda_p: float = 1.0, lambda_div: float = 0.0,
                 perceptual: Optional[dict] = None,
                 r1_gamma_features: float = 1.0,
                 mixed_cycle: Sequence[int] = (1, 1), **kwargs) -> None:
        if stage not in STAGES:
            raise ValueError(f'FaceFeatGAN: stage must be one of '
                             f'{list(STAGES)}, got {stage!r}')
        self.stage = stage
        kwargs.update(pl_weight=0.0, style_mixing_prob=0.0,
                      generator_interval=1)
        super().__init__(generator, discriminator, **kwargs)
        source = self.generator.feature_source
        if (stage == 'single_stage') != (source == 'noise'):
            wanted = 'noise' if stage == 'single_stage' else 'generators'
            raise ValueError(
                f"FaceFeatGAN: stage {stage!r} needs the generator's "
                f'feature_source={wanted!r}, got {source!r}')
        self.lambda_id, self.lambda_feat = float(lambda_id), float(lambda_feat)
        self.lambda_rec, self.lambda_p = float(lambda_rec), float(lambda_p)
        self.lambda_div = float(lambda_div)
        self.r1_gamma_features = float(r1_gamma_features)
        self.mixed_cycle = tuple(int(c) for c in mixed_cycle)
        if len(self.mixed_cycle) != 2 or min(self.mixed_cycle) < 0 or \
                sum(self.mixed_cycle) < 1:
            raise ValueError(f'mixed_cycle must be two counts (real, '
                             f'generated), got {mixed_cycle}')
        self.perceptual = None
        if perceptual is not None and self.lambda_p > 0:
            self.perceptual = MODELS.build(
                scope_config_types(dict(perceptual)))
            self.freeze('perceptual')
        self._freeze_other_stages()

    def _build_networks(self, generator: dict, discriminator: dict):
        g = build_generator(scope_config_types(generator))
        d = MODELS.build(scope_config_types(dict(
            dict(type='FaceFeatDiscriminators'), **discriminator,
            feature_dims=dict(g.feature_dims), identity_dim=g.identity_dim)))
        return g, d

    def _freeze_other_stages(self) -> None:
        g_part, d_part = STAGES[self.stage]
        for net, part in ((self.generator, g_part),
                          (self.discriminator, d_part)):
            for name, child in net.named_children():
                if name != part:
                    child.requires_grad_(False)
        self.trained_parts = (f'generator.{g_part}', f'discriminator.{d_part}')

    # -- training -------------------------------------------------------------

    def train_step(self, data, optim_wrapper: OptimWrapperDict
                   ) -> Dict[str, Tensor]:
        """One iteration of the configured stage (see the class doc).

        Args:
            data: a batch (``inputs`` uint8 images, ``data_samples`` with
                ``gt_label`` = identity).
            optim_wrapper: ``generator`` and ``discriminator`` wrappers.

        Returns:
            log variables (``disc.*``, ``gen.*``).
        """
        iteration = self._iteration()
        batch = self.data_preprocessor(data, True)
        real = batch['inputs']
        generator = self.plain_generator
        with torch.no_grad():
            real_parts = generator.extract(real)
        labels = torch.stack([torch.as_tensor(s.gt_label).view(-1)[0]
                              for s in batch['data_samples']])
        generator.bank.add(real_parts['identity'], labels.to(real.device))
        with self._step_rng(iteration):
            if self.stage == 'features':
                log_vars = self._feature_gan_step(real_parts, optim_wrapper)
            else:
                log_vars = self._render_gan_step(real, real_parts, iteration,
                                                 optim_wrapper)
            self._update_ema(iteration, real.shape[0])
        return log_vars

    def _z(self, n: int, device) -> Tensor:
        return torch.randn(n, self.plain_generator.z_dim, device=device)

    def _features_through_wrapper(self, z: Tensor, identity: Tensor):
        return call_through_wrapper(
            self.generator, lambda g, z_, f_: g.generate_features(z_, f_),
            z, identity)

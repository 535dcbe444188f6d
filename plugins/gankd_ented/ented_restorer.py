"""ENTEDRestorer: the Restorer of this plugin (spec 2.2, 2.3, 5)."""
import copy
from typing import Dict, Optional, Sequence

import torch
from mmengine.model import is_model_wrapper
from torch import Tensor, nn

from gankd.kinds import BaseRestorer
from gankd.registry import MODELS, scope_config_types
from .adversarial_step import AdversarialStepMixin
from .attention_reconstruction import AttentionReconstructionLoss
from .ented_network import ENTEDNetwork
from .restoration_losses import identity_loss, perceptual_loss

__all__ = ['ENTEDRestorer', 'DEFAULT_LOSSES']

#: loss weights (spec 3): NTED's perceptual 1 and attention 15 (with
#: weight 1 at every feature height); ENTED's proposed L1 1, identity 1,
#: VQ 1, adversarial 0.1. ``perceptual`` and ``identity`` need a net.
DEFAULT_LOSSES = dict(l1=1.0, perceptual=None, attention=15.0,
                      attention_weights=None, identity=None, vq=1.0,
                      adversarial=0.1)


class ENTEDRestorer(AdversarialStepMixin, BaseRestorer):
    """Degraded face + reference of the same person -> restored face.

    ``generator`` (:class:`~gankd_ented.ented_network.ENTEDNetwork`):
    ``S = E_lq(I_lq)``; with a quantizer ``S_sem = residual(U(VQ(S)), S)``
    (else ``S_sem = S``); the reference encoder's textures at the sizes of
    ``ref_encoder.num_labels`` and its smallest features as tokens;
    ``w = refiner(S, tokens)``; the decoder renders ``S_sem`` with ``w``
    and distributes the textures.

    Stage ``'A'``: the VQ auto-encoder of clean faces (input: the ground
    truth; no reference, textures, attention or residual): trains the LQ
    encoder, the quantizer and the decoder. Stage ``'B'``: the full model;
    ``init_from`` loads parts of a stage-A checkpoint.

    Ablations (spec 5): ``quantizer=None`` (no VQ),
    ``latent_refiner=dict(enabled=False)``, ``residual='none'``,
    ``reference='zero'`` (textures and tokens zeroed: the reference is
    never seen), NTED's baseline (no VQ, no refinement,
    ``decoder.modulated=False``).

    Args:
        resolution: image side S; semantic_size: the side of S.
        lq_encoder: ``dict(channels={size: C})`` from S down to
            semantic_size.
        ref_encoder: ``dict(channels, num_labels={size: K},
            match_kernels={size: k})``.
        decoder: ``dict(channels={size: C}, w_dim, modulated=True)``.
        quantizer: VectorQuantizer options (``num_codes``, ``dim``,
            ``beta``, ``frozen``, ``ema``) or None.
        residual: ``'none'``, ``'add'`` or ``'gated'``.
        latent_refiner: ``dict(num_heads, num_blocks, enabled)``.
        stage: ``'A'`` or ``'B'``; reference: ``'use'`` or ``'zero'``.
        losses: see :data:`DEFAULT_LOSSES`; ``perceptual=dict(net=cfg,
            weight=1, num_scales=3, style_weight=1000)``,
            ``identity=dict(net=cfg, weight=1)``; the nets are frozen.
        discriminator: MODELS config (images -> ``[N, 1]``) or None (no
            adversarial loss, one optimizer).
        r1_gamma, r1_interval, gan_start_iter: see AdversarialStepMixin.
        init_from: ``dict(checkpoint=path, parts=('lq_encoder',
            'quantizer'))``: those parts of ``generator`` loaded strictly
            from a Runner checkpoint, weights only.
    """

    def __init__(self, resolution: int, semantic_size: int,
                 lq_encoder: dict, ref_encoder: dict, decoder: dict,
                 quantizer: Optional[dict] = None, residual: str = 'gated',
                 latent_refiner: Optional[dict] = None, stage: str = 'B',
                 reference: str = 'use', losses: Optional[dict] = None,
                 discriminator: Optional[dict] = None,
                 r1_gamma: float = 10.0, r1_interval: int = 16,
                 gan_start_iter: int = 0, init_from: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.generator = ENTEDNetwork(
            resolution, semantic_size, lq_encoder, ref_encoder, decoder,
            quantizer, residual, latent_refiner, stage, reference)
        self.uses_reference = self.generator.uses_reference
        self.resolution = int(resolution)
        unknown = set(losses or {}) - set(DEFAULT_LOSSES)
        if unknown:
            raise ValueError(f'ENTEDRestorer losses: unknown {sorted(unknown)}'
                             f'; known: {sorted(DEFAULT_LOSSES)}')
        self.weights = dict(DEFAULT_LOSSES, **(losses or {}))
        self.attention_loss = AttentionReconstructionLoss(
            self.weights['attention_weights'], self.weights['attention'])
        for name in ('perceptual', 'identity'):
            if self.weights[name]:
                net = self.weights[name]['net']
                setattr(self, f'{name}_net', net if isinstance(
                    net, nn.Module) else MODELS.build(
                        scope_config_types(copy.deepcopy(dict(net)))))
                self.freeze(f'{name}_net')
        self.build_discriminator(discriminator, r1_gamma, r1_interval,
                                 gan_start_iter)
        if init_from:
            self.load_parts(**init_from)

    @classmethod
    def inference_config(cls, cfg: dict) -> dict:
        """Without loss nets, discriminator and stage-A checkpoint."""
        cfg = dict(cfg, discriminator=None, init_from=None)
        losses = dict(cfg.get('losses') or {})
        losses.update(perceptual=None, identity=None)
        return dict(cfg, losses=losses)

    @property
    def network(self) -> ENTEDNetwork:
        """``generator`` itself, also when a separate DDP wraps it."""
        return self.generator.module if is_model_wrapper(self.generator) \
            else self.generator

    def restore(self, degraded: Tensor,
                reference: Optional[Tensor] = None) -> Tensor:
        return self.generator(degraded, reference)['image']

    def generator_losses(self, inputs: dict, data_samples: Sequence
                         ) -> Dict[str, Tensor]:
        """The ``gen.*`` losses, and the restored images under
        ``'image'`` (not a loss; the adversarial step uses them)."""
        degraded, reference = self.check_inputs(inputs)
        target = torch.stack([s.gt_img for s in data_samples])
        if self.network.stage == 'A':
            degraded = target  # the auto-encoder sees the clean face
        out = self.generator(degraded, reference)
        image, w = out['image'], self.weights
        losses = {'gen.loss_l1': w['l1'] * (image - target).abs().mean()}
        if w['perceptual']:
            p = w['perceptual']
            losses['gen.loss_perceptual'] = p.get('weight', 1.0) * \
                perceptual_loss(self.perceptual_net, image, target,
                                p.get('num_scales', 3),
                                p.get('style_weight', 1000.0))
        if w['identity']:
            losses['gen.loss_id'] = w['identity'].get('weight', 1.0) * \
                identity_loss(self.identity_net, image, target)
        if out['logits'] and w['attention']:
            losses['gen.loss_attn'] = self.attention_loss(
                reference, target, out['extractions'], out['logits'])
        if self.network.quantizer is not None and w['vq']:
            losses['gen.loss_vq'] = w['vq'] * out['vq_loss']
        if out['indices'] is not None:  # logged: a collapsing dictionary
            losses['gen.codes_used'] = out['indices'].unique().numel() * \
                torch.ones((), device=image.device)
        losses['image'] = image
        return losses

    def loss(self, inputs: dict, data_samples: Sequence) -> dict:
        losses = self.generator_losses(inputs, data_samples)
        losses.pop('image')
        return losses

    def load_parts(self, checkpoint: str,
                   parts: Sequence[str] = ('lq_encoder', 'quantizer')
                   ) -> None:
        """Load ``generator.<part>`` strictly from a Runner checkpoint
        (weights only, gankd's safe loader)."""
        from gankd.models.predictors.frozen_classifier import \
            load_state_dict_strict
        from gankd.utils.checkpoint import load_training_checkpoint
        state = load_training_checkpoint(checkpoint)
        state = state.get('state_dict', state)
        for part in parts:
            prefix = f'generator.{part}.'
            load_state_dict_strict(
                getattr(self.network, part), checkpoint,
                {k[len(prefix):]: v for k, v in state.items()
                 if k.startswith(prefix)},
                what=f'ENTEDRestorer generator.{part}',
                hint='init_from takes a checkpoint of a config with the same '
                'part sizes (stage A)')

"""Residual KD (Gao, Shen, Li & Loy, arXiv 2002.09168): a student mimics
the teacher's features, an assistant learns what the student misses, and
the deployed classifier adds the two."""
import contextlib
import copy
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from torch import Tensor

from gankd.models.distillers import SingleTeacherDistiller
from gankd.models.distillers.single_teacher_distiller import model_config
from gankd.registry import MODELS, scope_config_types
from gankd_residual_kd.combined_classifier import combined_classifier_config
from gankd_residual_kd.model_utils import last_output, qualify_types
from gankd_residual_kd.schedules import (SCHEDULES, check_phase_epochs,
                                         residual_kd_phases)

__all__ = ['ResidualKDDistiller']

_CONNECTOR = dict(type='ConvBNConnector')


def _grad_if(params) -> contextlib.AbstractContextManager:
    """No autograd graph for a branch none of whose parameters train (a
    frozen S in the assistant and head phases: its output is a constant)."""
    return torch.set_grad_enabled(
        torch.is_grad_enabled() and any(p.requires_grad for p in params))


class ResidualKDDistiller(SingleTeacherDistiller):
    """Residual KD: student S, assistant A, frozen teacher T.

    With ``F_T`` the teacher's feature at ``teacher_layer`` and ``F_S``,
    ``F_A`` the last-stage features of S and A after their 1x1 conv + BN
    connectors (all ``[N, C_T, h, w]``)::

        L_S   = mimic_loss(F_S, F_T)                 distill.loss_mimic
        L_A   = residual_loss(sg[F_S] + F_A, F_T)    distill.loss_residual
              = MSE(F_A, R),  R = F_T - sg[F_S]
        L_cls = cls_loss_weight * CE(g(F_S + F_A), y)   student.loss_cls

    With ``residual_target='unit'`` the assistant learns the residual in
    units of its own size: at the first step that trains A, ``sigma =
    sqrt(mean R^2)`` is measured (over every process) and kept (A's
    ``output_scale``: ``F_A = sigma * a``), and ``L_A = residual_loss(
    (sg[F_S] + F_A) / sigma, F_T / sigma) = MSE(a, R / sigma)``. The
    residual a well-trained student leaves is small (a fraction of the
    teacher feature's scale), so in raw units A's gradients are tiny and it
    barely moves at the LR that trains S; a unit-scale target is what a
    freshly initialised network learns at that LR.

    ``self.student`` is the deployable network: an
    ``mmpretrain.ImageClassifier`` whose backbone is a
    ``gankd.StudentAssistantBackbone``
    (S, A, connectors; returns ``(F_S + F_A,)``), neck GAP and head g
    (``LinearClsHead(in_channels=C_T)``). :meth:`deployable_config` is its
    literal config.

    Schedules (phases, switched by ``PhaseScheduleHook``):

    * ``'progressive'``: ``student`` (S + its connector, L_S) ->
      ``assistant`` (A, L_A; S frozen, eval mode) -> ``head`` (g, L_cls;
      S and A frozen) [-> ``finetune`` (all of S, A, g with L_cls) when
      ``phase_epochs['finetune'] > 0``].
    * ``'end2end'``: one phase ``end2end``, everything trains on
      ``L_S + L_A + L_cls`` (weights in the loss configs and
      ``cls_loss_weight``).

    The teacher runs once per step (inference mode, cut after
    ``teacher_layer``) and only in steps with a feature loss; its feature
    serves L_S, L_A and the diagnostics. Non-loss keys (logged, not
    backpropagated): ``residual.mse_t_s`` = mean (F_T - F_S)^2,
    ``residual.mse_t_s_a`` = mean (F_T - F_S - F_A)^2 and
    ``residual.explained`` = 1 - mse_t_s_a / mse_t_s (the fraction of the
    residual A explains), in the steps where those features are computed.

    Args:
        student (dict): Student classifier config (S is its backbone), or
            with ``separation`` the given classifier S and A are derived
            from. ``dict(cfg_path=..., **overrides)`` works.
        teacher (dict): Teacher classifier config.
        teacher_ckpt (str, optional): Teacher weights.
        assistant (dict, optional): Backbone config of A (its last output is
            used). Give this or ``separation``.
        separation (dict, optional): Keyword arguments of
            :func:`gankd_residual_kd.separation.split_model` (e.g.
            ``dict(width_student=0.8, width_assistant=0.5, divisor=2)``);
            ``target_channels`` and ``input_size`` are filled in.
        teacher_layer (str): Teacher module whose output is ``F_T``;
            ``'backbone'`` (default) is its last stage. Must have the
            student's last-stage resolution.
        student_connector (dict, optional): Connector config for S
            (channels filled in); None when ``C_S == C_T``.
        assistant_connector (dict, optional): Likewise for A.
        zero_init_assistant (bool): Zero A's last BN so that at step 0 the
            combined output equals the S-only output. Defaults to True.
        schedule (str): ``'progressive'`` or ``'end2end'``.
        phase_epochs (dict): Epochs per phase: ``student``, ``assistant``,
            ``head`` (and optional ``finetune``) for progressive,
            ``end2end`` for end2end; they must sum to
            ``train_cfg.max_epochs``.
        phase_optim (dict, optional): Per-phase optimiser settings (``lr``,
            ``eta_min``, ``warmup_epochs``, ``weight_decay``, ...), like
            ``phase_epochs`` keyed by phase, and/or a scalar for every
            phase, e.g. ``dict(lr=0.05, eta_min=1e-4,
            head=dict(weight_decay=0))``; applied by ``PhaseScheduleHook``
            (see :mod:`gankd.models.distillers.phase_optim`).
        mimic_loss (dict): L_S; its ``loss_weight`` is w_S.
        residual_loss (dict): L_A; its ``loss_weight`` is w_A.
        cls_loss_weight (float): w_cls. Defaults to 1.
        head_distill_loss (dict, optional): Adds KD's soft-target loss
            (e.g. ``KLDivergenceLoss``) on the teacher's logits wherever
            L_cls trains (``distill.loss_kd``); the teacher then runs whole
            in those steps. None (default): labels only, as the paper.
        stop_grad_student_in_residual (bool): Detach F_S inside R (so L_A
            never moves S). Defaults to True.
        residual_target (str): ``'raw'`` (L_A in the teacher's units) or
            ``'unit'`` (the residual scaled to unit RMS, see above).
        neck (dict, optional): Neck of the deployed classifier; None keeps
            the student's (GAP). ``dict(type='PooledBatchNormNeck')`` makes
            the head phase insensitive to the feature scale (folded into
            the head at export); its channels are filled in.
        predict_mode (str): ``'combined'`` (g(F_S + F_A), deployed) or
            ``'student_only'`` (g(F_S), diagnostic).
        head_init (str): ``'new'`` or ``'teacher'`` (copy the teacher's
            head; needs ``teacher_layer`` to be the layer it reads).
        probe_size (int): Side of the image used at build time to read
            channels and check resolutions. Defaults to 32.
        data_preprocessor (dict, optional): As for the base class; a config
            without ``type`` gets ``mmpretrain.ClsDataPreprocessor``.
        teacher_cache (dict, optional): As for the base class (``F_T``
            served from a per-sample cache on disk).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 student: dict,
                 teacher: dict,
                 teacher_ckpt: Optional[str] = None,
                 assistant: Optional[dict] = None,
                 separation: Optional[dict] = None,
                 teacher_layer: str = 'backbone',
                 student_connector: Optional[dict] = _CONNECTOR,
                 assistant_connector: Optional[dict] = _CONNECTOR,
                 zero_init_assistant: bool = True,
                 schedule: str = 'progressive',
                 phase_epochs: Optional[dict] = None,
                 phase_optim: Optional[dict] = None,
                 mimic_loss: dict = dict(type='FeatureMSELoss'),
                 residual_loss: dict = dict(type='FeatureMSELoss'),
                 cls_loss_weight: float = 1.0,
                 head_distill_loss: Optional[dict] = None,
                 stop_grad_student_in_residual: bool = True,
                 residual_target: str = 'raw',
                 neck: Optional[dict] = None,
                 predict_mode: str = 'combined',
                 head_init: str = 'new',
                 probe_size: int = 32,
                 data_preprocessor: Optional[dict] = None,
                 teacher_cache: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        _check_choice('schedule', schedule, tuple(SCHEDULES))
        _check_choice('predict_mode', predict_mode,
                      ('combined', 'student_only'))
        _check_choice('head_init', head_init, ('new', 'teacher'))
        _check_choice('residual_target', residual_target, ('raw', 'unit'))
        if (assistant is None) == (separation is None):
            raise ValueError(
                'ResidualKDDistiller: give exactly one of assistant (a '
                'backbone config) or separation (split_model arguments).')
        epochs = check_phase_epochs(schedule, phase_epochs)
        if isinstance(data_preprocessor, dict) and \
                'type' not in data_preprocessor:
            data_preprocessor = dict(data_preprocessor,
                                     type='mmpretrain.ClsDataPreprocessor')
        student = model_config(student)
        # The base class builds self.student from `student`; the combined
        # classifier needs C_T, known only once the teacher exists, so it
        # replaces this first build below (S alone is small).
        teacher_recorders = dict(feat=dict(type='ModuleOutputsRecorder',
                                           source=teacher_layer))
        distill_losses = dict(mimic=mimic_loss, residual=residual_loss)
        if head_distill_loss is not None:
            teacher_recorders['logits'] = dict(type='ModuleOutputsRecorder',
                                               source='head.fc')
            distill_losses['head_kd'] = head_distill_loss
        super().__init__(
            student, teacher, teacher_ckpt=teacher_ckpt,
            teacher_recorders=teacher_recorders,
            distill_losses=distill_losses,
            data_preprocessor=data_preprocessor, teacher_cache=teacher_cache,
            init_cfg=init_cfg)
        self.teacher_layer = teacher_layer
        self.schedule = schedule
        self.cls_loss_weight = float(cls_loss_weight)
        self.stop_grad_student_in_residual = bool(
            stop_grad_student_in_residual)
        self.predict_mode = predict_mode
        self.head_init = head_init
        self.residual_target = residual_target
        # Whether A's output_scale holds the measured residual scale.
        self.register_buffer('residual_scale_set',
                             torch.zeros((), dtype=torch.bool))

        target = self._teacher_feature(torch.zeros(1, 3, probe_size,
                                                   probe_size)).shape[1:]
        self.separation_report = None
        if separation is not None:
            from gankd_residual_kd.separation import split_model
            report = split_model(
                student, **dict(separation, target_channels=int(target[0]),
                                input_size=probe_size))
            print_log('Residual KD model separation:\n' + report.table(),
                      logger='current')
            self.separation_report = report
            student = dict(student, backbone=report.student)
            assistant = report.assistant
        self.student_cfg = combined_classifier_config(
            student, assistant, target, target_name=teacher_layer,
            student_connector=student_connector,
            assistant_connector=assistant_connector,
            zero_init_assistant=zero_init_assistant, input_size=probe_size)
        if neck is not None:  # a gankd neck unless qualified otherwise
            self.student_cfg['neck'] = qualify_types(
                dict(neck, in_channels=int(target[0])))
        self.student = MODELS.build(
            scope_config_types(copy.deepcopy(self.student_cfg)))
        if head_init == 'teacher':
            self._check_teacher_head()
            self._copy_teacher_head()
        self.init_phases(residual_kd_phases(
            schedule, epochs,
            self.student.backbone.student_connector is not None),
            phase_optim)

    # -- construction ---------------------------------------------------

    def _check_teacher_head(self) -> None:
        def shapes(head):
            return {k: tuple(v.shape) for k, v in head.state_dict().items()}

        own, theirs = shapes(self.student.head), shapes(self.teacher.head)
        if own != theirs:
            raise ValueError(
                f"head_init='teacher': the teacher's head {theirs} does not "
                f'fit the student head {own}; the '
                f"teacher_layer '{self.teacher_layer}' must be the layer the "
                "teacher's head reads (e.g. 'backbone'), or use "
                "head_init='new'.")

    def _copy_teacher_head(self) -> None:
        self.student.head.load_state_dict(self.teacher.head.state_dict())

    def init_weights(self) -> None:
        # The Runner initialises after building; the teacher's head must be
        # copied after the student head's own initialiser ran.
        super().init_weights()
        if self.head_init == 'teacher':
            self._copy_teacher_head()

    # -- training ---------------------------------------------------------

    def _teacher_feature(self, inputs: Tensor, data_samples=None) -> Tensor:
        """``F_T`` ``[N, C_T, h, w]``: one teacher forward, cut after
        ``teacher_layer`` (or the cached rows, given ``data_samples``)."""
        return last_output(self.teacher_features(
            inputs, ['feat'], data_samples=data_samples)['feat'])

    def _classify(self, feat: Tensor) -> Tensor:
        """Head g on a fused feature ``[N, C_T, h, w]`` -> logits
        ``[N, K]``."""
        feats = (feat, )
        if self.student.with_neck:
            feats = self.student.neck(feats)
        return self.student.head(feats)

    def loss(self, inputs: Tensor, data_samples) -> Dict[str, Tensor]:
        """``inputs [N, 3, H, W]`` -> the current phase's losses plus the
        residual diagnostics (see the class docstring)."""
        active = set(self.active_losses())
        backbone = self.student.backbone
        head_kd = 'cls' in active and 'head_kd' in self.distill_losses
        wanted = (['feat'] if active & {'mimic', 'residual'} else []) + (
            ['logits'] if head_kd else [])
        teacher = self.teacher_features(
            inputs, wanted, data_samples=data_samples) if wanted else {}
        feat_t = last_output(teacher['feat']) if 'feat' in teacher else None
        with _grad_if(backbone.student_parameters()):
            feat_s = backbone.forward_student(inputs)
        if 'residual' in active and self.residual_target == 'unit' and \
                not bool(self.residual_scale_set):
            self._set_residual_scale(feat_t - feat_s.detach())
        feat_a = None
        if active & {'residual', 'cls'}:
            with _grad_if(backbone.assistant.parameters()):
                feat_a = backbone.forward_assistant(inputs)
        losses = {}
        if 'mimic' in active:
            losses['distill.loss_mimic'] = self.distill_losses['mimic'](
                feat_s, feat_t)
        if 'residual' in active:
            base = (feat_s.detach()
                    if self.stop_grad_student_in_residual else feat_s)
            scale = (backbone.assistant.output_scale
                     if self.residual_target == 'unit' else 1.0)
            losses['distill.loss_residual'] = self.distill_losses[
                'residual']((base + feat_a) / scale, feat_t / scale)
        if 'cls' in active:
            logits = self._classify(feat_s + feat_a)
            losses['student.loss_cls'] = self.cls_loss_weight * \
                self.task_loss(self.student, logits, data_samples)
            if head_kd:
                losses['distill.loss_kd'] = self.distill_losses['head_kd'](
                    logits, teacher['logits'])
        if feat_t is not None:
            losses.update(_diagnostics(feat_t, feat_s, feat_a))
        return losses

    @torch.no_grad()
    def _set_residual_scale(self, residual: Tensor) -> None:
        """A's ``output_scale`` = RMS of ``residual`` ``[N, C_T, h, w]``,
        averaged over processes so that every replica uses the same."""
        mean_square = residual.pow(2).mean()
        if torch.distributed.is_available() and \
                torch.distributed.is_initialized():
            torch.distributed.all_reduce(mean_square)
            mean_square /= torch.distributed.get_world_size()
        self.student.backbone.assistant.output_scale.fill_(
            float(mean_square.sqrt().clamp_min(1e-8)))
        self.residual_scale_set.fill_(True)
        print_log('Residual KD: assistant target scale (RMS of the residual)'
                  f' {float(mean_square.sqrt()):.4g}', logger='current')

    # -- inference --------------------------------------------------------

    def _mode(self) -> contextlib.AbstractContextManager:
        if self.predict_mode == 'student_only':
            return self.student.backbone.student_only()
        return contextlib.nullcontext()

    def predict(self, inputs: Tensor, data_samples=None) -> List:
        with self._mode():
            return super().predict(inputs, data_samples)

    def _forward(self, inputs: Tensor, data_samples=None) -> Tensor:
        with self._mode():
            return super()._forward(inputs, data_samples)

    def deployable_config(self) -> dict:
        """The literal, scope-qualified ``mmpretrain.ImageClassifier``
        config of :meth:`deployable` (S + A + connectors + head)."""
        return qualify_types(self.student_cfg)


@torch.no_grad()
def _diagnostics(feat_t: Tensor, feat_s: Tensor,
                 feat_a: Optional[Tensor]) -> Dict[str, Tensor]:
    residual = feat_t - feat_s
    before = residual.pow(2).mean()
    out = {'residual.mse_t_s': before}
    if feat_a is not None:
        after = (residual - feat_a).pow(2).mean()
        out['residual.mse_t_s_a'] = after
        out['residual.explained'] = 1 - after / before.clamp_min(1e-12)
    return out


def _check_choice(name: str, value, choices: Sequence) -> None:
    if value not in choices:
        raise ValueError(f'ResidualKDDistiller: {name}={value!r}; choose one '
                         f'of {", ".join(map(repr, choices))}.')

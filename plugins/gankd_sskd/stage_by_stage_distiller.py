"""Stage-by-stage feature mimicking, then the task head on ground truth."""
from typing import List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from gankd.models.distillers import SingleTeacherDistiller

__all__ = ['StageByStageDistiller']

MODES = ('sskd', 'two_phase', 'joint')


class StageByStageDistiller(SingleTeacherDistiller):
    """Gao, Shen et al., arXiv 1812.01819 (see ``configs/sskd/README.md``).

    The student backbone learns the teacher's feature maps one stage at a
    time: while stage ``k`` trains, on ``L_k = MSE(phi_k(F_S^k), F_T^k)``
    alone, stages ``< k`` are frozen (weights and BN statistics) and the
    layers after stage ``k`` are not even computed, in the student or the
    teacher. Then the backbone is frozen and only the head learns, from the
    labels. No loss weight balances the two: that is the point of the
    method, so ``mode='sskd'`` rejects one.

    ``mode`` also gives the two baselines of the paper's argument:

    * ``'two_phase'``: phase A mimics all stages at once (sum of ``L_k``,
      whole backbone trainable), then the head.
    * ``'joint'``: classic feature KD, ``CE + joint_lambda * sum L_k`` in
      one phase; its accuracy moves with ``joint_lambda``.

    Stage ``k`` trains the student backbone's children registered after
    stage ``k - 1``'s module up to its own (for ResNets: the stem with
    ``layer1``, then ``layer2``, ...), plus its connector. Give
    ``trainable`` in a stage for backbones whose registration order is not
    their execution order.

    Args:
        student (dict): Student classifier config (or ``cfg_path``).
        teacher (dict): Teacher classifier config (or ``cfg_path``).
        teacher_ckpt (str, optional): Teacher weights.
        stages (list[dict]): Per stage, ``student`` and ``teacher`` module
            paths (relative to each classifier, e.g. ``'backbone.layer1'``),
            optional ``connector`` config (None: shapes must match) and
            optional ``trainable`` (student paths).
        mode (str): ``'sskd'`` (default), ``'two_phase'`` or ``'joint'``.
        stage_epochs (int | list[int]): Epochs per stage (``'sskd'``) or of
            the whole backbone phase (``'two_phase'``: one int).
        head_epochs (int): Epochs of the head phase (not in ``'joint'``).
        finetune_epochs (int): Optional last phase training the whole
            student with the task loss (proposed, default 0: off).
        joint_epochs (int): Epochs of ``'joint'`` mode.
        joint_lambda (float, optional): Weight of the mimic losses in
            ``'joint'`` mode; an error in the other modes.
        mimic_loss (dict): Loss per stage. Defaults to ``FeatureMSELoss``
            (mean over elements).
        head_distill_loss (dict, optional): Adds KD's soft-target loss
            (e.g. ``KLDivergenceLoss``) on the teacher's logits wherever the
            task loss trains (the head phase); the teacher then runs whole
            in those steps. None (default): labels only, as the paper.
        head_ce_weight (float): Weight of the task loss where it trains.
            Defaults to 1.
        **kwargs: passed to :class:`SingleTeacherDistiller`, e.g.
            ``phase_optim``: per-phase optimiser settings, a scalar for
            every phase, a list in phase order (``stage1`` ... ``stageK``,
            ``head`` [, ``finetune``]) or a dict under a phase's name, e.g.
            ``phase_optim=dict(lr=0.05, eta_min=1e-4,
            head=dict(weight_decay=0))``.
    """

    def __init__(self,
                 student: dict,
                 teacher: dict,
                 stages: Sequence[dict],
                 teacher_ckpt: Optional[str] = None,
                 mode: str = 'sskd',
                 stage_epochs: Union[int, Sequence[int]] = 1,
                 head_epochs: int = 1,
                 finetune_epochs: int = 0,
                 joint_epochs: int = 1,
                 joint_lambda: Optional[float] = None,
                 mimic_loss: dict = dict(type='FeatureMSELoss'),
                 head_distill_loss: Optional[dict] = None,
                 head_ce_weight: float = 1.0,
                 stage_input: str = 'student',
                 **kwargs) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got '{mode}'.")
        if mode != 'joint' and joint_lambda is not None:
            raise ValueError(
                f"joint_lambda is only for mode='joint': mode '{mode}' has "
                'no loss weight to balance, by design. Remove joint_lambda.')
        if mode == 'joint' and joint_lambda is None:
            raise ValueError("mode='joint' needs joint_lambda (the weight of "
                             'the mimic losses against cross-entropy).')
        if stage_input != 'student':
            raise NotImplementedError(
                "stage_input='teacher' (feeding the teacher's stage k-1 "
                "output to student stage k) is not implemented; use "
                "'student'.")
        if not stages:
            raise ValueError('stages is empty: give at least one '
                             "dict(student='backbone.layer1', "
                             "teacher='backbone.layer1').")
        stages = [dict(s) for s in stages]
        names = [f'stage{k + 1}' for k in range(len(stages))]
        record = lambda side: {  # noqa: E731
            name: dict(type='ModuleOutputsRecorder', source=s[side])
            for name, s in zip(names, stages)}
        student_recorders = dict(record('student'),
                                 logits=dict(type='ModuleOutputsRecorder',
                                             source='head.fc'))
        connectors = {name: s['connector'] for name, s in zip(names, stages)
                      if s.get('connector')}
        teacher_recorders = record('teacher')
        distill_losses = {name: mimic_loss for name in names}
        if head_distill_loss is not None:
            teacher_recorders['logits'] = dict(type='ModuleOutputsRecorder',
                                               source='head.fc')
            distill_losses['head_kd'] = head_distill_loss
        self.head_ce_weight = float(head_ce_weight)
        self.mode = mode
        self.joint_lambda = joint_lambda
        self.stage_names = names
        self._stages = stages
        self._epochs = dict(stage=stage_epochs, head=head_epochs,
                            finetune=finetune_epochs, joint=joint_epochs)
        super().__init__(
            student, teacher, teacher_ckpt=teacher_ckpt,
            teacher_recorders=teacher_recorders,
            student_recorders=student_recorders, connectors=connectors,
            distill_losses=distill_losses, phases=[], **kwargs)

    def init_phases(self, phases, optim=None) -> None:
        # Called by the base once submodules exist: the phase list needs the
        # student's module order.
        super().init_phases(phases or self._build_phases(), optim)

    def _stage_modules(self) -> List[List[str]]:
        """Student module paths (relative to the distiller) each stage
        trains, derived from the backbone's child order unless given."""
        children = [name for name, _ in
                    self.student.backbone.named_children()]
        result, start = [], 0
        for name, stage in zip(self.stage_names, self._stages):
            if stage.get('trainable'):
                result.append(['student.' + p for p in stage['trainable']])
                continue
            path = stage['student']
            parent, _, child = path.rpartition('.')
            if parent != 'backbone' or child not in children:
                raise ValueError(
                    f"{name}: cannot derive what trains from '{path}' (not a"
                    ' direct child of the student backbone); give '
                    "trainable=['backbone....'] in this stage.")
            end = children.index(child) + 1
            if end <= start:
                raise ValueError(f'{name}: {path} comes before the previous '
                                 'stage in the backbone; list stages in '
                                 'forward order.')
            result.append(['student.backbone.' + c
                           for c in children[start:end]])
            start = end
        return [paths + ([f'connectors.{name}'] if name in self.connectors
                         else []) for name, paths in
                zip(self.stage_names, result)]

    def _build_phases(self) -> List[dict]:
        modules = self._stage_modules()
        head = [p for p in ('student.neck', 'student.head')
                if getattr(self.student, p.split('.')[1], None) is not None]
        epochs = self._epochs
        if self.mode == 'joint':
            return [dict(name='joint', epochs=epochs['joint'],
                         trainable=['student', 'connectors'],
                         losses=self.stage_names + ['ce'])]
        if self.mode == 'sskd':
            per_stage = epochs['stage']
            if isinstance(per_stage, int):
                per_stage = [per_stage] * len(modules)
            if len(per_stage) != len(modules):
                raise ValueError(f'stage_epochs has {len(per_stage)} values '
                                 f'for {len(modules)} stages.')
            phases = [dict(name=name, epochs=e, trainable=paths,
                           losses=[name]) for name, e, paths in
                      zip(self.stage_names, per_stage, modules)]
        else:
            phases = [dict(name='backbone', epochs=int(epochs['stage']),
                           trainable=sum(modules, []),
                           losses=self.stage_names)]
        phases.append(dict(name='head', epochs=epochs['head'],
                           trainable=head, losses=['ce']))
        if epochs['finetune']:
            phases.append(dict(name='finetune', epochs=epochs['finetune'],
                               trainable=['student'], losses=['ce']))
        return phases

    def loss(self, inputs: Tensor, data_samples) -> dict:
        """``inputs [N, C, H, W]`` -> the current phase's losses:
        ``distill.stage<k>.loss_mimic`` (with ``distill.stage<k>.cos``,
        the mean cosine similarity of the two maps, logged only) and/or
        ``student.loss_ce``."""
        active = self.phase.losses
        stages = [name for name in active if name in self.stage_names]
        use_ce = 'ce' in active
        # Without the task loss, the student and teacher forwards stop at
        # the deepest stage this phase mimics.
        student = self.student_features(
            inputs, stages + (['logits'] if use_ce else []),
            stop_early=True)
        head_kd = use_ce and 'head_kd' in self.distill_losses
        wanted = stages + (['logits'] if head_kd else [])
        teacher = self.teacher_features(
            inputs, wanted, data_samples=data_samples) if wanted else {}
        losses = {}
        weight = self.joint_lambda if self.mode == 'joint' else 1.0
        for name in stages:
            feat_s, feat_t = student[name], teacher[name]
            if name in self.connectors:
                feat_s = self.connectors[name](feat_s, size=feat_t.shape[-2:])
            if feat_s.shape != feat_t.shape:
                raise ValueError(
                    f'{name}: student {self._stages[int(name[5:]) - 1]["student"]}'
                    f' gives {list(feat_s.shape)} but teacher gives '
                    f'{list(feat_t.shape)}; add connector=dict('
                    f"type='ConvBNConnector', in_channels={feat_s.shape[1]}, "
                    f'out_channels={feat_t.shape[1]}) to this stage.')
            losses[f'distill.{name}.loss_mimic'] = (
                weight * self.distill_losses[name](feat_s, feat_t))
            with torch.no_grad():
                losses[f'distill.{name}.cos'] = F.cosine_similarity(
                    feat_s.flatten(1), feat_t.flatten(1), dim=1).mean()
        if use_ce:
            losses['student.loss_ce'] = self.head_ce_weight * self.task_loss(
                self.student, student['logits'], data_samples)
        if head_kd:
            losses['distill.loss_kd'] = self.distill_losses['head_kd'](
                student['logits'], teacher['logits'])
        return losses

"""The algorithm every classification distiller builds on: a frozen teacher,
a trainable student, recorders on both, connectors, losses and phases."""
import copy
import os
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import ConfigDict
from torch import Tensor, nn

from gankd.kinds import BaseDistiller
from gankd.models.distillers.cache_key import TeacherCacheError
from gankd.models.distillers.teacher_cache_binding import (
    check_cache_config, open_teacher_cache)
from gankd.models.distillers.training_phases import TrainingPhasesMixin
from gankd.models.predictors.frozen_classifier import load_state_dict_strict
from gankd.models.recorders import RecorderManager
from gankd.registry import MODELS, scope_config_types
from gankd.utils.checkpoint import CheckpointError, load_training_checkpoint

__all__ = ['SingleTeacherDistiller', 'load_teacher_weights', 'model_config']


def _plain(cfg):
    """A config as plain dicts/lists (ConfigDict copies keep their class)."""
    if isinstance(cfg, (dict, ConfigDict)):
        return {k: _plain(v) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_plain(v) for v in cfg)
    return cfg


def _merge(base: dict, override: dict) -> dict:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) \
                and not value.pop('_delete_', False):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def model_config(cfg) -> dict:
    """A model config as a plain dict; ``dict(cfg_path='gankd::_base_/
    models/x.py', **overrides)`` takes ``model`` from that config file (as
    mmrazor does) and merges the overrides into it."""
    cfg = _plain(cfg)
    if 'cfg_path' not in cfg:
        return cfg
    from gankd.config import load_config
    path = cfg.pop('cfg_path')
    loaded = load_config(path)
    if 'model' not in loaded:
        raise ValueError(f'{path} defines no model.')
    return _merge(_plain(loaded.model), cfg)


def load_teacher_weights(teacher: nn.Module, path: str) -> None:
    """Load a classifier checkpoint (``state_dict`` or ``{'state_dict':
    ...}``, as mmengine and mmpretrain write them) into ``teacher``; keys
    must match exactly.

    The file is read with ``weights_only=True`` and nothing more allowed;
    a teacher trained by ``tools/train.py`` loads as is (gankd's runner
    writes its state as plain data).

    Raises:
        CheckpointError: one line naming the file and the mismatching keys.
    """
    if not os.path.isfile(path):
        raise CheckpointError(
            f'teacher checkpoint {path} not found: train the teacher first '
            '(see the method README) or pass --cfg-options '
            'model.teacher_ckpt=PATH.')
    load_state_dict_strict(
        teacher, path, load_training_checkpoint(path),
        what='the teacher config',
        hint='check model.teacher matches the network that was trained.')


@MODELS.register_module()
class SingleTeacherDistiller(TrainingPhasesMixin, BaseDistiller):
    """Holds a frozen teacher and a student; methods subclass it and
    implement :meth:`loss`.

    The teacher is built from its config, loaded from ``teacher_ckpt``
    through gankd's weights-only loader, frozen (no grad, eval mode even
    under ``train()``, never re-initialised by ``init_weights``) and run
    under ``torch.inference_mode``. The student is any mmpretrain-style
    classifier (``extract_feat``, ``head``, ``predict``); by default it is
    also the deployable network that export writes.

    Args:
        student (dict): Student classifier config, e.g.
            ``mmpretrain.ImageClassifier``, or ``dict(cfg_path=...)`` (see
            :func:`model_config`).
        teacher (dict): Teacher classifier config, likewise.
        teacher_ckpt (str, optional): Teacher weights. None leaves the
            teacher random (tests only; a warning says so).
        teacher_recorders (dict, optional): name -> recorder config on the
            teacher (paths relative to the teacher), checked when built.
        student_recorders (dict, optional): likewise on the student.
        connectors (dict, optional): name -> connector config (e.g.
            ``ConvBNConnector``), trained with the student.
        distill_losses (dict, optional): name -> loss config.
        phases (list[dict], optional): training phases (see
            :class:`~gankd.models.distillers.training_phases.Phase`);
            default one phase training student and connectors.
        phase_optim (dict, optional): per-phase optimiser settings merged
            into the phases: ``lr``, ``lr_shape``, ``eta_min``,
            ``warmup_epochs``, ``warmup_factor``, ``weight_decay``,
            ``momentum``, each a scalar for every phase or a list with one
            value per phase, and phase names with a dict of their own
            settings, e.g. ``dict(lr=0.05, eta_min=1e-4,
            head=dict(weight_decay=0))``. ``PhaseScheduleHook`` applies
            them (see :mod:`~gankd.models.distillers.phase_optim`).
        data_preprocessor (dict, optional): Defaults to the student's; the
            type defaults to ``mmpretrain.ClsDataPreprocessor``.
        teacher_cache (dict, optional): Serve the teacher's recorded
            outputs from a per-sample cache on disk, e.g.
            ``dict(dir='work_dirs/teacher_cache', dtype='float16')`` (fields:
            ``dir``, ``dtype`` ``'float32'``/``'float16'``, ``on_mismatch``
            ``'rebuild'``/``'error'``, ``deterministic_transforms``). Filled
            in the first epoch (or by ``gankd build-teacher-cache``), bound
            to the train dataset by :class:`~gankd.engine.hooks.
            TeacherCacheHook` (``gankd train`` adds it). Off by default.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 student: dict,
                 teacher: dict,
                 teacher_ckpt: Optional[str] = None,
                 teacher_recorders: Optional[dict] = None,
                 student_recorders: Optional[dict] = None,
                 connectors: Optional[dict] = None,
                 distill_losses: Optional[dict] = None,
                 phases: Optional[Sequence[dict]] = None,
                 phase_optim: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 teacher_cache: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        student = model_config(student)
        teacher = model_config(teacher)
        if data_preprocessor is None:
            data_preprocessor = student.get(
                'data_preprocessor',
                dict(type='mmpretrain.ClsDataPreprocessor'))
        data_preprocessor = dict(_plain(data_preprocessor))
        # As mmpretrain's ImageClassifier does for the Runner's top-level
        # data_preprocessor, which carries no type.
        data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        teacher_cache = check_cache_config(teacher_cache)
        super().__init__(data_preprocessor=scope_config_types(
            copy.deepcopy(data_preprocessor)), init_cfg=init_cfg)
        # Both enter the teacher cache's key (what the teacher computes).
        self.teacher_cfg = copy.deepcopy(teacher)
        self.data_preprocessor_cfg = data_preprocessor
        self.teacher_cache_cfg = teacher_cache
        self.cached_teacher = None
        self.student_cfg = student
        self.student = MODELS.build(scope_config_types(copy.deepcopy(student)))
        self.teacher = MODELS.build(scope_config_types(copy.deepcopy(teacher)))
        if teacher_ckpt is None:
            warnings.warn('teacher_ckpt is None: the teacher is randomly '
                          'initialised (fine for tests, useless otherwise).')
        else:
            load_teacher_weights(self.teacher, teacher_ckpt)
        self.teacher_ckpt = teacher_ckpt
        self.freeze('teacher')

        self.teacher_recorders = RecorderManager(teacher_recorders or {})
        self.teacher_recorders.prepare(self.teacher)
        self.student_recorders = RecorderManager(student_recorders or {})
        self.student_recorders.prepare(self.student)
        self.connectors = nn.ModuleDict({
            name: MODELS.build(scope_config_types(_plain(cfg)))
            for name, cfg in (connectors or {}).items()
        })
        self.distill_losses = nn.ModuleDict({
            name: MODELS.build(scope_config_types(_plain(cfg)))
            for name, cfg in (distill_losses or {}).items()
        })
        if phases is None:
            phases = [dict(name='train', epochs=1,
                           trainable=['student', 'connectors'])]
        self.init_phases(phases, _plain(phase_optim))

    # -- running the two networks -------------------------------------------

    def teacher_features(self, inputs: Tensor,
                         names: Optional[Sequence[str]] = None,
                         stop_early: bool = True,
                         data_samples=None) -> Dict[str, Tensor]:
        """What the teacher's recorders ``names`` (default all) capture on
        ``inputs``, as ordinary tensors without graph.

        With a bound teacher cache, in training mode and given the batch's
        ``data_samples`` (they carry ``sample_idx``), rows already cached
        are read from disk and the teacher runs on the other samples only;
        otherwise see :meth:`compute_teacher_features`. Call it once per
        step and reuse the result.
        """
        names = list(self.teacher_recorders.recorders) if names is None \
            else list(names)
        if self.teacher_cache_cfg is None or data_samples is None \
                or not self.training:
            return self.compute_teacher_features(inputs, names, stop_early)
        if self.cached_teacher is None:
            raise TeacherCacheError(
                'model.teacher_cache is set but the cache was never bound to '
                "the train dataset: add dict(type='TeacherCacheHook') to "
                'custom_hooks (gankd train adds it).')
        return self.cached_teacher.features(
            inputs, names, data_samples,
            lambda x, n: self.compute_teacher_features(x, n, stop_early))

    def compute_teacher_features(self, inputs: Tensor,
                                 names: Optional[Sequence[str]] = None,
                                 stop_early: bool = True
                                 ) -> Dict[str, Tensor]:
        """Run the teacher once and return what its recorders ``names``
        (default all) captured, as ordinary tensors without graph.

        The forward runs in inference mode and stops after the deepest
        recorder needed, so a method asking for stage 1 never pays for the
        rest of the teacher.
        """
        with torch.inference_mode():
            records = self.teacher_recorders.record(
                lambda: self.teacher(inputs, mode='tensor'), names,
                stop_early=stop_early)
        # Inference tensors cannot be saved for backward by a loss; a clone
        # made outside inference mode can (and costs a copy of what is used).
        return {name: _clone(value) for name, value in records.items()}

    def bind_teacher_cache(self, dataset_cfg: dict, num_samples: int,
                           probe: Tensor, create: bool = True,
                           on_mismatch: Optional[str] = None) -> None:
        """Open the teacher cache of ``model.teacher_cache`` for the train
        dataset (see :func:`~gankd.models.distillers.teacher_cache_binding.
        open_teacher_cache` for the arguments); afterwards training steps
        are served from it."""
        if self.teacher_cache_cfg is None:
            raise TeacherCacheError('model.teacher_cache is not set: give '
                                    "teacher_cache=dict(dir=...) to cache "
                                    "the teacher's outputs.")
        self.close_teacher_cache()
        self.cached_teacher = open_teacher_cache(
            self, self.teacher_cache_cfg, dataset_cfg, num_samples, probe,
            create=create, on_mismatch=on_mismatch)

    def close_teacher_cache(self) -> None:
        """Publish what was written and release the cache folder."""
        if self.cached_teacher is not None:
            self.cached_teacher.close()
            self.cached_teacher = None

    def student_features(self, inputs: Tensor,
                         names: Optional[Sequence[str]] = None,
                         stop_early: bool = True) -> Dict[str, Tensor]:
        """Run the student, with autograd, and return what its recorders
        ``names`` (default all) captured; layers past the deepest one are
        skipped when ``stop_early``."""
        return self.student_recorders.record(
            lambda: self.student(inputs, mode='tensor'), names,
            stop_early=stop_early)

    @staticmethod
    def task_loss(classifier: nn.Module, logits: Tensor,
                  data_samples) -> Tensor:
        """The classifier head's own loss (e.g. mmpretrain's cross-entropy
        with its ``loss_weight``) on logits ``[N, K]`` already computed, so
        the head is not run twice."""
        return classifier.head._get_loss(logits, data_samples)['loss']

    # -- the mmengine model contract ----------------------------------------

    def deployable(self) -> nn.Module:
        """The network that is evaluated and exported: the student."""
        return self.student

    def deployable_config(self) -> dict:
        """Config of :meth:`deployable` (a plain classifier config)."""
        return copy.deepcopy(self.student_cfg)

    def export(self) -> Tuple[nn.Module, dict]:
        """What export writes: :meth:`deployable` and its config, with
        training-only conveniences folded away (a
        :class:`~gankd.models.necks.PooledBatchNormNeck` becomes part of the
        head's linear layer), so mmpretrain builds and loads it as is."""
        from gankd.models.necks import fold_batch_norm_neck
        return fold_batch_norm_neck(self.deployable(),
                                    self.deployable_config())

    def predict(self, inputs: Tensor, data_samples=None) -> List:
        return self.deployable().predict(inputs, data_samples)

    def _forward(self, inputs: Tensor, data_samples=None) -> Tensor:
        return self.deployable()(inputs, mode='tensor')

    def active_losses(self) -> Sequence[str]:
        """Loss names of the current phase (all when a phase lists none)."""
        return self.phase.losses or tuple(self.distill_losses)


def _clone(value):
    if isinstance(value, Tensor):
        return value.clone()
    if isinstance(value, (tuple, list)):
        return type(value)(_clone(v) for v in value)
    return value

"""gankd's Runner: mmengine's, with safe loading, atomic checkpoints and
CPU distributed training.

* Checkpoints hold tensors and plain data only: the runner state (mmengine's
  logging history) is written as plain data and rebuilt by gankd after the
  load (:mod:`gankd.engine.runner_state`).
* ``load_checkpoint`` (used by resume and ``load_from``) reads through
  :func:`gankd.utils.checkpoint.load_training_checkpoint`: weights-only with
  nothing allowed beyond plain data, one clear line on a bad file, local
  paths only (nothing is downloaded). A ``meta['config']`` entry, which
  mmengine's resume would execute as a Python config, is dropped.
* Loading is strict (:mod:`gankd.engine.checkpoint_fit`): a ``load_from``
  or test checkpoint must fit the whole model, keys and shapes, unless the
  config sets ``allow_partial_load=True``; a ``--resume`` checkpoint must
  also fit the optimizer's parameter groups. Checked before anything is
  loaded, refused with one line naming the file.
* Checkpoint hooks without ``backend_args`` write through
  :class:`~gankd.engine.atomic_backend.AtomicLocalBackend`.
* With a launcher but no CUDA, the process group is gloo and DDP gets
  ``device_ids=None`` (mmengine would call ``torch.cuda.set_device`` and pass
  ``device_ids=[rank]``, which both fail on CPU). The environment log says
  what is used (:mod:`gankd.engine.runtime_log`).
* A model trained in phases is wrapped with every phase's parameters
  registered and ``find_unused_parameters=True``
  (:mod:`gankd.engine.phased_ddp`), so each phase is synchronised.
"""
import contextlib
import copy
import datetime
from typing import Callable, Optional, Union

import torch
import torch.distributed as torch_dist
from mmengine.hooks import CheckpointHook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model

from gankd.engine.atomic_backend import ATOMIC_BACKEND
from gankd.engine.checkpoint_fit import (PARTIAL_FIELD, load_refusal,
                                         model_fit, nothing_fits_refusal,
                                         optimizer_mismatch, resume_refusal)
from gankd.engine.phased_ddp import is_phased, phased_wrapper_cfg
from gankd.engine.runner_state import (from_plain, non_plain_fields,
                                       to_plain)
from gankd.engine.runtime_log import (environment_report,
                                      quiet_file_client_deprecation,
                                      runtime_environment)
from gankd.errors import ConfigError
from gankd.registry import RUNNERS
from gankd.utils.checkpoint import CheckpointError, load_training_checkpoint

__all__ = ['GankdRunner']


@RUNNERS.register_module()
class GankdRunner(Runner):
    """An :class:`mmengine.runner.Runner` with gankd's safety defaults.

    Built like mmengine's (``GankdRunner.from_cfg(cfg)``); it differs only
    as the module docstring lists.
    """

    def __init__(self, *args, **kwargs):
        self._resuming = False
        super().__init__(*args, **kwargs)
        for hook in self._hooks:
            if isinstance(hook, CheckpointHook) and hook.backend_args is None \
                    and hook.file_client_args is None:
                hook.backend_args = {'backend': ATOMIC_BACKEND}

    def _log_env(self, env_cfg: dict) -> None:
        # mmengine's version logs dist_cfg as configured and the world size
        # as the GPU number, both wrong on CPU (gloo, no GPU).
        self.logger.info(environment_report(runtime_environment(
            env_cfg, self._randomness_cfg, self._seed, self._launcher,
            self._distributed, self._world_size)))
        if self.cfg._cfg_dict:
            self.logger.info(f'Config:\n{self.cfg.pretty_text}')

    def setup_env(self, env_cfg: dict) -> None:
        if self.distributed and not torch.cuda.is_available() \
                and not torch_dist.is_initialized():
            # torchrun's env:// variables; mmengine's init_dist would call
            # torch.cuda.set_device first.
            timeout = env_cfg.get('dist_cfg', {}).get('timeout')
            kwargs = {} if timeout is None else dict(
                timeout=datetime.timedelta(seconds=timeout))
            torch_dist.init_process_group(backend='gloo', **kwargs)
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg: Optional[dict], model):
        if self.distributed and not torch.cuda.is_available():
            model_wrapper_cfg = copy.deepcopy(model_wrapper_cfg) or dict(
                type='MMDistributedDataParallel')
            model_wrapper_cfg.setdefault('device_ids', None)
            model_wrapper_cfg.setdefault('broadcast_buffers', False)
        if self.distributed and is_phased(model) and \
                not is_model_wrapper(model):
            with model.all_phases_trainable():
                return super().wrap_model(
                    phased_wrapper_cfg(model_wrapper_cfg), model)
        return super().wrap_model(model_wrapper_cfg, model)

    def save_checkpoint(self, out_dir: str, filename: str,
                        file_client_args: Optional[dict] = None, *args,
                        **kwargs):
        # mmengine's save_checkpoint builds a FileClient it does not use
        # unless file_client_args are given; its deprecation warnings are
        # noise.
        with (quiet_file_client_deprecation() if file_client_args is None
              else contextlib.nullcontext()):
            return super().save_checkpoint(out_dir, filename,
                                           file_client_args, *args, **kwargs)

    def call_hook(self, fn_name: str, **kwargs) -> None:
        """mmengine's (``before_train`` without the unused FileClient's
        warnings), then (for ``before_save_checkpoint``) the checkpoint made
        plain data, after every hook has added its part."""
        if fn_name == 'before_train' and not any(
                getattr(hook, 'file_client_args', None) is not None
                for hook in self._hooks):
            # CheckpointHook builds a FileClient it does not use (it writes
            # through its backend); its deprecation warnings are noise.
            with quiet_file_client_deprecation():
                super().call_hook(fn_name, **kwargs)
        else:
            super().call_hook(fn_name, **kwargs)
        if fn_name == 'before_save_checkpoint':
            checkpoint = kwargs['checkpoint']
            checkpoint.update(to_plain(checkpoint))
            for line in non_plain_fields(checkpoint):
                self.logger.warning(
                    f'{line}: not plain data; this checkpoint will not load '
                    "with gankd's weights-only loader")

    def resume(self, filename: str, *args, **kwargs) -> None:
        """mmengine's resume; :meth:`load_checkpoint` then also requires the
        optimizer state to fit, and never loads part of a model."""
        self._resuming = True
        try:
            super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, Callable] = 'cpu',
                        strict: Optional[bool] = None,
                        revise_keys=((r'^module.', ''), )):
        """Load a training checkpoint into the model (resume, ``load_from``).

        Args:
            strict: whether every key and shape of the model must be in the
                file, and nothing else. None (what mmengine's calls pass):
                unless the config sets ``allow_partial_load=True``. Resume
                is always strict and checks the optimizer state too.

        Raises:
            CheckpointError: the file is missing, truncated, corrupt, remote,
                holds types outside the runner-state allowlist, or does not
                fit the model (or, for resume, the optimizer).
        """
        if '://' in str(filename):
            raise CheckpointError(
                f'{filename}: gankd loads checkpoints from local paths only '
                '(nothing is downloaded); fetch the file and pass its path')
        checkpoint = load_training_checkpoint(filename, map_location)
        # mmengine's resume runs meta['config'] as a Python config; gankd
        # never writes one, and a checkpoint is data, not a program.
        if isinstance(checkpoint.get('meta'), dict) and \
                checkpoint['meta'].pop('config', None) is not None:
            self.logger.warning(f"{filename}: ignored meta['config'] (code "
                                'is never run from a checkpoint)')
        try:
            checkpoint = from_plain(checkpoint)
        except ValueError as error:
            raise CheckpointError(f'{filename}: {error}') from None
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        self._check_fit(filename, model, checkpoint, strict, revise_keys)
        # Fit checked on every rank alike; mmengine's strict mode would raise
        # on rank 0 only.
        checkpoint = _load_checkpoint_to_model(
            model, checkpoint, False, revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def _check_fit(self, filename: str, model, checkpoint: dict,
                   strict: Optional[bool], revise_keys) -> None:
        mismatch = model_fit(model, checkpoint, revise_keys)
        if self._resuming:
            if mismatch:
                raise CheckpointError(resume_refusal(
                    filename, 'its model weights do not fit the model of '
                    f'this config ({mismatch})'))
            if 'optimizer' in checkpoint and \
                    isinstance(self.optim_wrapper, OptimWrapper):
                problem = optimizer_mismatch(self.optim_wrapper.state_dict(),
                                             checkpoint['optimizer'])
                if problem:
                    raise CheckpointError(resume_refusal(
                        filename, 'its optimizer state does not fit the '
                        f'optimizer of this config ({problem})'))
            return
        if strict is None:
            strict = not self._allow_partial_load()
        if mismatch and strict:
            raise CheckpointError(load_refusal(filename, mismatch))
        if mismatch and mismatch.fitting == 0:
            raise CheckpointError(nothing_fits_refusal(filename, mismatch))
        if mismatch:
            self.logger.warning(
                f'{filename}: partial load ({PARTIAL_FIELD}=True): '
                f'{mismatch.fitting} of the model\'s {mismatch.total} '
                f'tensors loaded from the file; {mismatch}')

    def _allow_partial_load(self) -> bool:
        value = self.cfg.get(PARTIAL_FIELD, False)
        if not isinstance(value, bool):
            raise ConfigError(f'{PARTIAL_FIELD}: must be True or False, got '
                              f'{value!r}')
        return value

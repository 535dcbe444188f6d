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
* Checkpoint hooks without ``backend_args`` write through
  :class:`~gankd.engine.atomic_backend.AtomicLocalBackend`.
* With a launcher but no CUDA, the process group is gloo and DDP gets
  ``device_ids=None`` (mmengine would call ``torch.cuda.set_device`` and pass
  ``device_ids=[rank]``, which both fail on CPU).
"""
import copy
import datetime
from typing import Callable, Optional, Union

import torch
import torch.distributed as torch_dist
from mmengine.hooks import CheckpointHook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model

from gankd.engine.atomic_backend import ATOMIC_BACKEND
from gankd.engine.runner_state import (from_plain, non_plain_fields,
                                       to_plain)
from gankd.registry import RUNNERS
from gankd.utils.checkpoint import CheckpointError, load_training_checkpoint

__all__ = ['GankdRunner']


@RUNNERS.register_module()
class GankdRunner(Runner):
    """An :class:`mmengine.runner.Runner` with gankd's safety defaults.

    Built like mmengine's (``GankdRunner.from_cfg(cfg)``); nothing else in
    its behaviour differs.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for hook in self._hooks:
            if isinstance(hook, CheckpointHook) and hook.backend_args is None \
                    and hook.file_client_args is None:
                hook.backend_args = {'backend': ATOMIC_BACKEND}

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
        return super().wrap_model(model_wrapper_cfg, model)

    def call_hook(self, fn_name: str, **kwargs) -> None:
        """mmengine's, then (for ``before_save_checkpoint``) the checkpoint
        made plain data, after every hook has added its part."""
        super().call_hook(fn_name, **kwargs)
        if fn_name == 'before_save_checkpoint':
            checkpoint = kwargs['checkpoint']
            checkpoint.update(to_plain(checkpoint))
            for line in non_plain_fields(checkpoint):
                self.logger.warning(
                    f'{line}: not plain data; this checkpoint will not load '
                    "with gankd's weights-only loader")

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, Callable] = 'cpu',
                        strict: bool = False,
                        revise_keys=((r'^module.', ''), )):
        """Load a training checkpoint into the model (resume, ``load_from``).

        Raises:
            CheckpointError: the file is missing, truncated, corrupt, remote,
                or holds types outside the runner-state allowlist.
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
        checkpoint = _load_checkpoint_to_model(
            model, checkpoint, strict, revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

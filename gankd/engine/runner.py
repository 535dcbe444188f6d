"""gankd's Runner: mmengine's, with safe loading, atomic checkpoints and
CPU distributed training.

* ``load_checkpoint`` (used by resume and ``load_from``) reads through
  :func:`gankd.utils.checkpoint.load_training_checkpoint`: weights-only with
  the runner-state allowlist for that one load, one clear line on a bad file,
  local paths only (nothing is downloaded).
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
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        checkpoint = _load_checkpoint_to_model(
            model, checkpoint, strict, revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

"""What gankd's runner logs about its environment, and what it keeps out of
the log.

* mmengine's environment log prints ``dist_cfg`` as configured and the
  world size as "GPU number": two CPU processes read "GPU number: 2",
  backend nccl, while they run gloo on no GPU. :func:`runtime_environment`
  reports the backend of the process group, the device, the number of
  processes and the GPUs in use.
* mmengine's ``CheckpointHook.before_train`` and ``save_checkpoint`` build
  a ``FileClient`` they never use when no ``file_client_args`` are given
  (gankd's checkpoints go through a file backend), and that prints two
  deprecation warnings on every run. :func:`quiet_file_client_deprecation`
  drops exactly those two; the runner uses it around these two calls.
"""
import logging
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

import torch.distributed as torch_dist
from mmengine.device import get_device
from mmengine.logging import MMLogger
from mmengine.utils.dl_utils import collect_env

__all__ = ['runtime_environment', 'environment_report',
           'quiet_file_client_deprecation', 'FILE_CLIENT_DEPRECATIONS']

#: The start of the two messages mmengine prints when a FileClient is made.
FILE_CLIENT_DEPRECATIONS = (
    '"FileClient" will be deprecated in future',
    '"HardDiskBackend" is the alias of "LocalBackend"')


def runtime_environment(env_cfg: dict, randomness: dict, seed: int,
                        launcher: str, distributed: bool,
                        world_size: int) -> 'OrderedDict[str, object]':
    """mmengine's "Runtime environment" entries, true to what is used.

    ``dist_cfg.backend`` is the process group's backend once one exists
    (gloo on CPU whatever the config asks); ``Device`` is where tensors go;
    ``Processes`` the world size; ``GPU number`` the GPUs in use (one per
    process on CUDA, none otherwise).
    """
    env = OrderedDict(env_cfg)
    if torch_dist.is_available() and torch_dist.is_initialized():
        env['dist_cfg'] = dict(env_cfg.get('dist_cfg') or {},
                               backend=torch_dist.get_backend())
    env.update(randomness)
    env['seed'] = seed
    env['Distributed launcher'] = launcher
    env['Distributed training'] = distributed
    device = get_device()
    env['Device'] = device
    env['Processes'] = world_size
    env['GPU number'] = world_size if device == 'cuda' else 0
    return env


def environment_report(runtime_env: 'OrderedDict[str, object]') -> str:
    """The system and runtime environment as mmengine lays them out."""
    def block(items) -> str:
        return '\n    ' + '\n    '.join(f'{k}: {v}' for k, v in items)
    dash_line = '-' * 60
    return (f'\n{dash_line}\nSystem environment:'
            f'{block(collect_env().items())}\n\nRuntime environment:'
            f'{block(runtime_env.items())}\n{dash_line}\n')


class _DropMessages(logging.Filter):

    def __init__(self, prefixes):
        super().__init__()
        self.prefixes = tuple(prefixes)

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.getMessage()).startswith(self.prefixes)


@contextmanager
def quiet_file_client_deprecation() -> Iterator[None]:
    """Within the block, mmengine's current logger (where ``print_log``
    writes) drops the two FileClient deprecation warnings; every other
    message passes."""
    logger = MMLogger.get_current_instance()
    drop = _DropMessages(FILE_CLIENT_DEPRECATIONS)
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)

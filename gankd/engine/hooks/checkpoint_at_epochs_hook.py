"""Save the model at a fixed list of epochs (the checkpoint list C of
analyses that follow a network through training, e.g. knowledge points)."""
import os
from typing import Optional, Sequence

from mmengine.hooks import Hook

from gankd.engine.atomic_backend import ATOMIC_BACKEND
from gankd.errors import ConfigError
from gankd.registry import HOOKS

__all__ = ['CheckpointAtEpochsHook']


@HOOKS.register_module()
class CheckpointAtEpochsHook(Hook):
    """Writes ``filename_tmpl.format(e)`` into ``out_dir`` (default: the
    work dir) for every epoch e of ``epochs``: the weights after e epochs,
    0 being the initial weights (saved before the first step).

    The files are the runner's checkpoints (weights, meta with
    ``snapshot_epoch``; no optimizer or scheduler state unless asked),
    written atomically. Their names differ from ``CheckpointHook``'s
    ``epoch_{}.pth`` so its ``max_keep_ckpts`` never deletes them. The
    hook keeps no state: after ``--resume`` it saves the epochs still to
    come (epoch 0 is not saved again).

    Args:
        epochs: the epochs to keep, each in ``0..train_cfg.max_epochs``.
        out_dir: folder of the files; default ``runner.work_dir``.
        filename_tmpl: file name with one ``{}`` for the epoch.
        save_optimizer: also save optimizer and scheduler states.
    """

    priority = 'LOW'  # after the parameter updates and EMA-like hooks

    def __init__(self, epochs: Sequence[int], out_dir: Optional[str] = None,
                 filename_tmpl: str = 'snapshot_epoch_{}.pth',
                 save_optimizer: bool = False) -> None:
        epochs = sorted({int(e) for e in epochs})
        if not epochs or epochs[0] < 0:
            raise ConfigError(f'CheckpointAtEpochsHook.epochs must be a '
                              f'non-empty list of epochs >= 0, got {epochs}')
        if filename_tmpl.count('{}') != 1:
            raise ConfigError('CheckpointAtEpochsHook.filename_tmpl needs '
                              f"exactly one '{{}}', got {filename_tmpl!r}")
        self.epochs = epochs
        self.out_dir = out_dir
        self.filename_tmpl = filename_tmpl
        self.save_optimizer = save_optimizer

    def before_train(self, runner) -> None:
        too_late = [e for e in self.epochs if e > runner.max_epochs]
        if too_late:
            raise ConfigError(
                f'CheckpointAtEpochsHook.epochs {too_late} come after '
                f'train_cfg.max_epochs ({runner.max_epochs}); drop them or '
                'train longer.')
        if runner.iter == 0 and 0 in self.epochs:
            self._save(runner, 0, by_epoch=False)

    def after_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1  # runner.epoch counts up after this hook
        if epoch in self.epochs:
            self._save(runner, epoch, by_epoch=True)

    def _save(self, runner, epoch: int, by_epoch: bool) -> None:
        out_dir = self.out_dir or runner.work_dir
        os.makedirs(out_dir, exist_ok=True)
        runner.save_checkpoint(
            out_dir, self.filename_tmpl.format(epoch),
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_optimizer,
            meta=dict(snapshot_epoch=epoch), by_epoch=by_epoch,
            backend_args=dict(backend=ATOMIC_BACKEND))

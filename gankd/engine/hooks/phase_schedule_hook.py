"""Switch a phased model's training phase at epoch boundaries, and apply
each phase's optimiser settings."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict

from gankd.engine.phase_param_groups import PhaseParamGroups, managed_settings
from gankd.errors import ConfigError
from gankd.registry import HOOKS

__all__ = ['PhaseScheduleHook']

# mmengine's momentum schedulers act on Adam's betas under that name.
_SCHEDULED_AS = {'betas': 'momentum'}


@HOOKS.register_module()
class PhaseScheduleHook(Hook):
    """Calls ``model.set_phase`` with the phase of the coming epoch and, when
    the phases carry optimiser settings, sets the optimizer's LR, weight
    decay and momentum before every iteration.

    The model must have ``phases`` (see
    :class:`gankd.models.distillers.TrainingPhasesMixin`). The phase is
    computed from the epoch and a phase's LR from the iteration within it,
    so after ``--resume`` the run continues in the phase it was interrupted
    in, with the same frozen parts and the same LR as an unbroken run. The
    phases must cover ``train_cfg.max_epochs`` exactly; otherwise training
    stops before the first step, saying both numbers.

    Settings no phase sets stay with the optimizer and ``param_scheduler``
    (a config without per-phase settings trains exactly as before); a
    setting some phase sets is the hook's alone, so a ``param_scheduler``
    entry acting on it is refused before the first step.

    Several processes work: the runner registers every phase's parameters
    with DDP (see :mod:`gankd.engine.phased_ddp`).
    """

    # HIGHEST: the LR must be set before RuntimeInfoHook (VERY_HIGH) logs it
    # in before_train_iter, and the phase before any other hook's epoch.
    priority = 'HIGHEST'

    def __init__(self) -> None:
        self._groups: Optional[PhaseParamGroups] = None

    def before_run(self, runner) -> None:
        # Called after the optimizer is built and before a checkpoint is
        # loaded: the groups' values are still the config's.
        self._groups = None
        managed = managed_settings(self._model(runner).phases)
        wrapper = runner.optim_wrapper
        if not managed or not isinstance(wrapper, OptimWrapper):
            return  # nothing to set, or not training (a test run)
        if isinstance(wrapper, OptimWrapperDict):
            raise ConfigError(
                'model.phase_optim: per-phase optimiser settings need one '
                'optimizer; optim_wrapper holds several '
                f'({", ".join(wrapper.keys())}).')
        self._groups = PhaseParamGroups(wrapper.optimizer, managed)

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if model.total_epochs != runner.max_epochs:
            raise ConfigError(
                f'the model phases cover {model.total_epochs} epochs '
                f'({", ".join(f"{p.name}: {p.epochs}" for p in model.phases)})'
                f' but train_cfg.max_epochs is {runner.max_epochs}; make '
                'them equal.')
        if self._groups is not None:
            self._refuse_competing_schedulers(runner, self._groups.managed)
        self._switch(runner, model, force=True)

    def before_train_epoch(self, runner) -> None:
        self._switch(runner, self._model(runner))

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if self._groups is None:
            return
        model = self._model(runner)
        epoch_length = len(runner.train_dataloader)
        start = model.phase_start_epoch(model.phase_index)
        self._groups.apply(
            model.phase.optim,
            step=(runner.epoch - start) * epoch_length + batch_idx,
            steps=model.phase.epochs * epoch_length,
            epoch_length=epoch_length)

    def _switch(self, runner, model, force: bool = False) -> None:
        index = model.phase_index_at(runner.epoch)
        if force or index != model.phase_index:
            model.set_phase(index)
            self._forget_old_losses(runner)
            phase = model.phase
            optim = phase.optim.describe() if self._groups else ''
            runner.logger.info(
                f'phase {index + 1}/{len(model.phases)} "{phase.name}" '
                f'(epochs {model.phase_start_epoch(index) + 1}-'
                f'{model.phase_start_epoch(index) + phase.epochs}): training '
                f'{", ".join(phase.trainable)}; losses '
                f'{", ".join(phase.losses) or "all"}'
                + (f'; {optim}' if optim else ''))
        runner.message_hub.update_info('phase', model.phase.name)

    @staticmethod
    def _refuse_competing_schedulers(runner, managed) -> None:
        schedulers = runner.param_schedulers or []
        if isinstance(schedulers, dict):  # one list per optimizer
            schedulers = [s for group in schedulers.values() for s in group]
        for scheduler in schedulers:
            name = getattr(scheduler, 'param_name', None)
            if _SCHEDULED_AS.get(name, name) in managed:
                raise ConfigError(
                    f'param_scheduler: {type(scheduler).__name__} schedules '
                    f'{name}, which the model\'s phases set (per-phase '
                    'settings, model.phase_optim); remove it from '
                    'param_scheduler (e.g. param_scheduler = []).')

    @staticmethod
    def _forget_old_losses(runner) -> None:
        # The log shows every train/ scalar ever updated, averaged over a
        # window: without this, stage 1's last loss would still be printed
        # (and averaged into 'loss') while stage 2 trains.
        scalars = runner.message_hub.log_scalars
        for key in [k for k in scalars if k.startswith('train/') and k not in
                    ('train/lr', 'train/time', 'train/data_time')]:
            scalars.pop(key)

    @staticmethod
    def _model(runner):
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        if not hasattr(model, 'phases'):
            raise TypeError(
                f'PhaseScheduleHook needs a model with phases; '
                f'{type(model).__name__} has none.')
        return model

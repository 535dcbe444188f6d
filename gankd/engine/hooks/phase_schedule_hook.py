"""Switch a phased model's training phase at epoch boundaries."""
from mmengine.dist import get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from gankd.registry import HOOKS

__all__ = ['PhaseScheduleHook']


@HOOKS.register_module()
class PhaseScheduleHook(Hook):
    """Calls ``model.set_phase`` with the phase of the coming epoch.

    The model must have ``phases`` (see
    :class:`gankd.models.distillers.TrainingPhasesMixin`). The phase is
    computed from the epoch, so after ``--resume`` the run continues in the
    phase it was interrupted in, with the same frozen parts. The phases
    must cover ``train_cfg.max_epochs`` exactly; otherwise training stops
    before the first step, saying both numbers.

    Several processes are refused when there is more than one phase: DDP
    registers the parameters that require grad when it wraps the model
    (those of the first phase), so later phases would train unsynchronised
    copies. One-phase schedules (KD, joint, end-to-end) are unaffected.
    """

    priority = 'HIGH'  # before the epoch's first step and other hooks

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if get_world_size() > 1 and len(model.phases) > 1:
            raise RuntimeError(
                f'{len(model.phases)} training phases on {get_world_size()} '
                'processes are not supported (DDP would not synchronise the '
                'parameters of later phases); train phased schedules in one '
                'process.')
        if model.total_epochs != runner.max_epochs:
            raise ValueError(
                f'the model phases cover {model.total_epochs} epochs '
                f'({", ".join(f"{p.name}: {p.epochs}" for p in model.phases)})'
                f' but train_cfg.max_epochs is {runner.max_epochs}; make '
                'them equal.')
        self._switch(runner, model, force=True)

    def before_train_epoch(self, runner) -> None:
        self._switch(runner, self._model(runner))

    def _switch(self, runner, model, force: bool = False) -> None:
        index = model.phase_index_at(runner.epoch)
        if force or index != model.phase_index:
            model.set_phase(index)
            self._forget_old_losses(runner)
            phase = model.phase
            runner.logger.info(
                f'phase {index + 1}/{len(model.phases)} "{phase.name}" '
                f'(epochs {model.phase_start_epoch(index) + 1}-'
                f'{model.phase_start_epoch(index) + phase.epochs}): training '
                f'{", ".join(phase.trainable)}; losses '
                f'{", ".join(phase.losses) or "all"}')
        runner.message_hub.update_info('phase', model.phase.name)

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

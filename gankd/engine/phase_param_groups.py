"""Write a phase's optimiser settings into an optimizer's parameter groups."""
from typing import Dict, List, Sequence

from torch.optim import Optimizer

from gankd.errors import ConfigError

__all__ = ['PhaseParamGroups', 'managed_settings']

#: Settings a phase can set, in the order they are applied.
SETTINGS = ('lr', 'weight_decay', 'momentum')


def managed_settings(phases: Sequence) -> List[str]:
    """The settings (of ``lr``, ``weight_decay``, ``momentum``) that at
    least one phase sets: the hook owns those for the whole run (a phase
    that leaves one unset gets the optimizer's own value back)."""
    return [key for key in SETTINGS
            if any(phase.optim.sets(key) for phase in phases)]


def _ratio(value: float, default) -> float:
    return value / default if default else 1.0


class PhaseParamGroups:
    """The optimizer's parameter groups as each phase wants them.

    Built when training starts, before a checkpoint is loaded (``--resume``
    overwrites the groups' values with those saved mid-schedule), it keeps
    each group's own ``lr``, ``weight_decay`` and ``momentum``: the values
    of phases that set nothing, and the ratios between groups that
    ``paramwise_cfg`` multipliers and ``auto_scale_lr`` made, which a
    phase's value keeps (``group lr = phase lr * group lr / optimizer
    lr``). ``eta_min`` is absolute, as in mmengine's schedulers.

    Args:
        optimizer (Optimizer): The optimizer, before any checkpoint load.
        managed (Sequence[str]): From :func:`managed_settings`.

    Raises:
        ConfigError: a phase sets momentum but the optimizer has none.
    """

    def __init__(self, optimizer: Optimizer, managed: Sequence[str]) -> None:
        self.optimizer = optimizer
        self.managed = tuple(managed)
        for key in self.managed:
            if not all(key in group for group in optimizer.param_groups):
                raise ConfigError(
                    f'model.phase_optim: a phase sets {key}, but the '
                    f'optimizer ({type(optimizer).__name__}) has no {key}; '
                    'remove it from the phases or use an optimizer with '
                    f'{key} (e.g. SGD).')
        self.defaults = {key: optimizer.defaults.get(key)
                         for key in self.managed}
        self.base: List[Dict[str, float]] = [
            {key: group[key] for key in self.managed}
            for group in optimizer.param_groups]

    def apply(self, optim, step: int, steps: int, epoch_length: int) -> None:
        """Set every group for iteration ``step`` (0-based) of a phase of
        ``steps`` iterations, ``epoch_length`` per epoch, with the phase's
        :class:`~gankd.models.distillers.phase_optim.PhaseOptim`."""
        warmup = optim.warmup_iters(epoch_length)
        for group, base in zip(self.optimizer.param_groups, self.base):
            if 'lr' in self.managed:
                peak = base['lr'] if optim.lr is None else optim.lr * _ratio(
                    base['lr'], self.defaults['lr'])
                group['lr'] = optim.lr_at(peak, step, steps, warmup)
            if 'weight_decay' in self.managed:
                group['weight_decay'] = (
                    base['weight_decay'] if optim.weight_decay is None else
                    optim.weight_decay * _ratio(base['weight_decay'],
                                                self.defaults['weight_decay']))
            if 'momentum' in self.managed:
                group['momentum'] = (base['momentum'] if optim.momentum is None
                                     else optim.momentum)

"""Per-phase optimiser settings: each training phase's peak LR, LR shape,
weight decay and momentum.

A phased model (:class:`~gankd.models.distillers.TrainingPhasesMixin`) may
give every phase its own settings, in config next to ``epochs`` and
``trainable``; :class:`gankd.engine.hooks.PhaseScheduleHook` writes them into
the optimizer's parameter groups before every iteration. The LR is a
function of the iteration within the phase (like the phase of the epoch),
so a resumed run sets exactly the values of an unbroken one, and the
schedule cannot disagree with the phase lengths.

Within a phase of ``T`` iterations, at iteration ``t`` (0-based)::

    cosine    lr(t) = eta_min + (lr - eta_min) * (1 + cos(pi * t / T)) / 2
    linear    lr(t) = lr + (eta_min - lr) * t / T
    constant  lr(t) = lr

times a linear warm-up factor over the first ``W = int(warmup_epochs *
iterations per epoch)`` iterations, from ``warmup_factor`` at ``t = 0`` to 1
at ``t = W - 1`` (mmengine's ``LinearLR`` convention), so every phase starts
again from its own peak: a warm restart. ``cosine`` is mmengine's
``CosineRestartLR`` with one period per phase.
"""
import difflib
import math
from dataclasses import dataclass
from numbers import Real
from typing import List, Optional, Sequence

from gankd.errors import ConfigError

__all__ = ['PhaseOptim', 'OPTIM_KEYS', 'LR_SHAPES', 'resolve_phase_optim']

LR_SHAPES = ('cosine', 'linear', 'constant')
#: Keys that shape the LR; a phase that sets any of them has its LR set.
LR_KEYS = ('lr', 'lr_shape', 'eta_min', 'warmup_epochs', 'warmup_factor')
OPTIM_KEYS = LR_KEYS + ('weight_decay', 'momentum')
WARMUP_FACTOR = 0.1  # the baselines' warm-up (mmengine's LinearLR: 1/3)


def _number(where: str, key: str, value, low: float, high: float = math.inf,
            low_open: bool = False, high_open: bool = False) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and (
        low < value if low_open else low <= value) and (
            value < high if high_open else value <= high)
    if not ok:
        span = (f'{"(" if low_open else "["}{low:g}, {high:g}'
                f'{")" if high_open else "]"}')
        raise ConfigError(f'{where}: {key}={value!r} is not a number in '
                          f'{span}; fix it in model.phase_optim (or the '
                          "phase's config), or remove it to keep the "
                          "optimizer's own.")
    return float(value)


@dataclass(frozen=True)
class PhaseOptim:
    """The optimiser settings of one phase; None leaves a setting to the
    optimizer's config (``optim_wrapper.optimizer``).

    Attributes:
        lr (float, optional): Peak LR of the phase. None: the optimizer's
            ``lr``. Parameter groups keep their ratio to it
            (``paramwise_cfg`` multipliers, ``auto_scale_lr``).
        lr_shape (str, optional): ``'cosine'`` (default), ``'linear'`` or
            ``'constant'``: how the LR goes from ``lr`` to ``eta_min``.
        eta_min (float, optional): LR the phase decays towards (absolute,
            as mmengine's ``eta_min``). Defaults to 0.
        warmup_epochs (float, optional): Linear warm-up at the start of the
            phase, in epochs. Defaults to 0 (none).
        warmup_factor (float, optional): LR factor the warm-up starts from.
            Defaults to 0.1.
        weight_decay (float, optional): Weight decay in this phase (groups
            keep their ratio to the optimizer's, e.g. ``decay_mult``).
        momentum (float, optional): SGD momentum in this phase.
    """
    lr: Optional[float] = None
    lr_shape: Optional[str] = None
    eta_min: Optional[float] = None
    warmup_epochs: Optional[float] = None
    warmup_factor: Optional[float] = None
    weight_decay: Optional[float] = None
    momentum: Optional[float] = None

    @classmethod
    def from_config(cls, cfg: dict, where: str,
                    epochs: Optional[int] = None) -> 'PhaseOptim':
        """Checked settings from a dict of :data:`OPTIM_KEYS` (None values
        are unset). ``where`` names the phase in errors; ``epochs`` bounds
        the warm-up."""
        values = {k: v for k, v in cfg.items() if v is not None}
        if 'lr' in values:
            _number(where, 'lr', values['lr'], 0, low_open=True)
        if 'eta_min' in values:
            _number(where, 'eta_min', values['eta_min'], 0,
                    values.get('lr', math.inf))
        if 'warmup_epochs' in values:
            _number(where, 'warmup_epochs', values['warmup_epochs'], 0,
                    math.inf if epochs is None else epochs, high_open=True)
        if 'warmup_factor' in values:
            _number(where, 'warmup_factor', values['warmup_factor'], 0, 1,
                    low_open=True)
        if 'weight_decay' in values:
            _number(where, 'weight_decay', values['weight_decay'], 0)
        if 'momentum' in values:
            _number(where, 'momentum', values['momentum'], 0, 1,
                    high_open=True)
        shape = values.get('lr_shape')
        if shape is not None and shape not in LR_SHAPES:
            raise ConfigError(f'{where}: lr_shape={shape!r}; choose one '
                              f'of {", ".join(map(repr, LR_SHAPES))}.')
        return cls(**{k: (v if k == 'lr_shape' else float(v))
                      for k, v in values.items()})

    def sets(self, key: str) -> bool:
        """Whether this phase sets ``'lr'`` (any of :data:`LR_KEYS`),
        ``'weight_decay'`` or ``'momentum'``."""
        keys = LR_KEYS if key == 'lr' else (key, )
        return any(getattr(self, k) is not None for k in keys)

    @property
    def warmup_start(self) -> float:
        return (WARMUP_FACTOR if self.warmup_factor is None
                else self.warmup_factor)

    def warmup_iters(self, epoch_length: int) -> int:
        return int((self.warmup_epochs or 0) * epoch_length)

    def lr_at(self, peak: float, step: int, steps: int,
              warmup_steps: int = 0) -> float:
        """The LR at iteration ``step`` of a phase of ``steps`` iterations
        whose peak is ``peak`` (this phase's ``lr``, or the optimizer's)."""
        eta_min = self.eta_min or 0.0
        shape = self.lr_shape or 'cosine'
        if shape == 'cosine':
            value = eta_min + (peak - eta_min) * (
                1 + math.cos(math.pi * step / steps)) / 2
        elif shape == 'linear':
            value = peak + (eta_min - peak) * step / steps
        else:
            value = peak
        if step < warmup_steps:
            start = self.warmup_start
            value *= start + (1 - start) * step / max(warmup_steps - 1, 1)
        return value

    def describe(self) -> str:
        """One line for the log, e.g. ``lr 0.05 cosine to 0.0001``."""
        parts = []
        if self.sets('lr'):
            peak = 'the optimizer\'s' if self.lr is None else f'{self.lr:g}'
            parts.append(f'lr {peak} {self.lr_shape or "cosine"} to '
                         f'{self.eta_min or 0:g}')
            if self.warmup_epochs:
                plural = '' if self.warmup_epochs == 1 else 's'
                parts.append(f'warm-up {self.warmup_epochs:g} epoch{plural} '
                             f'from x{self.warmup_start:g}')
        for key in ('weight_decay', 'momentum'):
            if getattr(self, key) is not None:
                parts.append(f'{key} {getattr(self, key):g}')
        return ', '.join(parts)


def _pick(value, index: int, count: int, where: str):
    """A scalar applies to every phase; a list holds one value per phase."""
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ConfigError(f'{where}: {len(value)} values for {count} '
                              'phases; give one value for all or one per '
                              'phase.')
        return value[index]
    return value


def resolve_phase_optim(phases: Sequence[dict], optim: Optional[dict],
                        where: str = 'model.phase_optim') -> List[dict]:
    """``phases`` (dicts) with the settings of ``optim`` merged in.

    ``optim`` holds settings (keys of :data:`OPTIM_KEYS`) for every phase,
    each a scalar (all phases) or a list (one per phase, in order), and
    phase names whose dicts of settings override those for that phase, e.g.
    ``dict(lr=0.05, eta_min=1e-4, head=dict(weight_decay=0))``. More
    specific wins: a phase's own keys, then ``optim``'s values for all,
    then its entry by name.

    Raises:
        ConfigError: an unknown key (with close matches), a list of the
            wrong length, a phase entry that is not a dict.
    """
    phases = [dict(p) for p in phases]
    if not optim:
        return phases
    names = [str(p.get('name')) for p in phases]
    for key, value in optim.items():
        if key in OPTIM_KEYS:
            for i, phase in enumerate(phases):
                phase[key] = _pick(value, i, len(phases), f'{where}.{key}')
        elif key not in names:
            close = difflib.get_close_matches(
                str(key), list(OPTIM_KEYS) + names, n=3, cutoff=0.6)
            hint = f" Did you mean {', '.join(close)}?" if close else ''
            raise ConfigError(
                f'{where}: {key!r} is neither a setting '
                f'({", ".join(OPTIM_KEYS)}) nor a phase '
                f'({", ".join(names)}).{hint}')
    for key, value in optim.items():
        if key in names:
            if not isinstance(value, dict) or set(value) - set(OPTIM_KEYS):
                raise ConfigError(
                    f'{where}.{key}: give a dict of settings '
                    f'({", ".join(OPTIM_KEYS)}), e.g. dict(lr=0.01); got '
                    f'{value!r}.')
            phases[names.index(key)].update(value)
    return phases

"""Training in phases: which parts of a model train, and which losses count,
epoch range by epoch range.

Stage-by-stage KD (stage 1, stage 2, ..., head) and progressive Residual KD
(student, assistant, head) both train one part of the network at a time
while the rest is frozen. :class:`TrainingPhasesMixin` holds that schedule
on the model; :class:`gankd.engine.hooks.PhaseScheduleHook` switches phases
at epoch boundaries. Because the phase is a function of the epoch, a resumed
run is back in the right phase with the right frozen set, and nothing extra
is stored in the checkpoint.

Frozen parameters get ``requires_grad=False``: autograd builds no graph for
them, so mmengine's optimizer (built once over every parameter) skips them
(their ``.grad`` stays ``None``: no update, no weight decay, no momentum).
Frozen modules stay in eval mode, so BN running statistics do not move.

A phase may also carry its own optimiser settings (peak LR and its shape,
weight decay, momentum; :mod:`~gankd.models.distillers.phase_optim`), which
the hook writes into the optimizer as a function of the iteration.
"""
import contextlib
import difflib
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Sequence, Tuple

from torch import nn

from gankd.errors import ConfigError
from gankd.models.distillers.phase_optim import (OPTIM_KEYS, PhaseOptim,
                                                 resolve_phase_optim)

__all__ = ['Phase', 'TrainingPhasesMixin']


@dataclass(frozen=True)
class Phase:
    """One phase of training.

    Attributes:
        name (str): shown in logs, e.g. ``'stage2'``.
        epochs (int): how many epochs it lasts (> 0).
        trainable (tuple[str]): module paths (relative to the distiller)
            whose parameters train; everything else is frozen.
        losses (tuple[str]): names of the losses active in this phase; the
            method decides what they mean.
        optim (PhaseOptim): its optimiser settings; in config the keys
            ``lr``, ``lr_shape``, ``eta_min``, ``warmup_epochs``,
            ``warmup_factor``, ``weight_decay``, ``momentum`` sit next to
            ``epochs``. All unset: the optimizer and ``param_scheduler``
            decide, as without phases.
    """
    name: str
    epochs: int
    trainable: Tuple[str, ...]
    losses: Tuple[str, ...] = ()
    optim: PhaseOptim = field(default_factory=PhaseOptim)

    @classmethod
    def from_config(cls, cfg) -> 'Phase':
        if isinstance(cfg, Phase):
            return cfg
        cfg = dict(cfg)
        known = ('name', 'epochs', 'trainable', 'losses') + OPTIM_KEYS
        unknown = set(cfg) - set(known)
        if unknown:
            raise ConfigError(
                f'phase {cfg.get("name")!r}: unknown keys {sorted(unknown)}; '
                f'a phase has {", ".join(known)}.')
        epochs = int(cfg.get('epochs', 0))
        if epochs <= 0:
            raise ConfigError(f'phase {cfg.get("name")!r}: epochs must be > '
                              f'0, got {cfg.get("epochs")}.')
        optim = PhaseOptim.from_config(
            {k: cfg[k] for k in OPTIM_KEYS if k in cfg},
            f'phase {cfg.get("name")!r}', epochs)
        return cls(name=str(cfg['name']), epochs=epochs,
                   trainable=tuple(cfg.get('trainable', ())),
                   losses=tuple(cfg.get('losses', ())), optim=optim)


def _within(path: str, prefix: str) -> bool:
    return prefix == '' or path == prefix or path.startswith(prefix + '.')


class TrainingPhasesMixin:
    """Adds ``phases`` to an ``nn.Module`` (put it before the module base).

    Call :meth:`init_phases` in ``__init__`` once every submodule exists;
    paths are checked there, so a typo fails when the model is built.
    Parts frozen for good (``FrozenPartsMixin.freeze``, e.g. the teacher)
    stay frozen whatever a phase says.
    """

    def init_phases(self, phases: Sequence,
                    optim: Optional[dict] = None) -> None:
        """Set the phases (dicts or :class:`Phase`), with ``optim``'s
        per-phase optimiser settings merged in (see
        :func:`~gankd.models.distillers.phase_optim.resolve_phase_optim`:
        a scalar for all phases, a list with one value per phase, or a
        phase name with a dict of its own settings)."""
        phases = [p if isinstance(p, Phase) else dict(p) for p in phases]
        if optim:
            if any(isinstance(p, Phase) for p in phases):
                raise TypeError('optim needs phases given as dicts.')
            phases = resolve_phase_optim(phases, optim)
        self.phases: List[Phase] = [Phase.from_config(p) for p in phases]
        if not self.phases:
            raise ConfigError('at least one training phase is needed.')
        names = dict(self.named_modules())
        for phase in self.phases:
            for path in phase.trainable:
                if path not in names:
                    close = difflib.get_close_matches(
                        path, [n for n in names if n], n=5, cutoff=0.6)
                    hint = (f" Close matches: {', '.join(close)}."
                            if close else '')
                    raise ConfigError(
                        f"phase '{phase.name}': trainable '{path}' is not a "
                        f'submodule of {type(self).__name__}.{hint}')
        self.phase_index: Optional[int] = None
        self.set_phase(0)

    @property
    def phase(self) -> Phase:
        return self.phases[self.phase_index]

    @property
    def total_epochs(self) -> int:
        return sum(p.epochs for p in self.phases)

    def phase_index_at(self, epoch: int) -> int:
        """Index of the phase that trains epoch ``epoch`` (0-based); epochs
        past the schedule stay in the last phase."""
        end = 0
        for index, phase in enumerate(self.phases):
            end += phase.epochs
            if epoch < end:
                return index
        return len(self.phases) - 1

    def phase_start_epoch(self, index: int) -> int:
        return sum(p.epochs for p in self.phases[:index])

    def _is_trainable(self, path: str, phase: Phase) -> bool:
        frozen = getattr(self, '_frozen_parts', ())
        if any(_within(path, part) for part in frozen):
            return False
        return any(_within(path, t) for t in phase.trainable)

    def set_phase(self, index: int) -> None:
        """Make phase ``index`` current: set ``requires_grad`` and the
        train/eval mode of every submodule accordingly."""
        if not 0 <= index < len(self.phases):
            raise IndexError(f'phase {index} of {len(self.phases)}')
        self.phase_index = index
        for name, param in self.named_parameters():
            module_path = name.rpartition('.')[0]
            param.requires_grad_(self._is_trainable(module_path, self.phase))
        self.train(self.training)

    @contextlib.contextmanager
    def all_phases_trainable(self) -> Iterator[None]:
        """Inside, every parameter that trains in some phase requires grad
        (the union of the phases); on exit the current phase is restored.

        For DistributedDataParallel, which registers the parameters that
        require grad when it wraps the model: wrapped inside this context,
        it synchronises every phase's parameters, not only the first's.
        """
        for name, param in self.named_parameters():
            module_path = name.rpartition('.')[0]
            param.requires_grad_(any(self._is_trainable(module_path, phase)
                                     for phase in self.phases))
        try:
            yield
        finally:
            self.set_phase(self.phase_index)

    def train(self, mode: bool = True):
        super().train(mode)
        if mode and getattr(self, 'phase_index', None) is not None:
            for path, module in self.frozen_modules():
                module.eval()
        return self

    def frozen_modules(self) -> List[Tuple[str, nn.Module]]:
        """The outermost submodules with no trainable part in this phase
        (neither trainable themselves nor holding a trainable child)."""
        trainable = self.phase.trainable
        frozen = getattr(self, '_frozen_parts', ())
        result, taken = [], []
        for path, module in self.named_modules():
            if path == '' or any(_within(path, t) for t in taken):
                continue
            inside = any(_within(path, t) for t in trainable) and not any(
                _within(path, f) for f in frozen)
            holds = any(_within(t, path) for t in trainable)
            if not inside and not holds:
                result.append((path, module))
                taken.append(path)
        return result

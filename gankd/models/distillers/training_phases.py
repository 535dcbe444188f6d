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
"""
import difflib
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from torch import nn

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
    """
    name: str
    epochs: int
    trainable: Tuple[str, ...]
    losses: Tuple[str, ...] = ()

    @classmethod
    def from_config(cls, cfg) -> 'Phase':
        if isinstance(cfg, Phase):
            return cfg
        cfg = dict(cfg)
        unknown = set(cfg) - {'name', 'epochs', 'trainable', 'losses'}
        if unknown:
            raise ValueError(f'phase {cfg.get("name")!r}: unknown keys '
                             f'{sorted(unknown)}; a phase has name, epochs, '
                             'trainable and losses.')
        epochs = int(cfg.get('epochs', 0))
        if epochs <= 0:
            raise ValueError(f'phase {cfg.get("name")!r}: epochs must be > 0'
                             f', got {cfg.get("epochs")}.')
        return cls(name=str(cfg['name']), epochs=epochs,
                   trainable=tuple(cfg.get('trainable', ())),
                   losses=tuple(cfg.get('losses', ())))


def _within(path: str, prefix: str) -> bool:
    return prefix == '' or path == prefix or path.startswith(prefix + '.')


class TrainingPhasesMixin:
    """Adds ``phases`` to an ``nn.Module`` (put it before the module base).

    Call :meth:`init_phases` in ``__init__`` once every submodule exists;
    paths are checked there, so a typo fails when the model is built.
    Parts frozen for good (``FrozenPartsMixin.freeze``, e.g. the teacher)
    stay frozen whatever a phase says.
    """

    def init_phases(self, phases: Sequence) -> None:
        self.phases: List[Phase] = [Phase.from_config(p) for p in phases]
        if not self.phases:
            raise ValueError('at least one training phase is needed.')
        names = dict(self.named_modules())
        for phase in self.phases:
            for path in phase.trainable:
                if path not in names:
                    close = difflib.get_close_matches(
                        path, [n for n in names if n], n=5, cutoff=0.6)
                    hint = (f" Close matches: {', '.join(close)}."
                            if close else '')
                    raise ValueError(
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

    def _is_trainable(self, path: str) -> bool:
        frozen = getattr(self, '_frozen_parts', ())
        if any(_within(path, part) for part in frozen):
            return False
        return any(_within(path, t) for t in self.phase.trainable)

    def set_phase(self, index: int) -> None:
        """Make phase ``index`` current: set ``requires_grad`` and the
        train/eval mode of every submodule accordingly."""
        if not 0 <= index < len(self.phases):
            raise IndexError(f'phase {index} of {len(self.phases)}')
        self.phase_index = index
        for name, param in self.named_parameters():
            module_path = name.rpartition('.')[0]
            param.requires_grad_(self._is_trainable(module_path))
        self.train(self.training)

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

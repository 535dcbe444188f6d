"""Whether a state dict fits a model: missing keys, unexpected keys and
shape mismatches, summarised in one line for error messages.

Core: used wherever weights must fit exactly (the runner's ``load_from``,
test checkpoints and resume; frozen teachers and predictors), so that every
such refusal reads the same.
"""
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Sequence, Tuple

__all__ = ['StateDictMismatch', 'compare_state_dicts']

#: How many keys a summary names per kind before "...".
SHOWN = 3


def _shape(value: Any):
    shape = getattr(value, 'shape', None)
    return None if shape is None else tuple(shape)


def _keys(keys: Sequence[str]) -> str:
    more = f', ... ({len(keys)} in all)' if len(keys) > SHOWN else ''
    return ', '.join(keys[:SHOWN]) + more


@dataclass
class StateDictMismatch:
    """How a state dict (``the file``) differs from a model's.

    Attributes:
        missing: model keys the file lacks.
        unexpected: file keys the model lacks.
        wrong_shape: ``(key, shape in the file, shape in the model)``.
        total: number of keys of the model.
        fitting: model keys the file gives with the right shape.
    """
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    wrong_shape: List[Tuple[str, tuple, tuple]] = field(default_factory=list)
    total: int = 0
    fitting: int = 0

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.wrong_shape)

    def __str__(self) -> str:
        """One line, e.g. ``missing 2 keys: a, b; shape mismatch:
        head.fc.weight (10, 32) in the file, (100, 32) in the model``."""
        parts = []
        if self.missing:
            parts.append(f'missing {len(self.missing)} '
                         f'key{"s" * (len(self.missing) > 1)}: '
                         f'{_keys(self.missing)}')
        if self.unexpected:
            parts.append(f'unexpected {len(self.unexpected)} '
                         f'key{"s" * (len(self.unexpected) > 1)}: '
                         f'{_keys(self.unexpected)}')
        if self.wrong_shape:
            shown = ', '.join(
                f'{key} {file} in the file, {model} in the model'
                for key, file, model in self.wrong_shape[:SHOWN])
            more = f', ... ({len(self.wrong_shape)} in all)' \
                if len(self.wrong_shape) > SHOWN else ''
            parts.append(f'shape mismatch: {shown}{more}')
        return '; '.join(parts) or 'fits'


def compare_state_dicts(model_state: Mapping[str, Any],
                        file_state: Mapping[str, Any],
                        ignore_missing: Sequence[str] = ()
                        ) -> StateDictMismatch:
    """Compare ``file_state`` with ``model_state`` by keys and shapes.

    Args:
        model_state: the model's state dict (what must be filled).
        file_state: the state dict read from a file, keys already revised
            (e.g. ``module.`` stripped).
        ignore_missing: key suffixes not reported when missing (mmengine
            ignores BatchNorm's ``num_batches_tracked`` of old checkpoints).

    Returns:
        StateDictMismatch: false when everything fits; keys in model order
        (missing, shapes) and file order (unexpected).
    """
    mismatch = StateDictMismatch(total=len(model_state))
    for key, value in model_state.items():
        if key not in file_state:
            if not key.endswith(tuple(ignore_missing)):
                mismatch.missing.append(key)
        elif _shape(value) != _shape(file_state[key]):
            mismatch.wrong_shape.append(
                (key, _shape(file_state[key]), _shape(value)))
        else:
            mismatch.fitting += 1
    mismatch.unexpected = [key for key in file_state if key not in model_state]
    return mismatch

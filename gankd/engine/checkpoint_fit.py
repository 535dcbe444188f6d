"""Whether a training checkpoint fits the runner's model and optimizer,
checked before anything is loaded, and the one-line refusals.

mmengine loads ``load_from`` and test checkpoints with ``strict=False``: a
checkpoint of another network only logs "missing keys" and the run goes on
with random weights. gankd's runner refuses such a checkpoint unless the
config sets :data:`PARTIAL_FIELD`; for ``--resume`` the model and the
optimizer's parameter groups must fit (torch would otherwise stop with a
``ValueError`` deep in ``Optimizer.load_state_dict``).
"""
import re
from collections import OrderedDict
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from mmengine.runner.checkpoint import get_state_dict
from torch import nn

from gankd.utils.state_dict_fit import StateDictMismatch, compare_state_dicts

__all__ = ['PARTIAL_FIELD', 'model_fit', 'optimizer_mismatch',
           'load_refusal', 'nothing_fits_refusal', 'resume_refusal']

#: The config field that lets ``load_from`` / a test checkpoint load only
#: the weights that fit.
PARTIAL_FIELD = 'allow_partial_load'

#: Missing keys mmengine's loader ignores too (old BatchNorm checkpoints).
IGNORED_MISSING = ('num_batches_tracked', )


def model_fit(model: nn.Module, checkpoint: Mapping,
              revise_keys: Sequence[Tuple[str, str]]) -> StateDictMismatch:
    """Compare the weights of ``checkpoint`` (its ``state_dict``, or itself)
    with ``model``'s whole state, wrappers inside it removed, after the
    ``(pattern, replacement)`` key revisions mmengine applies when it
    loads."""
    state = checkpoint.get('state_dict', checkpoint)
    for pattern, replacement in revise_keys:
        state = OrderedDict((re.sub(pattern, replacement, key), value)
                            for key, value in state.items())
    return compare_state_dicts(get_state_dict(model), state,
                               ignore_missing=IGNORED_MISSING)


def _group_sizes(state: Mapping) -> List[int]:
    return [len(group.get('params', ())) for group in state['param_groups']]


def _describe(sizes: List[int]) -> str:
    text = (f'{len(sizes)} parameter group{"s" * (len(sizes) != 1)} of '
            f'{sum(sizes)} tensors')
    if 1 < len(sizes) <= 4:
        text += f' ({" + ".join(map(str, sizes))})'
    return text


def _is_optimizer_state(state: Any) -> bool:
    return isinstance(state, Mapping) and isinstance(
        state.get('param_groups'), (list, tuple))


def optimizer_mismatch(built: Mapping, saved: Any,
                       name: str = 'optimizer') -> Optional[str]:
    """Why ``saved`` (a checkpoint's ``optimizer`` entry) cannot load into
    the optimizer wrapper whose ``state_dict()`` is ``built``, or None.

    Compares what torch's ``Optimizer.load_state_dict`` requires: the
    number of parameter groups and the size of each; for an
    ``OptimWrapperDict``, the optimizer names first.
    """
    if _is_optimizer_state(built):
        if not _is_optimizer_state(saved):
            keys = sorted(saved) if isinstance(saved, Mapping) else saved
            return (f'{name}: the file holds {keys!r}, not the state of one '
                    'optimizer')
        if _group_sizes(saved) != _group_sizes(built):
            return (f'{name}: {_describe(_group_sizes(saved))} in the file, '
                    f'{_describe(_group_sizes(built))} in the config')
        return None
    if not isinstance(saved, Mapping) or set(saved) != set(built):
        saved_names = sorted(saved) if isinstance(saved, Mapping) else saved
        return (f'optimizers {saved_names!r} in the file, {sorted(built)!r} '
                'in the config')
    for key in built:
        problem = optimizer_mismatch(built[key], saved[key],
                                     f"optimizer '{key}'")
        if problem:
            return problem
    return None


def load_refusal(filename: str, mismatch: StateDictMismatch) -> str:
    """The line for a ``load_from`` / test checkpoint that does not fit."""
    return (f'{filename}: does not fit the model of this config '
            f'({mismatch}). To load only the weights that fit, on purpose '
            f'(e.g. fine-tuning with a new head), set {PARTIAL_FIELD}=True '
            f'in the config or pass --cfg-options {PARTIAL_FIELD}=True')


def nothing_fits_refusal(filename: str, mismatch: StateDictMismatch) -> str:
    """The line for a partial load that would load nothing at all."""
    return (f'{filename}: none of the {mismatch.total} tensors of the model '
            f'is in the file with its shape, even with {PARTIAL_FIELD}=True '
            f'({mismatch}); is it a checkpoint of another network?')


def resume_refusal(filename: str, what: str) -> str:
    """The line for a ``--resume`` checkpoint whose model weights or
    optimizer state (``what``) do not fit."""
    return (f'{filename}: cannot resume from this checkpoint: {what}. '
            '--resume continues the run that wrote it, with the same model '
            'and optim_wrapper; to start a new run from its weights, use '
            f'load_from (with {PARTIAL_FIELD}=True if only some fit) '
            'instead')

"""Checkpoint converters from official formats, contributed by plugins.

A plugin returns :class:`CheckpointConverter` objects from
``gankd_checkpoint_converters``; :func:`convert_checkpoint` reads a file with
the weights-only loader, picks the converter (by name, or the one whose
``matches`` accepts the file) and returns a gankd state dict.
:func:`check_state_dict` is the strict key/shape check converters share.
"""
from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Optional, Sequence

import torch

from gankd.errors import UserError
from gankd.plugins import hook_results
from gankd.utils.checkpoint import load_weights

__all__ = [
    'CheckpointConverter', 'ConversionError', 'converters',
    'select_converter', 'convert_checkpoint', 'check_state_dict',
    'GENFORCE_CONTAINERS', 'unwrap_state_dict', 'key_shape',
    'solve_fmaps_base', 'meta_state_shapes'
]

#: Where genforce checkpoints keep the generator, best first: the zoo
#: container (the EMA generator, then the trained one) or ``state_dict``.
GENFORCE_CONTAINERS = ('generator_smooth', 'generator', 'state_dict')


class ConversionError(UserError):
    """A checkpoint does not fit the converter; names the offending key."""


@dataclass(frozen=True)
class CheckpointConverter:
    """An official format -> gankd state dict.

    Attributes:
        name: unique, e.g. ``'genforce-stylegan2'``.
        convert: ``convert(checkpoint) -> state_dict``; raises
            :class:`ConversionError` naming a missing, extra or misshapen key.
        matches: optional ``matches(checkpoint) -> bool`` to detect the
            format when no name is given.
        description: one line for listings.
    """
    name: str
    convert: Callable[[dict], Dict[str, torch.Tensor]]
    matches: Optional[Callable[[dict], bool]] = None
    description: str = ''


def converters() -> Dict[str, CheckpointConverter]:
    """name -> converter, over every loaded plugin (a clash raises)."""
    found: Dict[str, CheckpointConverter] = {}
    owners: Dict[str, str] = {}
    for plugin, result in hook_results('gankd_checkpoint_converters'):
        for converter in result:
            if converter.name in found:
                raise ConversionError(
                    f"converter '{converter.name}' is provided by both "
                    f"plugin '{owners[converter.name]}' and '{plugin}'")
            found[converter.name] = converter
            owners[converter.name] = plugin
    return found


def _matches(converter: CheckpointConverter, checkpoint) -> bool:
    # A plugin's detector may not expect a foreign layout: treat a failure
    # as "not mine" rather than aborting the whole detection.
    try:
        return bool(converter.matches(checkpoint))
    except Exception:
        return False


def select_converter(checkpoint, name: Optional[str] = None,
                     path: str = 'checkpoint') -> CheckpointConverter:
    """The converter called ``name``, or the single one whose ``matches``
    accepts ``checkpoint``.

    Raises:
        ConversionError: unknown name, or not exactly one match.
    """
    available = converters()
    names = ', '.join(sorted(available)) or 'none installed'
    if name is not None:
        if name not in available:
            raise ConversionError(
                f"unknown converter '{name}'; available: {names}")
        return available[name]
    fits = [c for c in available.values()
            if c.matches is not None and _matches(c, checkpoint)]
    if len(fits) != 1:
        found = ', '.join(c.name for c in fits) or 'none'
        raise ConversionError(
            f'{path}: {len(fits)} converters recognise this file ({found}); '
            f'pass --converter with one of: {names}')
    return fits[0]


def convert_checkpoint(path: str, name: Optional[str] = None) -> dict:
    """Read ``path`` safely and convert it.

    Args:
        path: the official checkpoint file.
        name: converter name; when None, the single converter whose
            ``matches`` accepts the file.
    """
    checkpoint = load_weights(path)
    chosen = select_converter(checkpoint, name, path)
    try:
        return chosen.convert(checkpoint)
    except ConversionError as error:
        raise ConversionError(f'{path} ({chosen.name}): {error}') from None


def check_state_dict(state: Mapping[str, torch.Tensor],
                     expected: Mapping[str, torch.Size]) -> None:
    """Raise :class:`ConversionError` unless ``state`` has exactly the
    expected keys with the expected shapes; the message names the key."""
    missing = [key for key in expected if key not in state]
    extra = [key for key in state if key not in expected]
    if missing or extra:
        raise ConversionError(
            f'{len(state)} keys converted, {len(expected)} expected; '
            f'missing: {missing[:5]}, unexpected: {extra[:5]}')
    for key, shape in expected.items():
        if tuple(state[key].shape) != tuple(shape):
            raise ConversionError(
                f"key '{key}': shape {tuple(state[key].shape)}, expected "
                f'{tuple(shape)}')


def unwrap_state_dict(checkpoint,
                      containers: Sequence[str] = GENFORCE_CONTAINERS
                      ) -> Dict[str, torch.Tensor]:
    """The state dict inside a checkpoint: the first of ``containers`` that
    holds a mapping, else the checkpoint itself; a leading ``module.``
    (DataParallel/DDP) is dropped from every key.

    Raises:
        ConversionError: not a dict, or a value that is not a tensor.
    """
    if not isinstance(checkpoint, Mapping):
        raise ConversionError(
            f'expected a dict checkpoint, got {type(checkpoint).__name__}')
    state = next((checkpoint[key] for key in containers
                  if isinstance(checkpoint.get(key), Mapping)), checkpoint)
    out = {}
    for key, value in state.items():
        if not torch.is_tensor(value):
            raise ConversionError(f"key '{key}' is a {type(value).__name__}, "
                                  'not a tensor')
        out[key[len('module.'):] if key.startswith('module.') else key] = \
            value
    return out


def key_shape(state: Mapping[str, torch.Tensor], key: str) -> tuple:
    """``state[key]``'s shape; a missing key is named."""
    if key not in state:
        raise ConversionError(f"missing key '{key}'")
    return tuple(state[key].shape)


def solve_fmaps_base(channels: Mapping[int, int], fmaps_max: int) -> int:
    """A ``fmaps_base`` with ``min(fmaps_base // r, fmaps_max) ==
    channels[r]`` at every resolution ``r`` (genforce's width rule), for
    converters that infer an architecture from its tensors.

    Raises:
        ConversionError: no such value exists.
    """
    low, high = 1, None
    for res, width in channels.items():
        # base // res == width  <=>  width * res <= base < (width + 1) * res
        if width < fmaps_max:
            low = max(low, width * res)
            high = min(high or (width + 1) * res, (width + 1) * res)
    if high is None:  # every resolution at fmaps_max
        return fmaps_max * max(channels)
    if low >= high:
        raise ConversionError(
            f'channel counts {dict(channels)} (resolution: channels) do not '
            'follow min(fmaps_base // resolution, fmaps_max)')
    return low


def meta_state_shapes(cls: type, kwargs: Mapping) -> Dict[str, torch.Size]:
    """Key -> shape of ``cls(**kwargs)``'s state dict, built on the meta
    device (nothing is allocated); bad arguments raise ConversionError."""
    kwargs = {k: v for k, v in kwargs.items() if k != 'init_cfg'}
    try:
        with torch.device('meta'):
            model = cls(**kwargs)
    except (TypeError, ValueError, NotImplementedError) as error:
        raise ConversionError(f'cannot build {cls.__name__}({kwargs}): '
                              f'{error}') from None
    return {key: value.shape for key, value in model.state_dict().items()}

"""Frozen generators from a config and a checkpoint: what inverters,
probes and generator tools load (core, so library code needs no command).

:func:`load_generator` reads a gankd training checkpoint (the EMA generator
first), a converted file or bare state dict, or an official checkpoint
through a converter; keys and shapes must fit exactly. Every file is read
with the plain weights-only loader.
"""
import copy
from typing import Optional, Union

import torch
from mmengine.config import Config
from torch import nn

from gankd.config import ConfigError, load_config
from gankd.utils.converters import select_converter

__all__ = [
    'TRAINING_PREFIXES', 'generator_config', 'build_config_generator',
    'run_converter', 'check_fits', 'same_config_hint', 'load_generator',
    'build_frozen_generator'
]

#: Where the GAN trainer keeps generators in its ``state_dict``, best first:
#: the EMA copy (mmengine's averaged model wraps it in ``.module``), then
#: the trained one.
TRAINING_PREFIXES = ('generator_ema.module.', 'generator.')


def generator_config(cfg: Config, name: str = 'the config') -> dict:
    """The generator part of a config: ``model.generator`` for a GAN,
    else ``model`` itself when that is a generator.

    Raises:
        ConfigError: no model, or neither is a ``BaseGenerator``.
    """
    from gankd.kinds import BaseGenerator, kind_of
    from gankd.registry import MODELS, resolve_type
    model = cfg.get('model')
    if not isinstance(model, dict) or 'type' not in model:
        raise ConfigError(f'{name}: no model in the config')
    part = model['generator'] if 'generator' in model else model
    cls = part['type']
    if isinstance(cls, str):
        cls = resolve_type(MODELS, cls, part.get('_scope_'))
    if not (isinstance(cls, type) and issubclass(cls, BaseGenerator)):
        field = 'model.generator' if part is not model else 'model'
        kind = kind_of(cls) if isinstance(cls, type) else None
        kind = f'a {kind}' if kind else 'not a gankd kind'
        raise ConfigError(
            f"{name}: {field} is '{getattr(cls, '__name__', cls)}' ({kind}), "
            'not a generator (BaseGenerator); give a generator config or a '
            "GAN config with a 'generator' entry")
    return part


def _config_name(config, name: Optional[str]) -> str:
    return name or (config if isinstance(config, str) else 'the config')


def build_config_generator(config: Union[str, Config],
                           name: Optional[str] = None):
    """A freshly initialised generator built from ``config`` (path,
    ``prefix::`` path or loaded Config; ``name`` for messages)."""
    from gankd.registry import MODELS, scope_config_types
    cfg = load_config(config) if isinstance(config, str) else config
    part = generator_config(cfg, _config_name(config, name))
    return MODELS.build(scope_config_types(copy.deepcopy(part)))


def run_converter(converter, checkpoint, path: str) -> dict:
    from gankd.utils.converters import ConversionError
    try:
        return converter.convert(checkpoint)
    except ConversionError as error:
        raise ConversionError(f'{path} ({converter.name}): {error}') from None


def _official_hint() -> str:
    from gankd.utils.converters import converters
    try:
        names = ', '.join(sorted(converters())) or 'none installed'
    except Exception:  # a broken plugin must not hide the real problem
        names = 'see convert-checkpoint --list'
    return f'if it is an official checkpoint, pass --converter (one of: ' \
        f'{names})'


def check_fits(state: dict, generator, path: str, config: str,
                hint) -> None:
    """Strict keys and shapes; ``hint()`` ends the message."""
    from gankd.utils.converters import ConversionError, check_state_dict
    expected = {k: v.shape for k, v in generator.state_dict().items()}
    try:
        check_state_dict(state, expected)
    except ConversionError as error:
        raise ConversionError(
            f'{path} does not fit the generator of {config} '
            f'({type(generator).__name__}): {error}; {hint()}') from None


def same_config_hint() -> str:
    return ('is it the checkpoint this config (resolution, widths) '
            'describes? (--converter picks another converter)')




def _is_state_dict(obj) -> bool:
    return isinstance(obj, dict) and bool(obj) and all(
        isinstance(v, torch.Tensor) for v in obj.values())


def _generator_state(obj, path: str, converter: Optional[str]):
    """(state dict, where it came from) for any accepted file layout."""
    if converter is None:
        inner = obj.get('state_dict') if isinstance(obj, dict) else None
        if _is_state_dict(inner):
            for prefix in TRAINING_PREFIXES:
                found = {k[len(prefix):]: v for k, v in inner.items()
                         if k.startswith(prefix)}
                if found:
                    # A still-wrapped (DDP) generator saved as is.
                    if all(k.startswith('module.') for k in found):
                        found = {k[len('module.'):]: v
                                 for k, v in found.items()}
                    return found, f'training checkpoint ({prefix}*)'
            return inner, 'state_dict'
        if _is_state_dict(obj):
            return obj, 'state dict'
    chosen = select_converter(obj, converter, path)
    return run_converter(chosen, obj, path), f'converter {chosen.name}'


def load_generator(config: Union[str, Config], checkpoint: str,
                   converter: Optional[str] = None, device='cpu',
                   name: Optional[str] = None):
    """A generator of ``config`` with the weights of ``checkpoint``, in eval
    mode with ``requires_grad`` off.

    Args:
        config: a generator config or a GAN config (``model.generator``).
        checkpoint: a gankd training checkpoint (EMA generator preferred),
            a converted file or bare generator state dict, or an official
            checkpoint (named ``converter``, or one detected).
        converter: force this converter (official files).
        device: where the generator goes.
        name: how messages call the config (default: its path).

    Raises:
        CheckpointError: missing or unreadable file.
        ConversionError: the weights do not fit (names the key and shape).
        ConfigError: the config holds no generator.
    """
    from gankd.utils.checkpoint import load_weights
    from gankd.utils.checkpoint import require_checkpoint
    name = _config_name(config, name)
    require_checkpoint(checkpoint, 'generator',
                       name if isinstance(config, str) else None)
    generator = build_config_generator(config, name)
    obj = load_weights(checkpoint)
    state, origin = _generator_state(obj, checkpoint, converter)
    converted = origin.startswith('converter')
    check_fits(state, generator, f'{checkpoint} [{origin}]', name,
                same_config_hint if converted else _official_hint)
    generator.load_state_dict(state)
    return generator.to(device).eval().requires_grad_(False)


def build_frozen_generator(cfg: Union[dict, nn.Module]) -> nn.Module:
    """A generator from ``dict(config=..., checkpoint=..., converter=None)``
    (a trained or official checkpoint, see ``gankd.apis.convert``), from a
    generator config with ``type`` (random weights: tests), or as given."""
    if isinstance(cfg, nn.Module):
        return cfg
    cfg = dict(cfg)
    if 'config' in cfg:
        unknown = set(cfg) - {'config', 'checkpoint', 'converter'}
        if unknown or 'checkpoint' not in cfg:
            raise ConfigError(
                f'generator={cfg}: give dict(config=..., checkpoint=..., '
                f'converter=None) (unknown keys: {sorted(unknown)})')
        return load_generator(cfg['config'], cfg['checkpoint'],
                              cfg.get('converter'), name=cfg['config'])
    from gankd.registry import MODELS, scope_config_types
    return MODELS.build(scope_config_types(copy.deepcopy(cfg)))

"""``gankd convert-checkpoint`` / ``tools/convert_checkpoint.py``: official
generator checkpoints to gankd files, and :func:`load_generator`, which
every generator tool uses to get a ready, frozen generator.

A converted file is ``{'state_dict': <generator state dict>, 'meta':
{'converter', 'source', 'sha256', 'config', 'generator'}}`` holding only
tensors and plain data, so ``torch.load(path, weights_only=True)`` reads it.
"""
import argparse
import copy
import os
from typing import List, Optional, Tuple, Union

import torch
from mmengine.config import Config
from torch import nn

from gankd.apis.config import ConfigError, load_config
from gankd.apis.errors import report_user_errors
from gankd.utils.converters import select_converter

__all__ = [
    'TRAINING_PREFIXES', 'generator_config', 'build_config_generator',
    'convert', 'load_generator', 'build_frozen_generator', 'build_parser',
    'main'
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
    import copy

    from gankd.registry import MODELS, scope_config_types
    cfg = load_config(config) if isinstance(config, str) else config
    part = generator_config(cfg, _config_name(config, name))
    return MODELS.build(scope_config_types(copy.deepcopy(part)))


def _run_converter(converter, checkpoint, path: str) -> dict:
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


def _check_fits(state: dict, generator, path: str, config: str,
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


def _same_config_hint() -> str:
    return ('is it the checkpoint this config (resolution, widths) '
            'describes? (--converter picks another converter)')


def convert(source: str, out: str, converter: Optional[str] = None,
            config: Optional[str] = None) -> Tuple[str, dict]:
    """Convert the official checkpoint ``source`` and write ``out``.

    Args:
        source: the official file, read with the weights-only loader.
        out: destination, written atomically.
        converter: converter name; None detects it.
        config: optional; the result must then fit exactly (keys and
            shapes) the generator this config builds.

    Returns:
        (converter name, meta written).
    """
    from gankd.utils.checkpoint import load_weights, save_checkpoint
    from gankd.utils.converters import ConversionError
    from gankd.utils.model_index import sha256sum
    checkpoint = load_weights(source)
    if os.path.exists(out) and os.path.samefile(source, out):
        raise ConversionError(f'{out}: refusing to overwrite the source')
    chosen = select_converter(checkpoint, converter, source)
    state = _run_converter(chosen, checkpoint, source)
    generator_name = None
    if config is not None:
        generator = build_config_generator(config)
        generator_name = type(generator).__name__
        _check_fits(state, generator, source, config, _same_config_hint)
    meta = dict(converter=chosen.name, source=os.path.abspath(source),
                sha256=sha256sum(source), config=config,
                generator=generator_name)
    state = {key: value.detach().contiguous() for key, value in state.items()}
    save_checkpoint({'state_dict': state}, out, meta=meta)
    return chosen.name, meta


def _read_any(path: str):
    """Weights first; a gankd training checkpoint also holds mmengine's
    runner state, which only the documented training allowlist reads."""
    from gankd.utils.checkpoint import (CheckpointError,
                                        load_training_checkpoint, load_weights)
    try:
        return load_weights(path)
    except CheckpointError:
        return load_training_checkpoint(path)


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
    return _run_converter(chosen, obj, path), f'converter {chosen.name}'


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
    name = _config_name(config, name)
    generator = build_config_generator(config, name)
    obj = load_weights(checkpoint) if converter else _read_any(checkpoint)
    state, origin = _generator_state(obj, checkpoint, converter)
    converted = origin.startswith('converter')
    _check_fits(state, generator, f'{checkpoint} [{origin}]', name,
                _same_config_hint if converted else _official_hint)
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


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description='Convert an official generator checkpoint '
        'to a gankd file (read weights-only, written atomically).')
    parser.add_argument('source', nargs='?', help='official checkpoint')
    parser.add_argument('out', nargs='?', help='converted file to write')
    parser.add_argument('--converter', help='converter name (default: the '
                        'one that recognises the file; see --list)')
    parser.add_argument('--config', help='check the result against this '
                        "config's generator (keys and shapes, strictly)")
    parser.add_argument('--list', action='store_true',
                        help='list the installed converters and exit')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.list:
        from gankd.utils.converters import converters
        found = converters()
        for name in sorted(found):
            print(f'{name:<24}{found[name].description}')
        if not found:
            print('no converters installed (they come with generator '
                  'plugins such as gankd_stylegan and gankd_pggan)')
        return None
    if args.source is None or args.out is None:
        parser.error('give SOURCE and OUT (or --list)')
    name, meta = convert(args.source, args.out, args.converter, args.config)
    checked = (f"; fits {meta['generator']} of {args.config}"
               if args.config else '')
    print(f'converted {args.source} with {name}{checked}\nwrote {args.out} '
          f"(sha256 of source {meta['sha256'][:16]}...)")
    return args.out

"""``gankd convert-checkpoint`` / ``tools/convert_checkpoint.py``: official
generator checkpoints to gankd files (loading them, and any generator
checkpoint, is :mod:`gankd.utils.frozen_generator`).

A converted file is ``{'state_dict': <generator state dict>, 'meta':
{'converter', 'source', 'sha256', 'config', 'generator'}}`` holding only
tensors and plain data, so ``torch.load(path, weights_only=True)`` reads it.
"""
import argparse
import os
from typing import List, Optional, Tuple

from gankd.errors import report_user_errors

__all__ = ['convert', 'build_parser', 'main']


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
    from gankd.utils.converters import ConversionError, select_converter
    from gankd.utils.frozen_generator import (build_config_generator,
                                              check_fits, run_converter,
                                              same_config_hint)
    from gankd.utils.model_index import sha256sum
    checkpoint = load_weights(source)
    if os.path.exists(out) and os.path.samefile(source, out):
        raise ConversionError(f'{out}: refusing to overwrite the source')
    chosen = select_converter(checkpoint, converter, source)
    state = run_converter(chosen, checkpoint, source)
    generator_name = None
    if config is not None:
        generator = build_config_generator(config)
        generator_name = type(generator).__name__
        check_fits(state, generator, source, config, same_config_hint)
    meta = dict(converter=chosen.name, source=os.path.abspath(source),
                sha256=sha256sum(source), config=config,
                generator=generator_name)
    state = {key: value.detach().contiguous() for key, value in state.items()}
    save_checkpoint({'state_dict': state}, out, meta=meta)
    return chosen.name, meta


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
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'OUT': args.out})
    name, meta = convert(args.source, args.out, args.converter, args.config)
    checked = (f"; fits {meta['generator']} of {args.config}"
               if args.config else '')
    print(f'converted {args.source} with {name}{checked}\nwrote {args.out} '
          f"(sha256 of source {meta['sha256'][:16]}...)")
    return args.out

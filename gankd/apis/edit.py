"""``gankd edit`` / ``tools/edit.py``: move codes along a semantic boundary
and write an image grid (one row per code, one column per distance).

The probe config gives the generator, its truncation and noise, and the
probe's editing rule; the boundary is a file (official InterFaceGAN
``[1, d]`` array, HiGAN dict, or one written by ``gankd probe``).

* codes: ``--seeds`` (sampled as the probe samples them) or ``--codes``
  (``.npy`` array, or ``.pt`` dict with ``codes`` and ``space`` as written
  by ``gankd generate --save-codes``);
* inverted images: a ``.pt`` codes file of ``gankd invert`` (it holds
  its inverter's decoding info and its generator's identity, plain data)
  is moved with the inverter's own rule and rendered by it, untruncated:
  mGANprior moves all N codes by the same offset and keeps the channel
  importance. The probe config must hold the same generator (same
  weights);
* conditional editing: ``--condition`` boundaries are projected out of the
  primal one first (any number);
* layer-wise editing (HiGAN): ``--layers 0-3`` edits only those per-layer
  codes (the codes become wp); a HiGAN boundary file's
  ``manipulate_layers`` is the default. Truncated codes (``--seeds``) are
  moved by ``psi`` times the distance on truncated layers so that the edit
  equals one of the un-truncated w (``--strength uniform`` turns it off).
"""
from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, List, Optional

from gankd.apis.generate import CODE_SUFFIXES, parse_seeds, render, save_codes
from gankd.errors import UserError, report_user_errors
from gankd.utils.layer_specs import format_layers, parse_layers
from gankd.utils.lazy_torch import inference_mode

if TYPE_CHECKING:  # annotations only: imported where used
    import numpy as np
    import torch

__all__ = ['EditError', 'load_codes', 'load_inverted', 'decoding_inverter',
           'edit_inverted', 'edit_grid', 'build_parser', 'main']


class EditError(UserError):
    """Codes, boundaries or options the edit cannot use."""


#: what --codes takes, said when a file is not one of them
CODES_FILES = ('give a .npy array (numpy.save, gankd generate --save-codes) '
               'or a .pt codes file (gankd generate --save-codes, gankd '
               'invert)')


def _read_pt(path: str):
    """A ``.pt``/``.pth`` file's content, read as data only; a file that
    cannot be read is refused as a codes file (in the words of --codes,
    not of checkpoints)."""
    from gankd.utils.checkpoint import CheckpointError, load_weights
    try:
        return load_weights(path)
    except CheckpointError:
        raise EditError(f'--codes {path}: not a codes file (empty, '
                        'truncated, corrupt, or holding more than tensors '
                        f'and plain data); {CODES_FILES}') from None


def _read_npy(path: str) -> np.ndarray:
    """A ``.npy`` array of numbers, read without pickle."""
    import numpy as np
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        array = None  # numpy blames pickles for any unknown content
    if not isinstance(array, np.ndarray) or not (
            np.issubdtype(array.dtype, np.floating)
            or np.issubdtype(array.dtype, np.integer)):
        raise EditError(f'--codes {path}: not a .npy array of numbers '
                        '(corrupt, another format, or an array of objects '
                        f'or strings); {CODES_FILES}')
    return array


def load_codes(path: str, space: Optional[str]) -> tuple:
    """``(codes Tensor, space)`` from ``.npy`` (space from ``--space``) or
    a ``.pt`` dict with ``codes`` (and ``space``).

    Raises:
        EditError: a missing file, one that is not a codes file (each
            format in its own terms), or no known space.
    """
    import torch
    if not os.path.isfile(path):
        raise EditError(f'--codes {path}: no such file')
    if path.endswith('.npy'):
        codes = torch.from_numpy(_read_npy(path))
    elif path.endswith(CODE_SUFFIXES):
        data = _read_pt(path)
        if not isinstance(data, dict) or not torch.is_tensor(
                data.get('codes')):
            raise EditError(f"--codes {path}: not a codes file (no 'codes' "
                            f'tensor in it); {CODES_FILES}')
        codes, space = data['codes'], space or data.get('space')
    else:
        raise EditError(f"--codes {path}: use {' or '.join(CODE_SUFFIXES)}")
    if space is None:
        raise EditError(f'--codes {path}: say which latent space with '
                        '--space z|w|wp')
    return codes.float(), space


def _inverted_file(path: str) -> Optional[dict]:
    """A ``.pt`` codes file of ``gankd invert`` (it holds ``inverter``),
    else None (``.npy`` arrays and other codes files)."""
    if path.endswith('.npy') or not path.endswith(CODE_SUFFIXES) \
            or not os.path.isfile(path):
        return None
    data = _read_pt(path)
    return data if isinstance(data, dict) and 'inverter' in data else None


def load_inverted(paths: List[str]) -> Optional[dict]:
    """The result dict of ``gankd invert`` codes files (they hold
    ``inverter``, the plain decoding info; several files of one inverter
    are stacked, one image each), or None for other codes files."""
    import torch
    files = [_inverted_file(path) for path in paths]
    if all(f is None for f in files):
        return None
    if any(f is None or f['inverter'] != files[0]['inverter']
           or f.get('generator') != files[0].get('generator')
           for f in files):
        raise EditError(f"--codes {' '.join(paths)}: give codes files of "
                        'gankd invert made by one inverter config')
    merged = dict(files[0])
    for key, value in files[0].items():
        if torch.is_tensor(value) and len(value) == len(files[0]['codes']):
            merged[key] = torch.cat([f[key] for f in files])
    return merged


def decoding_inverter(generator, result: dict):
    """The inverter that decodes and moves the codes of a ``gankd invert``
    file, built from its plain decoding info and the probe config's
    generator. A codes file is data: it chooses among the installed
    inverter classes and gives them plain values, nothing else (no nested
    configs, no files to load).

    Raises:
        EditError: the file's generator is not this one, or its inverter
            info is unusable (an older or edited file).
    """
    from gankd.kinds import BaseInverter, InverterInfoError
    from gankd.registry import MODELS, UnknownComponentError, resolve_type
    info, made_by = result['inverter'], result.get('generator')
    if not isinstance(made_by, dict) or not isinstance(info, dict) \
            or not isinstance(info.get('type'), str):
        raise EditError('--codes: not a codes file of this gankd invert '
                        '(no plain inverter and generator info); invert the '
                        'images again')
    ours = generator.identity()
    if made_by != ours:
        raise EditError(
            f"--codes: made with {made_by.get('type')} "
            f"{made_by.get('resolution')}px (weights sha256 "
            f"{str(made_by.get('sha256'))[:12]}), but the probe config's "
            f"generator is {ours['type']} {ours['resolution']}px "
            f"({ours['sha256'][:12]}): use the probe config of the "
            'generator the images were inverted with')
    try:
        cls = resolve_type(MODELS, info['type'])
    except UnknownComponentError as error:
        raise EditError(f'--codes: {error}') from None
    if not (isinstance(cls, type) and issubclass(cls, BaseInverter)):
        raise EditError(f"--codes: inverter type {info['type']!r} is not an "
                        'inverter')
    try:
        return cls.for_decoding(generator, info)
    except InverterInfoError as error:
        raise EditError(f'--codes: {error}; invert the images again') \
            from None


@inference_mode
def edit_inverted(generator, result: dict, boundary: torch.Tensor,
                  distances: List[float], batch_size: int = 64) -> dict:
    """Codes of inverted images moved along ``boundary`` by each distance
    (offsets), rendered by the inverter that made them: ``codes`` ``[N, T,
    ...]`` and ``images`` uint8 ``[N * T, 3, H, W]``."""
    import torch

    from gankd.utils.images import to_uint8
    inverter = decoding_inverter(generator, result)
    moved = inverter.move(result, boundary, distances)
    count = len(moved['codes'])

    def chunk(start: int) -> dict:
        return {k: v[start:start + batch_size] if torch.is_tensor(v)
                and v.dim() and len(v) == count else v
                for k, v in moved.items()}

    images = torch.cat([inverter.decode(chunk(i))
                        for i in range(0, count, batch_size)])
    codes = moved['codes']
    return dict(codes=codes.view(-1, len(distances), *codes.shape[1:]),
                images=to_uint8(images.cpu()))


@inference_mode
def score_columns(probe, images: torch.Tensor, steps: int,
                  batch_size: int = 100) -> dict:
    """Mean predictor score of each semantic at each distance (grid
    column) of uint8 grid images ``[N * T, 3, H, W]``:
    ``{name: [T floats]}``."""
    import torch
    if getattr(probe, 'predictor', None) is None:
        raise EditError('--score needs a probe config with a predictor')
    scores = torch.cat([
        probe.predictor(images[i:i + batch_size].float() / 127.5 - 1)
        for i in range(0, len(images), batch_size)]).float().cpu()
    means = scores.view(-1, steps, scores.shape[1]).mean(0)  # [T, S]
    return {name: means[:, k].tolist()
            for k, name in enumerate(probe.predictor.names)}


def _edit_codes(probe, args, boundary, meta, distances) -> tuple:
    """Seeds or saved codes edited by the probe's rule:
    ``(result, codes, space, layers)``."""
    layers = _layers(probe, args.layers, meta)
    if args.codes:
        if len(args.codes) > 1:
            raise EditError('several --codes files: only for codes of '
                            'gankd invert (give one other codes file)')
        codes, space = load_codes(args.codes[0], args.space)
        strength = args.strength or 'uniform'
    else:
        space = args.space or _boundary_space(args.boundary, meta)
        codes = probe.codes_for_seeds(args.seeds or list(range(8)), space)
        strength = args.strength or 'truncation'
    if layers is not None and space != 'wp':
        if space == 'z':
            raise EditError('--layers edits per-layer codes: use w or wp '
                            'codes (z has one code for all layers)')
        codes, space = probe.to_wp(codes, space).cpu(), 'wp'
    result = edit_grid(probe, codes, space, boundary, distances, args.mode,
                       layers, probe.layer_strength(strength)
                       if space == 'wp' else None)
    return result, codes, space, layers


@inference_mode
def edit_grid(probe, codes: torch.Tensor, space: str, boundary: torch.Tensor,
              distances: List[float], mode: str = 'relative',
              layers: Optional[List[int]] = None, strength=None,
              progress: bool = True) -> dict:
    """Edited codes ``[N, T, ...]`` and their images ``uint8 [N*T, 3, H,
    W]`` (row-major: code, then distance)."""
    edited = probe.edit(codes, boundary, distances, mode=mode, layers=layers,
                        strength=strength)
    # What the generator draws: truncated wp (or z for z-only generators),
    # rendered in batches by generate's renderer.
    drawn = probe.to_wp(edited.flatten(0, 1), space)
    images = render(probe.generator, drawn, 'wp' if drawn.dim() == 3
                    else 'z', probe.noise_mode, probe.batch_size, progress)
    return dict(codes=edited, images=images)


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='Edit codes along a semantic boundary and '
        'write an image grid (rows: codes, columns: distances).')
    parser.add_argument('config', help='probe config (prefix:: allowed)')
    parser.add_argument('--boundary', required=True, help='boundary .npy')
    parser.add_argument('--condition', action='append', default=[],
                        help='boundary to keep unchanged (repeatable)')
    parser.add_argument('--out', required=True, help='PNG to write')
    parser.add_argument('--space', choices=['z', 'w', 'wp'],
                        help="codes' space (default: the boundary's, from "
                        "its folder boundaries/<space>/ or its metadata)")
    parser.add_argument('--seeds', type=parse_seeds, default=None,
                        help="codes from seeds, e.g. '0-7' (default 0-7)")
    parser.add_argument('--codes', nargs='+', help='codes file instead '
                        'of seeds (several: inverted images, one row each)')
    parser.add_argument('--start', type=float, default=-3.0,
                        help='first distance along the boundary (default: '
                        '-3)')
    parser.add_argument('--end', type=float, default=3.0,
                        help='last distance (default: 3)')
    parser.add_argument('--steps', type=int, default=7,
                        help='distances from --start to --end, ends '
                        'included: the grid columns (default: 7)')
    parser.add_argument('--mode', choices=['relative', 'absolute'],
                        default='relative', help='absolute: place codes '
                        'at these signed distances (z / w codes only)')
    parser.add_argument('--layers', help="edit only these per-layer codes, "
                        "e.g. '0-3' or '4,6-7' (wp)")
    parser.add_argument('--strength', choices=['truncation', 'uniform'],
                        help='per-layer scale of wp edits (default: '
                        'truncation for --seeds, uniform for --codes)')
    parser.add_argument('--padding', type=int, default=2,
                        help='white pixels between grid tiles')
    parser.add_argument('--zoom', type=int, default=1,
                        help='enlarge the grid N times (nearest pixel), '
                        'for small images')
    parser.add_argument('--score', action='store_true', help="print the "
                        "probe predictor's mean scores per distance")
    parser.add_argument('--save-codes', metavar='PATH',
                        help='also write the edited codes (.npy or .pt)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    return parser


def _boundary_space(path: str, meta: dict) -> str:
    """The space a boundary was fitted in: its folder in ``gankd probe``'s
    layout (``boundaries/<space>/``) or its metadata; else ask."""
    folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
    space = folder if folder in ('z', 'w', 'wp') else meta.get('space')
    if space not in ('z', 'w', 'wp'):
        raise EditError(f'--boundary {path}: cannot tell its latent space '
                        '(z and w often have the same size); give --space '
                        'z|w|wp')
    return space


def _layers(probe, text: Optional[str], meta: dict) -> Optional[List[int]]:
    spec = text if text is not None else meta.get('manipulate_layers')
    if spec is None:
        return None
    return parse_layers(spec, probe.generator.num_layers)


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    import numpy as np

    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'--out': args.out,
                              '--save-codes': args.save_codes})
    from gankd.config import load_config
    from gankd.kinds import build_probe
    from gankd.registry import scope_config_types
    from gankd.utils.images import image_grid, save_png
    if args.codes and args.seeds is not None:
        raise EditError('give --seeds or --codes, not both')
    if args.steps < 1 or args.zoom < 1:
        raise EditError(f'--steps {args.steps} --zoom {args.zoom}: both '
                        'must be at least 1')
    cfg = load_config(args.config, args.cfg_options)
    probe = build_probe(scope_config_types(cfg.model.to_dict()))
    boundary, meta = probe.load_boundary(args.boundary)
    if args.condition:
        boundary = probe.project(boundary, [probe.load_boundary(p)[0]
                                            for p in args.condition])
    distances = np.linspace(args.start, args.end, args.steps).tolist()
    inverted = load_inverted(args.codes) if args.codes else None
    if inverted is None:
        result, codes, space, layers = _edit_codes(probe, args, boundary,
                                                   meta, distances)
    else:
        if args.mode != 'relative' or args.layers:
            raise EditError(f'--codes {args.codes[0]} holds inverted codes: '
                            'they move by offsets (--mode relative) on all '
                            'layers (no --layers)')
        codes, space, layers = inverted['codes'], inverted['space'], None
        fitted = args.space or _boundary_space(args.boundary, meta)
        if (fitted == 'z') != (space == 'z'):
            raise EditError(f'--boundary {args.boundary} was fitted in '
                            f'{fitted}, the inverted codes are {space} '
                            'codes: use a boundary of their space')
        result = edit_inverted(probe.generator, inverted, boundary,
                               distances, probe.batch_size)
    grid = image_grid(result['images'], args.steps, args.padding)
    if args.zoom > 1:
        grid = grid.repeat(args.zoom, axis=0).repeat(args.zoom, axis=1)
    save_png(grid, args.out)
    if args.save_codes:
        save_codes(args.save_codes, result['codes'], dict(
            space=space, distances=distances, boundary=args.boundary))
    if args.score:
        result['scores'] = score_columns(probe, result['images'], args.steps)
        for name, values in result['scores'].items():
            print(f'mean {name} score by distance: ' + ' '.join(
                f'{v:+.2f}' for v in values))
    where = f', layers {format_layers(layers)}' if layers else ''
    print(f'wrote {args.out}: {len(codes)} x {args.steps} images '
          f'({space}, distances {args.start:g}..{args.end:g}{where})')
    return result

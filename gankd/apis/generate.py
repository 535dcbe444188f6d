"""``gankd generate`` / ``tools/generate.py``: image grids from a generator.

Modes (one PNG, written atomically; optionally the codes as .npy / .pt):

* ``grid``: one image per seed, ``--nrow`` images per row.
* ``interpolate``: one row per seed pair, ``--steps`` columns from the first
  code to the second: slerp in z, lerp in w and wp.
* ``truncation``: one row per seed, one column per ``--psi`` value.

Seed ``s`` always gives the same z (drawn alone from a generator seeded with
``s``), so a sample depends neither on the batch nor on the other seeds.
Images in ``[-1, 1]`` become ``uint8`` as ``floor((x + 1) * 127.5 + 0.5)``,
clipped to ``[0, 255]``.
"""
from __future__ import annotations

import argparse
import io
import math
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from gankd.errors import UserError, report_user_errors
from gankd.utils.lazy_torch import inference_mode
from gankd.utils.progress import ProgressLine

if TYPE_CHECKING:  # annotations only: imported where used
    from torch import Tensor

__all__ = [
    'GenerationError', 'parse_seeds', 'seeded_z', 'slerp', 'lerp',
    'grid_codes', 'interpolation_codes',
    'truncation_codes', 'render', 'generate', 'save_codes',
    'build_parser', 'main'
]

DEFAULT_NUM = dict(grid=16, interpolate=4, truncation=4)
CODE_SUFFIXES = ('.npy', '.pt', '.pth')


class GenerationError(UserError):
    """A mode or option this generator does not support."""


def parse_seeds(text: str) -> List[int]:
    """``'0,3,5-7'`` -> ``[0, 3, 5, 6, 7]``."""
    seeds = []
    for part in text.split(','):
        low, dash, high = part.strip().partition('-')
        seeds += list(range(int(low), int(high) + 1)) if dash else [int(low)]
    return seeds


def seeded_z(generator, seeds: Sequence[int]) -> Tensor:
    """``[N, z_dim]`` codes on the CPU, row ``i`` drawn from seed ``i``."""
    import torch
    return torch.cat([
        generator.sample_z(1, torch.Generator().manual_seed(int(seed)))
        for seed in seeds])


def slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Spherical interpolation ``[N, D], [N, D], [K] -> [N, K, D]``; the
    angle is that of the directions, magnitudes follow the same weights."""
    import torch
    cos = torch.nn.functional.cosine_similarity(a, b, dim=-1)
    theta = torch.arccos(cos.clamp(-1, 1))[:, None, None]  # [N, 1, 1]
    t = t[None, :, None]
    # Nearly parallel codes: the sine ratios tend to the linear weights.
    sin = torch.sin(theta).clamp_min(1e-7)
    wa = torch.where(theta < 1e-4, 1 - t, torch.sin((1 - t) * theta) / sin)
    wb = torch.where(theta < 1e-4, t, torch.sin(t * theta) / sin)
    return wa * a[:, None] + wb * b[:, None]


def lerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """``[N, *S], [N, *S], [K] -> [N, K, *S]``; exact at both ends."""
    t = t.view(1, -1, *([1] * (a.dim() - 1)))
    return (1 - t) * a[:, None] + t * b[:, None]






def _require(generator, space: str, what: str) -> None:
    if space not in generator.latent_spaces:
        raise GenerationError(
            f'{type(generator).__name__} has only the latent spaces '
            f"{', '.join(generator.latent_spaces)}: {what} needs '{space}'")


@inference_mode
def _mapped(generator, z: Tensor, psi, layers, batch_size: int) -> dict:
    """``mapping`` in batches: ``w [N, w_dim]`` and ``wp [N, L, w_dim]``."""
    import torch
    parts = [generator.mapping(z[i:i + batch_size], psi, layers)
             for i in range(0, len(z), batch_size)]
    return {key: torch.cat([p[key] for p in parts]) for key in ('w', 'wp')}


def _truncation(generator, psi, layers) -> Tuple[Optional[float], int]:
    if psi is None:
        return None, 0
    _require(generator, 'w', 'truncation')
    return float(psi), generator.num_layers if layers is None else layers


def grid_codes(generator, seeds, psi=None, layers=None,
               batch_size: int = 16) -> Tuple[Tensor, str]:
    """(codes, space): ``z [N, z_dim]``, or truncated ``wp`` with ``psi``."""
    psi, layers = _truncation(generator, psi, layers)
    z = seeded_z(generator, seeds).to(generator.device)
    if psi is None:
        return z, 'z'
    return _mapped(generator, z, psi, layers, batch_size)['wp'], 'wp'


def interpolation_codes(generator, seeds, steps: int, space: str = 'z',
                        psi=None, layers=None,
                        batch_size: int = 16) -> Tuple[Tensor, str]:
    """(codes, space) for ``len(seeds) // 2`` pairs x ``steps``, pair-major.

    z: slerp, then (with ``psi``) map and truncate. w / wp: lerp of the
    mapped endpoints; truncation is affine, so truncating the endpoints
    equals truncating every interpolated code.
    """
    import torch
    if len(seeds) < 2 or len(seeds) % 2:
        raise GenerationError(f'interpolation needs pairs of seeds, got '
                              f'{len(seeds)}')
    _require(generator, space, f'interpolation in {space}')
    psi, layers = _truncation(generator, psi, layers)
    t = torch.linspace(0, 1, steps)
    z = seeded_z(generator, seeds).to(generator.device)
    a, b = z[0::2], z[1::2]
    if space == 'z':
        codes = slerp(a, b, t.to(z)).flatten(0, 1)
        if psi is None:
            return codes, 'z'
        return _mapped(generator, codes, psi, layers, batch_size)['wp'], 'wp'
    mapped = _mapped(generator, z, psi, layers, batch_size)
    key = 'w' if space == 'w' and psi is None else 'wp'
    ends = mapped[key]
    return lerp(ends[0::2], ends[1::2], t.to(ends)).flatten(0, 1), key


def truncation_codes(generator, seeds, psis: Sequence[float], layers=None,
                     batch_size: int = 16) -> Tuple[Tensor, str]:
    """``wp [N * P, L, w_dim]``, sample-major: row = seed, column = psi."""
    import torch
    _require(generator, 'w', 'the truncation sweep')
    layers = generator.num_layers if layers is None else layers
    z = seeded_z(generator, seeds).to(generator.device)
    # One mapping per psi: truncation stays the generator's own, and the
    # mapping MLP costs a tiny fraction of a synthesis pass.
    columns = [_mapped(generator, z, float(psi), layers, batch_size)['wp']
               for psi in psis]
    return torch.stack(columns, 1).flatten(0, 1), 'wp'


@inference_mode
def render(generator, codes: Tensor, space: str, noise_mode: str = 'const',
           batch_size: int = 16, progress: bool = True) -> Tensor:
    """``synthesize`` in batches -> ``uint8 [M, 3, H, W]`` on the CPU, with
    a progress line on stderr when there is more than one batch (redrawn
    on a terminal, about every 10% in a log)."""
    import torch

    from gankd.utils.images import to_uint8
    total, out, device = len(codes), [], generator.device
    line = ProgressLine('generate', total, enabled=progress,
                        min_total=batch_size)
    for start in range(0, total, batch_size):
        images = generator.synthesize(
            codes[start:start + batch_size].to(device), space=space,
            noise_mode=noise_mode)
        out.append(to_uint8(images).cpu())
        line.update(len(images))
    return torch.cat(out)


def generate(generator, mode: str, seeds: Sequence[int], nrow=None,
             steps: int = 8, space: str = 'z', psi=None,
             psis: Sequence[float] = (0, 0.25, 0.5, 0.75, 1),
             layers=None, noise_mode: str = 'const', batch_size: int = 16,
             progress: bool = True) -> dict:
    """Codes and images of one mode (see the module docstring).

    Returns:
        dict: ``images`` ``uint8 [M, 3, H, W]``, ``codes`` (what
        ``synthesize(codes, space)`` turns into those images), ``space``
        and ``nrow`` (images per grid row).
    """
    import torch
    if noise_mode not in ('const', 'random', 'none'):
        raise GenerationError(f"noise mode '{noise_mode}': use const, "
                              'random or none')
    with torch.inference_mode():
        if mode == 'grid':
            codes, code_space = grid_codes(generator, seeds, psi, layers,
                                           batch_size)
            nrow = nrow or math.ceil(math.sqrt(len(seeds)))
        elif mode == 'interpolate':
            codes, code_space = interpolation_codes(
                generator, seeds, steps, space, psi, layers, batch_size)
            nrow = steps
        elif mode == 'truncation':
            if psi is not None:
                raise GenerationError(
                    'the truncation mode sweeps --psi; --truncation-psi is '
                    'for the grid and interpolate modes')
            codes, code_space = truncation_codes(generator, seeds, psis,
                                                 layers, batch_size)
            nrow = len(psis)
        else:
            raise GenerationError(f"unknown mode '{mode}': use grid, "
                                  'interpolate or truncation')
    images = render(generator, codes, code_space, noise_mode, batch_size,
                    progress)
    return dict(images=images, codes=codes.cpu(), space=code_space,
                nrow=nrow)




def save_codes(path: str, codes: Tensor, info: dict) -> None:
    """``.npy``: the codes array; ``.pt``: ``dict(codes=..., **info)``."""
    import numpy as np
    import torch

    from gankd.utils.checkpoint import atomic_write_bytes
    buffer = io.BytesIO()
    if path.endswith('.npy'):
        np.save(buffer, codes.numpy())
    elif path.endswith(CODE_SUFFIXES):
        torch.save(dict(codes=codes, **info), buffer)
    else:
        raise GenerationError(f"{path}: codes are saved as "
                              f"{' or '.join(CODE_SUFFIXES)}")
    atomic_write_bytes(buffer.getvalue(), path)


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='Image grids, latent interpolations and '
        'truncation sweeps from a generator checkpoint.')
    parser.add_argument('config', help='generator or GAN config '
                        '(prefix:: allowed)')
    parser.add_argument('checkpoint', help='gankd training checkpoint, '
                        'converted file, or official checkpoint')
    parser.add_argument('--out', required=True, help='PNG to write')
    parser.add_argument('--mode', default='grid',
                        choices=['grid', 'interpolate', 'truncation'],
                        help='what to draw (default: grid)')
    parser.add_argument('--converter', help='read an official checkpoint '
                        'with this converter (see convert-checkpoint --list)')
    parser.add_argument('--num', type=int, help='samples (grid: 16, '
                        'truncation: 4) or seed pairs (interpolate: 4)')
    parser.add_argument('--seed', type=int, default=0, help='first seed when '
                        '--seeds is not given; also seeds random noise')
    parser.add_argument('--seeds', type=parse_seeds,
                        help="explicit seeds, e.g. '0,5,10-13' (interpolate:"
                        ' consecutive pairs)')
    parser.add_argument('--nrow', type=int, help='grid: images per row')
    parser.add_argument('--steps', type=int, default=8,
                        help='interpolate: images per pair, ends included')
    parser.add_argument('--space', default='z', choices=['z', 'w', 'wp'],
                        help='interpolate: the latent space')
    parser.add_argument('--psi', default='0,0.25,0.5,0.75,1',
                        type=lambda s: [float(v) for v in s.split(',')],
                        help='truncation: psi values, one per column')
    parser.add_argument('--truncation-psi', type=float,
                        help='grid / interpolate: truncate with this psi')
    parser.add_argument('--truncation-layers', type=int, help='truncate '
                        'the first N per-layer codes (default: all)')
    parser.add_argument('--noise-mode', default='const',
                        choices=['const', 'random', 'none'],
                        help="the generator's per-pixel noise: its stored "
                        'constants, fresh (seeded by --seed) or none '
                        '(default: const)')
    parser.add_argument('--batch-size', type=int, default=16,
                        help='images per synthesis pass')
    parser.add_argument('--padding', type=int, default=2,
                        help='white pixels between grid tiles')
    parser.add_argument('--device', default='cpu',
                        help="e.g. cuda:0 (default: cpu)")
    parser.add_argument('--save-codes', metavar='PATH', help='also write '
                        'the codes (.npy array or .pt dict)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    return parser


def _check_options(args: argparse.Namespace) -> None:
    """Counts of at least 1 and finite psi values, before anything is
    loaded (0 would otherwise mean the default, nan a grid of nan)."""
    for flag in ('num', 'nrow', 'steps', 'batch_size'):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise GenerationError(f"--{flag.replace('_', '-')} {value}: "
                                  'give at least 1')
    for flag, values in (('--truncation-psi', [args.truncation_psi]),
                         ('--psi', args.psi)):
        bad = [v for v in values if v is not None and not math.isfinite(v)]
        if bad:
            raise GenerationError(f'{flag} {bad[0]}: give a finite number '
                                  '(1: no truncation, 0: the average code)')


def _seeds(args) -> List[int]:
    if args.seeds is not None:
        return args.seeds
    num = DEFAULT_NUM[args.mode] if args.num is None else args.num
    count = 2 * num if args.mode == 'interpolate' else num
    return list(range(args.seed, args.seed + count))


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'--out': args.out,
                              '--save-codes': args.save_codes})
    return _run(args)


def _run(args: argparse.Namespace) -> dict:
    import torch

    from gankd.config import load_config
    from gankd.utils.frozen_generator import load_generator
    from gankd.utils.images import image_grid, save_png
    _check_options(args)
    if args.save_codes and not args.save_codes.endswith(CODE_SUFFIXES):
        raise GenerationError(f'{args.save_codes}: codes are saved as '
                              f"{' or '.join(CODE_SUFFIXES)}")
    cfg = load_config(args.config, args.cfg_options)
    generator = load_generator(cfg, args.checkpoint, args.converter,
                               args.device, name=args.config)
    torch.manual_seed(args.seed)  # reproducible 'random' noise
    seeds = _seeds(args)
    result = generate(generator, args.mode, seeds, args.nrow, args.steps,
                      args.space, args.truncation_psi, args.psi,
                      args.truncation_layers, args.noise_mode,
                      args.batch_size)
    grid = image_grid(result['images'], result['nrow'], args.padding)
    save_png(grid, args.out)
    if args.save_codes:
        save_codes(args.save_codes, result['codes'], dict(
            space=result['space'], seeds=seeds, mode=args.mode,
            noise_mode=args.noise_mode, truncation_psi=args.truncation_psi,
            psi=args.psi if args.mode == 'truncation' else None,
            truncation_layers=args.truncation_layers))
    rows = math.ceil(len(result['images']) / result['nrow'])
    print(f"wrote {args.out}: {rows} x {result['nrow']} images "
          f"({args.mode}, seeds {seeds[0]}..{seeds[-1]})")
    return result

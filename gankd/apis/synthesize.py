"""``gankd synthesize`` / ``tools/synthesize.py``: new faces of given
people with an identity-conditioned face generator (FaceFeat-GAN).

``CONFIG`` is the training config, ``CHECKPOINT`` a checkpoint of it (the
EMA generator is used unless ``--no-ema``). People are given as face
images (files, folders, ``.txt`` lists; the generator's size, e.g.
32x32; the identity is ``E_id`` of the image) and/or ``--identities``
(indices of training identities in the generator's identity bank).

Under ``--out``, per person ``NAME`` (an image's file stem, or
``id<INDEX>``): ``NAME_samples.png`` (``--num`` new faces, varied pose,
expression, lighting, one row) and, per ``--sweep FEATURE[:LO:HI]``,
``NAME_sweep_FEATURE.png`` (``--sweep-rows`` rows of samples, columns
``--sweep-steps`` values from LO to HI, default -1..1, everything else
fixed). A person that cannot be used (missing or unreadable image, wrong
size, unknown identity) is one line on stderr and in ``failures.txt``;
the others are done. Exit status 1 only when nobody could be done.
"""
import argparse
import os
import sys
from typing import List, Optional

from gankd.errors import UserError, report_user_errors

__all__ = ['synthesize', 'build_parser', 'main']


def _identity(generator, item: dict):
    """The identity argument of one input (an image tensor or an int)."""
    from gankd.apis.face_synthesis import SynthesizeError
    from gankd.apis.invert_inputs import read_image
    if 'image' in item:
        size = generator.resolution
        return read_image(item['image'], (size, size))[None].to(
            generator.device)
    try:
        return int(item['index'])
    except ValueError:
        raise SynthesizeError(f"{item['name']}: identity "
                              f"{item['index']!r} is not an integer")


def synthesize(generator, items: List[dict], out_dir: str, num: int = 8,
               seed: int = 0, sweeps=(), sweep_steps: int = 7,
               sweep_rows: int = 4) -> dict:
    """Write the grids of every input; ``sweeps`` are ``(feature, lo,
    hi)``. Returns ``dict(done=[names], failed=[lines], files=[paths])``."""
    import torch

    from gankd.apis.face_synthesis import attribute_sweep, identity_samples
    from gankd.utils.images import image_grid, save_png, to_uint8
    os.makedirs(out_dir, exist_ok=True)
    report = dict(done=[], failed=[], files=[])
    for item in items:
        try:
            identity = _identity(generator, item)
            outputs = {f"{item['name']}_samples.png": (identity_samples(
                generator, identity, num, seed), num)}
            for feature, lo, hi in sweeps:
                values = torch.linspace(lo, hi, sweep_steps).tolist()
                outputs[f"{item['name']}_sweep_{feature}.png"] = (
                    attribute_sweep(generator, identity, feature, values,
                                    sweep_rows, seed), sweep_steps)
        except (UserError, KeyError) as error:
            line = str(error) if str(error).startswith(item['name']) \
                else f"{item['name']}: {error}"
            print(line, file=sys.stderr)
            report['failed'].append(line)
            continue
        for name, (images, nrow) in outputs.items():
            path = os.path.join(out_dir, name)
            save_png(image_grid(to_uint8(images.float().cpu()), nrow), path)
            report['files'].append(path)
        report['done'].append(item['name'])
    return report


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='New faces of given people (face images or '
        'training identity indices) with a FaceFeat-GAN generator: sample '
        'grids and attribute sweeps.')
    parser.add_argument('config', help='training config (prefix:: allowed)')
    parser.add_argument('checkpoint', help='a checkpoint of its training')
    parser.add_argument('images', nargs='*', metavar='IMAGE',
                        help='face images: files, folders or .txt lists')
    parser.add_argument('--identities', nargs='+', metavar='INDEX',
                        help='training identities (indices in the bank)')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num', type=int, default=8,
                        help='new faces per person (default 8)')
    parser.add_argument('--seed', type=int, default=0,
                        help='face i uses z seeded with seed + i')
    parser.add_argument('--sweep', action='append', default=[],
                        metavar='FEATURE[:LO:HI]',
                        help='an attribute sweep (repeatable), e.g. pose or '
                        'pose:-1:1')
    parser.add_argument('--sweep-steps', type=int, default=7,
                        help='values from LO to HI per sweep (default 7)')
    parser.add_argument('--sweep-rows', type=int, default=4,
                        help='samples (rows) per sweep grid (default 4)')
    parser.add_argument('--no-ema', action='store_true',
                        help='use the trained generator, not its EMA')
    parser.add_argument('--device', default='cpu',
                        help='e.g. cuda:0 (default: cpu)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    from gankd.apis.face_synthesis import (SynthesizeError,
                                           list_identity_inputs,
                                           load_face_generator, parse_sweep)
    from gankd.utils.checkpoint import atomic_write_bytes
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(folders={'--out': args.out})
    if not args.images and not args.identities:
        raise SynthesizeError('give face images and/or --identities')
    for name in ('num', 'sweep_steps', 'sweep_rows'):
        if getattr(args, name) < 1:
            raise SynthesizeError(f"--{name.replace('_', '-')} must be >= 1")
    generator = load_face_generator(args.config, args.checkpoint,
                                    not args.no_ema, args.cfg_options,
                                    args.device)
    sweeps = [parse_sweep(s, generator.feature_names) for s in args.sweep]
    items = list_identity_inputs(args.images, args.identities)
    report = synthesize(generator, items, args.out, args.num, args.seed,
                        sweeps, args.sweep_steps, args.sweep_rows)
    failures = os.path.join(args.out, 'failures.txt')
    if report['failed']:
        atomic_write_bytes(('\n'.join(report['failed']) + '\n').encode(),
                           failures)
    elif os.path.isfile(failures):
        os.remove(failures)
    if not report['done']:
        raise SynthesizeError(f"nobody could be synthesized: "
                              f"{len(report['failed'])} failed ({failures})")
    print(f"synthesized {len(report['done'])} people, "
          f"{len(report['failed'])} failed -> {args.out}")
    return report

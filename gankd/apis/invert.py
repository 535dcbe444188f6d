"""``gankd invert`` / ``tools/invert.py``: images to latent codes with an
inverter config, for reconstruction or a restoration task.

``CONFIG`` holds ``model`` (an inverter, built with
:func:`gankd.kinds.build_inverter`) and optionally ``degradation`` (a
``gankd.models.degradations`` config); ``--task`` picks the degradation
instead (keeping the config's options when it names the same type).
Inputs are image files, folders (their .png/.jpg/.jpeg/.bmp files) or .txt
lists (one path per line, relative to the list's folder); the sorted list
gives each image its stable index, which seeds its random initialisation.

Inputs are observations (gray, low-resolution, masked); ``--degrade``
takes clean images and degrades them first (evaluation: PSNR/SSIM of the
restored output against the clean image). Without it the metrics compare
``degradation(output)`` with the observation. Under ``--out``:
``restored/<stem>.png`` (the task's output), ``reconstruction/<stem>.png``
(the generator's image), ``codes/<stem>.pt`` (see
:func:`gankd.apis.invert_outputs.save_image_codes`; ``gankd edit --codes``
reads it), ``metrics.csv`` (``name, task, psnr, ssim, loss, num_iters,
seconds``; seconds are the image's share of its batch's time; rewritten
after every batch) and ``settings.json`` (what the results depend on:
model config, task, degradation, ``--degrade``, the generator's identity;
see :mod:`gankd.apis.invert_settings`). A re-run with the same settings
skips images whose codes and row exist (``--force`` redoes them); one with
other settings is refused, naming what differs, unless ``--force``, which
removes the earlier results first. Unreadable or wrongly sized images are
skipped with one line each, also written to ``failures.txt``.
"""
import argparse
import os
import sys
import time
from typing import List, Optional

from gankd.apis.invert_inputs import ImageInputError, list_inputs, read_image
from gankd.apis.invert_outputs import (image_metrics, read_rows,
                                       save_image_codes, write_rows)
from gankd.errors import UserError, report_user_errors
from gankd.utils.progress import ProgressLine

__all__ = ['InvertError', 'TASKS', 'task_of', 'build_degradation',
           'invert_images', 'build_parser', 'main']

#: task -> degradation type
TASKS = {'reconstruction': 'IdentityDegradation',
         'colorization': 'Grayscale',
         'super_resolution': 'Downsample',
         'inpainting': 'Mask'}


class InvertError(UserError):
    """Inputs or options the inversion cannot use."""


def task_of(kind: str) -> str:
    """The task a degradation type serves (its own name if none)."""
    names = {v: k for k, v in TASKS.items()}
    return names.get(kind, 'inpainting' if kind.endswith('Mask') else kind)


def build_degradation(cfg: Optional[dict], task: Optional[str] = None,
                      factor: Optional[int] = None,
                      mask: Optional[str] = None):
    """``(task name, degradation module or None, its config)``.

    ``task`` replaces the config's degradation unless that one serves the
    same task (then its options stay); ``factor`` sets Downsample's factor
    (default 4), ``mask`` a Mask's file.
    """
    from gankd.registry import MODELS
    cfg = dict(cfg or dict(type='IdentityDegradation'))
    if task is not None and task_of(cfg['type']) != task:
        cfg = dict(type=TASKS[task])
    name = task_of(cfg['type'])
    for option, value, target in (('--factor', factor, 'super_resolution'),
                                  ('--mask', mask, 'inpainting')):
        if value is not None and name != target:
            raise InvertError(f'{option} is for {target}, not {name}: give '
                              f'--task {target}')
    if mask is not None and cfg['type'] != 'Mask':
        cfg = dict(type='Mask')  # e.g. a config's CentreHoleMask
    if mask is not None:
        cfg['mask'] = mask
    if factor is not None:
        cfg['factor'] = factor
    if cfg['type'] == 'Downsample':
        cfg.setdefault('factor', 4)
    if cfg['type'] == 'Mask' and 'mask' not in cfg:
        raise InvertError('inpainting needs a mask: give --mask PATH (0 on '
                          'holes, nonzero on known pixels) or a config '
                          'degradation with one')
    if cfg['type'] == 'IdentityDegradation':
        return name, None, cfg
    return name, MODELS.build(cfg), cfg


def _batches(paths: List[str], todo: List[int], size: tuple, gray_ok: bool,
             batch_size: int, failures: List[str], progress: ProgressLine):
    """``(indices, paths, images [b, 3, h, w])`` of the readable images in
    ``todo``; the others are reported and counted as done."""
    import torch
    indices, images = [], []
    for n, index in enumerate(todo):
        try:
            images.append(read_image(paths[index], size, gray_ok))
            indices.append(index)
        except ImageInputError as error:
            failures.append(str(error))
            print(f'skipped {error}', file=sys.stderr)
            progress.update(1)
        if images and (len(images) == batch_size or n == len(todo) - 1):
            yield indices, [paths[i] for i in indices], torch.stack(images)
            indices, images = [], []


def invert_images(inverter, paths: List[str], out_dir: str, degradation=None,
                  task: str = 'reconstruction', degrade: bool = False,
                  batch_size: int = 8, force: bool = False,
                  progress: bool = True, info: Optional[dict] = None,
                  device: str = 'cpu') -> dict:
    """Invert ``paths`` (sorted; index = position) into ``out_dir``.

    Returns:
        dict(done=[names], skipped=[names], failed=[lines], rows={name:
        csv row}) for this run.
    """
    import torch

    from gankd.utils.images import save_png, to_uint8
    names = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    csv_path = os.path.join(out_dir, 'metrics.csv')
    rows = read_rows(csv_path)
    code_path = os.path.join(out_dir, 'codes', '{}.pt').format
    skipped = [] if force else [n for n in names if n in rows and
                                os.path.isfile(code_path(n))]
    todo = [i for i, n in enumerate(names) if n not in skipped]
    resolution = inverter.generator.resolution
    clean = torch.zeros(1, 3, resolution, resolution)
    size = tuple((clean if degrade or degradation is None
                  else degradation(clean)).shape[-2:])
    gray_ok = task == 'colorization' and not degrade
    line = ProgressLine('invert', len(todo), enabled=progress)
    done, failed = [], []
    inverter.to(device).eval()
    for indices, batch_paths, images in _batches(
            paths, todo, size, gray_ok, batch_size, failed, line):
        start = time.perf_counter()
        images = images.to(device)
        observation = images if not degrade or degradation is None else \
            degradation(images)
        result = inverter.invert(observation, degradation, indices)
        seconds = (time.perf_counter() - start) / len(indices)
        if degrade:
            quality = image_metrics(result['restored'], images)
        else:
            output = result['image'] if degradation is None else \
                degradation(result['image'])
            quality = image_metrics(output, observation)
        restored, image = (to_uint8(result[k].detach().cpu())
                           for k in ('restored', 'image'))
        for i, index in enumerate(indices):
            name = names[index]
            for folder, tensor in (('restored', restored),
                                   ('reconstruction', image)):
                save_png(tensor[i].permute(1, 2, 0).numpy(),
                         os.path.join(out_dir, folder, f'{name}.png'))
            save_image_codes(code_path(name), result, i, dict(
                info or {}, task=task, source=batch_paths[i]))
            rows[name] = dict(
                name=name, task=task, psnr=f'{quality[0][i]:.4f}',
                ssim=f'{quality[1][i]:.4f}',
                loss=f"{float(result['loss'][i]):.6g}",
                num_iters=len(result['history']), seconds=f'{seconds:.3f}')
            done.append(name)
        write_rows(csv_path, rows)
        line.update(len(indices))
    return dict(done=done, skipped=skipped, failed=failed, rows=rows)


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='Invert images into a generator\'s latent '
        'space (reconstruction, colorization, super-resolution, '
        'inpainting).')
    parser.add_argument('config', help='inverter config (prefix:: allowed)')
    parser.add_argument('inputs', nargs='+', metavar='INPUT',
                        help='image files, folders or .txt lists')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--task', choices=list(TASKS),
                        help="the degradation (default: the config's, or "
                        'reconstruction)')
    parser.add_argument('--factor', type=int, help='super-resolution '
                        'factor (default: the config\'s, or 4)')
    parser.add_argument('--mask', help='inpainting mask file (.png/.npy; '
                        'by default 0 marks holes)')
    parser.add_argument('--degrade', action='store_true', help='inputs are '
                        'clean images: degrade them first and score the '
                        'restored output against them')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='images inverted together (the results do not '
                        'depend on it)')
    parser.add_argument('--num-iters', type=int,
                        help="override the inverter's num_iters")
    parser.add_argument('--force', action='store_true',
                        help='redo images that are already done; when the '
                        "settings differ from --out's settings.json, first "
                        'remove the results made with the old ones')
    parser.add_argument('--device', default='cpu',
                        help='e.g. cuda:0 (default: cpu)')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress line')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    import copy

    from gankd.apis.invert_settings import prepare_output, run_settings
    from gankd.config import load_config
    from gankd.kinds import build_inverter
    from gankd.registry import scope_config_types
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(folders={'--out': args.out})
    if args.batch_size < 1:  # checked before the inverter is built
        raise InvertError(f'--batch-size {args.batch_size}: give at least 1')
    cfg = load_config(args.config, args.cfg_options)
    if args.num_iters is not None:
        cfg.model.num_iters = args.num_iters
    model_cfg = cfg.model.to_dict()
    degradation_cfg = cfg.get('degradation')
    task, degradation, degradation_cfg = build_degradation(
        degradation_cfg.to_dict() if degradation_cfg else None, args.task,
        args.factor, args.mask)
    paths = list_inputs(args.inputs)
    model = copy.deepcopy(model_cfg)  # as configured: the build scopes it
    inverter = build_inverter(scope_config_types(model_cfg))
    identity = inverter.generator.identity()
    removed = prepare_output(args.out, run_settings(
        args.config, model, task, degradation_cfg, args.degrade, identity),
        args.force)
    if removed:
        print(f'removed the results of {len(removed)} images made with '
              f'other settings from {args.out} (--force)')
    if degradation is not None:
        degradation.to(args.device)
    report = invert_images(
        inverter, paths, args.out, degradation, task, args.degrade,
        args.batch_size, args.force, not args.no_progress,
        dict(inverter=inverter.decoding_info(),
             generator=identity,
             degradation=degradation_cfg), args.device)
    _finish(report, args.out, task)
    return report


def _finish(report: dict, out_dir: str, task: str) -> None:
    """failures.txt, the summary line, and an error when nothing is done."""
    import numpy as np

    from gankd.utils.checkpoint import atomic_write_bytes
    failures = os.path.join(out_dir, 'failures.txt')
    if report['failed']:
        atomic_write_bytes(('\n'.join(report['failed']) + '\n').encode(),
                           failures)
    elif os.path.isfile(failures):
        os.remove(failures)  # a stale list from an earlier run
    if not report['done'] and not report['skipped']:
        raise InvertError(f"no image could be inverted: "
                          f"{len(report['failed'])} failed, listed in "
                          f'{failures}')
    values = [float(report['rows'][n]['psnr']) for n in report['done']]
    mean = f', mean PSNR {np.mean(values):.2f} dB' if values else ''
    print(f"inverted {len(report['done'])} images ({task}{mean}), skipped "
          f"{len(report['skipped'])} already done, "
          f"{len(report['failed'])} failed -> {out_dir}")

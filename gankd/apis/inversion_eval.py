"""``gankd evaluate-inversion`` / ``tools/evaluate_inversion.py``: every
inverter of a config on every task, PSNR and SSIM on held-out images.

An evaluation config holds:

* ``generator``: ``dict(config=..., checkpoint=...)`` (built once, shared);
* ``images``: a dataset config of clean held-out images (e.g. SynthFaces
  ``split='test'``) and ``num_images``;
* ``tasks``: ``{name: degradation config}``; the observation of an image
  is ``degradation(image)``, the score compares the task's output
  (``result['restored']``) with the clean image;
* ``rows``: ``[dict(name=..., inverter=dict(type=...)), ...]``; each
  inverter gets the shared ``generator`` and, unless it sets them,
  ``loss`` and ``num_iters`` (equal budgets), then inverts all images of a
  task as one batch.

Each (task, row) cell is saved under ``work_dir/cells/`` as soon as it is
done (metrics and uint8 outputs, atomically) and reused on a re-run, so an
interrupted evaluation resumes. ``results.json``, ``results.md`` (the
table), one sample grid per task (clean, observation, then each row) and
the clean images (``images/0000.png``, ...) go to the work directory.
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import os
import time
from typing import TYPE_CHECKING, Dict, List, Optional

from gankd.errors import UserError, report_user_errors

if TYPE_CHECKING:  # annotations only: imported where used
    import numpy as np
    from torch import Tensor

__all__ = ['evaluate_cell', 'evaluate_inversion',
           'markdown_table', 'build_parser', 'main']


class EvaluationError(UserError):
    """An evaluation config that cannot run."""




def _uint8(images: Tensor) -> np.ndarray:
    from gankd.utils.images import to_uint8
    return to_uint8(images.detach().cpu()).numpy()


def evaluate_cell(inverter, images: Tensor, degradation) -> dict:
    """Invert ``degradation(images)`` as one batch; the task's output and
    its PSNR / SSIM against the clean ``images`` (uint8, per image)."""
    import torch

    from gankd.evaluation.image_quality import psnr, ssim
    with torch.no_grad():
        observation = degradation(images)
    start = time.perf_counter()
    result = inverter.invert(observation, degradation)
    seconds = time.perf_counter() - start
    clean, restored = _uint8(images), _uint8(result['restored'])
    return dict(psnr=psnr(restored, clean).tolist(),
                ssim=ssim(restored, clean).tolist(), seconds=seconds,
                loss=result['loss'].tolist(), restored=restored,
                observation=_uint8(observation))


#: the reference row: no generator, the observation itself
OBSERVATION_ROW = 'observation only (no GAN)'


class ObservationOnly:
    """The no-prior reference of a task: the observation brought to the
    image size (bicubic) and post-processed by the degradation's
    ``restore`` (the gray image, the image with its hole left empty)."""

    def invert(self, observation: Tensor, degradation) -> dict:
        import torch
        import torch.nn.functional as F
        factor = getattr(degradation, 'factor', 1)  # Downsample's
        upsampled = observation if factor == 1 else F.interpolate(
            observation, scale_factor=factor, mode='bicubic',
            align_corners=False).clamp(-1, 1)
        return dict(restored=degradation.restore(upsampled, observation),
                    loss=torch.zeros(len(observation)))


def _slug(name: str) -> str:
    """A row name as a file name: ``'mGANprior N=5 mid'`` ->
    ``'mganprior_n5_mid'``."""
    import re
    return re.sub(r'[^a-z0-9]+', '_', name.lower().replace('=', '')).strip('_')


def _save_cell(path: str, cell: dict) -> None:
    import numpy as np
    import torch

    from gankd.utils.checkpoint import atomic_write_bytes
    buffer = io.BytesIO()
    torch.save({k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v
                for k, v in cell.items()}, buffer)
    atomic_write_bytes(buffer.getvalue(), path)


def _load_cell(path: str) -> dict:
    from torch import Tensor

    from gankd.utils.checkpoint import load_weights
    return {k: v.numpy() if isinstance(v, Tensor) else v
            for k, v in load_weights(path).items()}


def _save_images(images: Tensor, folder: str) -> None:
    """The clean images as PNG files (``0000.png``, ...), inputs for
    ``tools/invert.py`` and ``tools/edit.py``."""
    from gankd.utils.images import save_png
    os.makedirs(folder, exist_ok=True)
    for i, image in enumerate(_uint8(images)):
        path = os.path.join(folder, f'{i:04d}.png')
        if not os.path.isfile(path):
            save_png(image.transpose(1, 2, 0), path)


def _build_inverter(row: dict, cfg, generator, loss):
    """A row's inverter with the shared generator and, unless the row
    sets them, the shared loss module (its feature net loaded once) and
    iteration budget."""
    from gankd.kinds import build_inverter
    from gankd.registry import scope_config_types
    inverter = scope_config_types(copy.deepcopy(dict(row['inverter'])))
    inverter.setdefault('num_iters', cfg.num_iters)
    if loss is not None:
        inverter.setdefault('loss', loss)  # after scoping: modules stay
    inverter['generator'] = generator
    return build_inverter(inverter)


def markdown_table(results: Dict[str, Dict[str, dict]], tasks: List[str],
                   rows: List[str]) -> str:
    """Rows x tasks of ``PSNR / SSIM`` means; the best PSNR in bold."""
    import numpy as np
    head = '| inverter | ' + ' | '.join(
        f'{t} PSNR / SSIM' for t in tasks) + ' |'
    lines = [head, '|' + '---|' * (len(tasks) + 1)]
    best = {t: max((np.mean(results[t][r]['psnr']) for r in rows
                    if r in results.get(t, {})), default=None)
            for t in tasks}
    for row in rows:
        cells = []
        for task in tasks:
            cell = results.get(task, {}).get(row)
            if cell is None:
                cells.append('—')
                continue
            value = np.mean(cell['psnr'])
            text = f"{value:.2f} / {np.mean(cell['ssim']):.3f}"
            cells.append(f'**{text}**' if value == best[task] else text)
        lines.append(f'| {row} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def _grid(task: str, images: Tensor, cells: Dict[str, dict],
          rows: List[str], count: int, path: str, zoom: int = 2) -> None:
    """One sample grid per task: clean, observation (upsampled to the
    image size by nearest neighbour), then each row's output; pixels
    repeated ``zoom`` times (small images)."""
    import numpy as np
    import torch

    from gankd.utils.images import image_grid, save_png
    clean = _uint8(images[:count])
    size = clean.shape[-1]
    first = next(iter(cells.values()))['observation'][:count]
    scale = size // first.shape[-1]
    observation = first.repeat(scale, axis=2).repeat(scale, axis=3)
    columns = [clean, observation] + [cells[r]['restored'][:count]
                                      for r in rows if r in cells]
    stacked = np.stack(columns, axis=1).reshape(-1, 3, size, size)
    grid = image_grid(torch.from_numpy(stacked), len(columns))
    save_png(grid.repeat(zoom, axis=0).repeat(zoom, axis=1), path)


def evaluate_inversion(config: str, work_dir: Optional[str] = None,
                       rows: Optional[List[str]] = None,
                       tasks: Optional[List[str]] = None,
                       cfg_options: Optional[dict] = None,
                       grid_images: int = 4) -> dict:
    """Run (or resume) the evaluation of ``config``; returns the results
    ``{task: {row: dict(psnr, ssim, seconds, loss)}}``."""
    import numpy as np
    import torch

    from gankd.config import load_config
    from gankd.registry import MODELS, scope_config_types
    from gankd.utils.frozen_generator import build_frozen_generator
    from gankd.utils.images import dataset_images
    cfg = load_config(config, cfg_options)
    all_rows = [r['name'] for r in cfg.rows]
    all_tasks = list(cfg.tasks)
    for given, known, what in ((rows, all_rows, 'row'),
                               (tasks, all_tasks, 'task')):
        unknown = sorted(set(given or ()) - set(known))
        if unknown:
            raise EvaluationError(f'unknown {what} {unknown}; the config '
                                  f"has {', '.join(known)}")
    rows, tasks = rows or all_rows, tasks or all_tasks
    stem = os.path.splitext(os.path.basename(config.split('::')[-1]))[0]
    work_dir = work_dir or cfg.get('work_dir') or os.path.join(
        'work_dirs', stem)
    os.makedirs(os.path.join(work_dir, 'cells'), exist_ok=True)
    torch.manual_seed(cfg.get('seed', 0))
    generator = build_frozen_generator(cfg.generator.to_dict())
    images = dataset_images(cfg.images.to_dict(), cfg.num_images)
    loss = None if cfg.get('loss') is None else MODELS.build(
        scope_config_types(cfg.loss.to_dict()))
    _save_images(images, os.path.join(work_dir, 'images'))
    by_name = {r['name']: r for r in cfg.rows}
    results = {}
    for task in tasks:
        degradation = MODELS.build(scope_config_types(
            copy.deepcopy(cfg.tasks[task].to_dict())))
        cells = {}
        # the reference row, except where the observation is the image
        reference = ([OBSERVATION_ROW] if type(degradation).__name__ !=
                     'IdentityDegradation' else [])
        for row in reference + rows:
            path = os.path.join(work_dir, 'cells', f'{task}__{_slug(row)}.pt')
            if os.path.isfile(path):
                cells[row] = _load_cell(path)
                print(f'{task} / {row}: cached')
            else:
                inverter = (ObservationOnly() if row == OBSERVATION_ROW else
                            _build_inverter(by_name[row], cfg, generator,
                                            loss))
                cells[row] = evaluate_cell(inverter, images, degradation)
                _save_cell(path, cells[row])
            cell = cells[row]
            print(f"{task} / {row}: PSNR {np.mean(cell['psnr']):.2f} dB, "
                  f"SSIM {np.mean(cell['ssim']):.3f}, "
                  f"{cell['seconds']:.1f} s", flush=True)
        results[task] = {r: {k: c[k] for k in ('psnr', 'ssim', 'seconds',
                                               'loss')}
                         for r, c in cells.items()}
        _grid(task, images, cells, rows, grid_images,
              os.path.join(work_dir, f'grid_{task}.png'))
    from gankd.utils.checkpoint import atomic_write_bytes
    atomic_write_bytes(json.dumps(results, indent=1).encode(),
                       os.path.join(work_dir, 'results.json'))
    table = markdown_table(results, tasks, [OBSERVATION_ROW] + rows)
    atomic_write_bytes((table + '\n').encode(),
                       os.path.join(work_dir, 'results.md'))
    return results


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='PSNR / SSIM of inverters on held-out '
        'images, per task (reconstruction, colourisation, ...)')
    parser.add_argument('config', help='an evaluation config '
                        '(configs/mganprior/evaluation_*.py)')
    parser.add_argument('--work-dir', help='default work_dirs/<config>')
    parser.add_argument('--rows', nargs='+', help='only these rows')
    parser.add_argument('--tasks', nargs='+', help='only these tasks')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config entries (key=value)')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(folders={'--work-dir': args.work_dir})
    return evaluate_inversion(args.config, args.work_dir, args.rows,
                              args.tasks, args.cfg_options)

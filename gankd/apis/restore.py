"""``gankd restore`` / ``tools/restore.py``: degraded faces (plus a
reference photo of the same person each) restored by a trained restorer.

``CONFIG`` names the restorer (``model``, a ``BaseRestorer``), built
without what only training needs (``inference_config``) and loaded from
``CHECKPOINT`` (a Runner checkpoint, weights only; every weight the
restorer runs with must be in it, with its shape). Inputs: image files,
folders or ``.txt`` lists of paths; ``--references`` a folder (the image
with the same file stem) or a ``.txt`` list of ``NAME PATH`` lines;
``--gt`` a folder of ground truths (same stem) for PSNR / SSIM. Every
image must have the restorer's size.

Under ``--out``: ``restored/<name>.png``, ``records.csv`` (``name,
degraded, reference, psnr, ssim, seconds``; rewritten after every batch)
and ``settings.json`` (config, model, checkpoint hash). A re-run with the
same settings skips the images already done (``--force`` redoes them);
with other settings it is refused unless ``--force``, which removes the
earlier results first. Files are written atomically (a temp file, then a
rename), so an interrupted run leaves whole images and a table that
lists only them. Unusable images (no reference, unreadable, wrong size)
are skipped with one line each, also written to ``failures.txt``.
"""
import argparse
import os
import sys
import time
from typing import List, Optional

from gankd.errors import UserError, report_user_errors

__all__ = ['RestoreError', 'restore_images', 'load_restorer', 'main']


class RestoreError(UserError):
    """Options or a checkpoint the restore command cannot use."""


def load_restorer(config: str, checkpoint: str, cfg_options=None,
                  device: str = 'cpu'):
    """``(restorer, inference model config)`` from a config and a Runner
    checkpoint (strict for every weight the restorer has)."""
    from gankd.config import load_config
    from gankd.kinds import build_restorer
    from gankd.models.predictors.frozen_classifier import \
        load_state_dict_strict
    from gankd.registry import MODELS, resolve_type, scope_config_types
    from gankd.utils.checkpoint import (load_training_checkpoint,
                                        require_checkpoint)
    cfg = load_config(config, cfg_options)
    model = cfg.model.to_dict()
    cls = resolve_type(MODELS, model['type'], model.get('_scope_'))
    model = cls.inference_config(model) if hasattr(
        cls, 'inference_config') else model
    restorer = build_restorer(scope_config_types(dict(model)))
    require_checkpoint(checkpoint, 'the restorer checkpoint')
    state = load_training_checkpoint(checkpoint)
    state = state.get('state_dict', state)
    own = restorer.state_dict()
    # training-only parts (discriminator, loss nets) may be in the file;
    # every weight the restorer runs with must be
    load_state_dict_strict(
        restorer, checkpoint, {k: v for k, v in state.items() if k in own},
        what=f'{type(restorer).__name__} of {config}',
        hint='give the checkpoint of a training run of this config')
    return restorer.to(device).eval(), model


def _read(path: Optional[str], what: str, size, name: str):
    from gankd.apis.invert_inputs import ImageInputError, read_image
    if path is None:
        raise ImageInputError(f'{name}: no {what} found')
    return read_image(path, size)


def restore_images(restorer, pairs: List[dict], out_dir: str,
                   batch_size: int = 8, force: bool = False,
                   progress: bool = True, device: str = 'cpu') -> dict:
    """Restore ``pairs`` (:func:`~gankd.apis.restore_inputs.pair_inputs`)
    into ``out_dir``.

    Returns:
        dict(done=[names], skipped=[names], failed=[lines], rows).
    """
    import torch

    from gankd.apis.invert_inputs import ImageInputError
    from gankd.apis.invert_outputs import image_metrics
    from gankd.apis.restore_outputs import read_records, write_records
    from gankd.utils.images import save_png, to_uint8
    from gankd.utils.progress import ProgressLine
    rows = read_records(out_dir)
    png = os.path.join(out_dir, 'restored', '{}.png').format
    skipped = [] if force else [p['name'] for p in pairs
                                if p['name'] in rows and
                                os.path.isfile(png(p['name']))]
    todo = [p for p in pairs if p['name'] not in skipped]
    if not isinstance(getattr(restorer, 'resolution', None), int):
        raise RestoreError(f'{type(restorer).__name__} has no resolution '
                           '(int): a restorer sets the image side it takes')
    size = (restorer.resolution, ) * 2
    line = ProgressLine('restore', len(todo), enabled=progress)
    done, failed, batch = [], [], []

    def flush():
        start = time.perf_counter()
        with torch.no_grad():
            degraded = torch.stack([b['images'][0] for b in batch]).to(device)
            reference = torch.stack([b['images'][1] for b in batch]).to(
                device) if restorer.uses_reference else None
            out = restorer.restore(degraded, reference).clamp(-1, 1).cpu()
        seconds = (time.perf_counter() - start) / len(batch)
        for i, item in enumerate(batch):
            save_png(to_uint8(out[i:i + 1])[0].permute(1, 2, 0).numpy(),
                     png(item['name']))
            metrics = ('', '')
            if item['images'][2] is not None:
                value = image_metrics(out[i:i + 1], item['images'][2][None])
                metrics = (f'{value[0][0]:.4f}', f'{value[1][0]:.4f}')
            rows[item['name']] = dict(
                name=item['name'], degraded=item['degraded'],
                reference=item['reference'] or '', psnr=metrics[0],
                ssim=metrics[1], seconds=f'{seconds:.4f}')
            done.append(item['name'])
        write_records(out_dir, rows)  # after the images it lists
        line.update(len(batch))
        batch.clear()

    for pair in todo:
        try:
            images = (
                _read(pair['degraded'], 'degraded image', size, pair['name']),
                _read(pair['reference'], 'reference', size, pair['name'])
                if restorer.uses_reference else None,
                None if pair['gt'] is None else
                _read(pair['gt'], 'ground truth', size, pair['name']))
        except ImageInputError as error:
            failed.append(str(error))
            print(f'skipped {error}', file=sys.stderr)
            line.update(1)
            continue
        batch.append(dict(pair, images=images))
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    return dict(done=done, skipped=skipped, failed=failed, rows=rows)


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='Restore degraded faces with a trained '
        'restorer and a reference photo of the same person.')
    parser.add_argument('config', help='restorer config (prefix:: allowed)')
    parser.add_argument('checkpoint', help='its trained Runner checkpoint')
    parser.add_argument('inputs', nargs='+', metavar='DEGRADED',
                        help='degraded images: files, folders or .txt lists')
    parser.add_argument('--references', help='folder of references (same '
                        'file stem) or .txt list of "NAME PATH" lines')
    parser.add_argument('--gt', help='folder of ground truths (same stem): '
                        'PSNR / SSIM per image')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='images restored together (the results do not '
                        'depend on it)')
    parser.add_argument('--force', action='store_true', help='redo images '
                        'already done; replace results of other settings')
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
    from gankd.apis.restore_inputs import pair_inputs
    from gankd.apis.restore_outputs import prepare_output
    from gankd.utils.checkpoint import atomic_write_bytes
    from gankd.utils.model_index import sha256sum
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(folders={'--out': args.out})
    if args.batch_size < 1:
        raise RestoreError(f'--batch-size {args.batch_size}: give at '
                           'least 1')
    pairs = pair_inputs(args.inputs, args.references, args.gt)
    restorer, model = load_restorer(args.config, args.checkpoint,
                                    args.cfg_options, args.device)
    if restorer.uses_reference and args.references is None:
        raise RestoreError(f'{type(restorer).__name__} restores from a '
                           'reference of the same person: give '
                           '--references FOLDER_OR_LIST')
    removed = prepare_output(args.out, dict(
        config=args.config, model=model,
        checkpoint=f'sha256:{sha256sum(args.checkpoint)}'), args.force)
    if removed:
        print(f'removed {len(removed)} results of other settings from '
              f'{args.out} (--force)')
    report = restore_images(restorer, pairs, args.out, args.batch_size,
                            args.force, not args.no_progress, args.device)
    failures = os.path.join(args.out, 'failures.txt')
    if report['failed']:
        atomic_write_bytes(('\n'.join(report['failed']) + '\n').encode(),
                           failures)
    elif os.path.isfile(failures):
        os.remove(failures)  # a stale list from an earlier run
    if not report['done'] and not report['skipped']:
        raise RestoreError(f"no image could be restored: "
                           f"{len(report['failed'])} failed, listed in "
                           f'{failures}')
    print(f"restored {len(report['done'])} images, skipped "
          f"{len(report['skipped'])} already done, "
          f"{len(report['failed'])} failed -> {args.out}")
    return report

"""``gankd build-teacher-cache`` / ``tools/build_teacher_cache.py``: fill
a distillation config's teacher cache (``model.teacher_cache``) ahead of
training, for every training sample and augmentation variant.

Training fills the same cache lazily in its first epoch; building it
first makes every epoch cost the student alone, and a cache built once
serves every run with the same teacher, layers, data and pipeline. Rows
already filled are skipped, so an interrupted build continues where it
stopped.
"""
import argparse
import copy
from typing import List, Optional

from gankd.errors import UserError, report_user_errors

__all__ = ['build_parser', 'build_teacher_cache', 'main']

SYNC_EVERY = 20  # batches between publishing rows (kept if interrupted)


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='Compute the teacher outputs a distillation '
        'config caches (model.teacher_cache) for every training sample and '
        'augmentation variant, before training.')
    parser.add_argument('config', help='distillation config with '
                        'model.teacher_cache, or <plugin>::path')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys, e.g. '
                        'model.teacher_ckpt=PATH')
    parser.add_argument('--dir', help='cache folder (default: '
                        'model.teacher_cache.dir)')
    parser.add_argument('--dtype', choices=['float32', 'float16'],
                        help='stored precision (default: '
                        'model.teacher_cache.dtype, else float32)')
    parser.add_argument('--batch-size', type=int, default=256,
                        help='teacher batch size (default: 256)')
    parser.add_argument('--num-workers', type=int, default=0,
                        help='data loading processes (default: 0)')
    parser.add_argument('--rebuild', action='store_true',
                        help='replace a cache built for another teacher, '
                        'layers, data or dtype (default: as '
                        'model.teacher_cache.on_mismatch says)')
    return parser


def _model(cfg):
    """The distiller of ``cfg`` with its teacher weights loaded."""
    from gankd.registry import MODELS, scope_config_types
    from gankd.utils.build_errors import explain_build_errors
    model_cfg = copy.deepcopy(cfg.model)
    if 'data_preprocessor' not in model_cfg and cfg.get('data_preprocessor'):
        model_cfg.data_preprocessor = copy.deepcopy(cfg.data_preprocessor)
    with explain_build_errors(cfg):
        model = MODELS.build(scope_config_types(model_cfg))
    if getattr(model, 'teacher_cache_cfg', None) is None:
        raise UserError(f'{type(model).__name__} has no model.teacher_cache:'
                        " set it, e.g. --cfg-options model.teacher_cache.dir="
                        'work_dirs/teacher_cache.')
    return model.eval()


def build_teacher_cache(cfg, batch_size: int = 256, num_workers: int = 0,
                        rebuild: bool = False, progress: bool = True) -> dict:
    """Fill every row of ``cfg``'s teacher cache that is not filled yet.

    Returns:
        dict: ``dir``, ``state`` (reused/new/rebuilt ...), ``computed``
        and ``already`` (rows), ``variants``, ``complete`` (every row of
        every output filled, as the manifest now says).
    """
    import torch
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from torch.utils.data import DataLoader

    from gankd.registry import DATASETS
    from gankd.utils.progress import ProgressLine
    init_default_scope(cfg.get('default_scope', 'gankd'))
    model = _model(cfg)
    dataset_cfg = cfg.train_dataloader.dataset.to_dict()
    dataset = DATASETS.build(copy.deepcopy(dataset_cfg))
    probe = model.data_preprocessor(pseudo_collate([dataset[0]]),
                                    False)['inputs']
    model.bind_teacher_cache(dataset_cfg, len(dataset), probe,
                             on_mismatch='rebuild' if rebuild else None)
    cached = model.cached_teacher
    names = cached.store.names
    pipelines = cached.augmentation.forced_pipelines(dataset_cfg['pipeline'])
    todo = [cached.missing_samples(names, variant)
            for variant in range(len(pipelines))]
    total = sum(len(t) for t in todo)
    bar = ProgressLine('build-teacher-cache', total, unit='rows',
                       enabled=progress)
    for pipeline, samples in zip(pipelines, todo):
        if not len(samples):
            continue
        data = DATASETS.build(dict(copy.deepcopy(dataset_cfg),
                                   pipeline=pipeline))
        loader = DataLoader(data, batch_size=batch_size, sampler=samples,
                            num_workers=num_workers,
                            collate_fn=pseudo_collate)
        for i, batch in enumerate(loader):
            with torch.no_grad():
                batch = model.data_preprocessor(batch, False)
            cached.fill(batch['inputs'], names, batch['data_samples'],
                        model.compute_teacher_features)
            bar.update(len(batch['data_samples']))
            if (i + 1) % SYNC_EVERY == 0:
                cached.sync()
    store = cached.store
    model.close_teacher_cache()  # publishes the rows, marks completeness
    return dict(dir=store.directory, state=store.state, computed=total,
                already=store.rows - total, variants=len(pipelines),
                complete=all(store.manifest['complete'].values()))


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    from gankd.apis.config import prepare_config
    from gankd.config import load_config
    cfg = load_config(args.config, args.cfg_options)
    if args.dir is not None or args.dtype is not None:
        cache = dict(cfg.model.get('teacher_cache') or {})
        cache.update({k: v for k, v in (('dir', args.dir),
                                        ('dtype', args.dtype)) if v})
        cfg.model.teacher_cache = cache
    if args.batch_size < 1:
        raise UserError(f'--batch-size {args.batch_size}: use at least 1.')
    cfg = prepare_config(cfg, 'check')
    result = build_teacher_cache(cfg, args.batch_size, args.num_workers,
                                 args.rebuild)
    print(f"teacher cache {result['dir']}: {result['state']}; "
          f"{result['computed']} rows computed, {result['already']} already "
          f"there ({result['variants']} augmentation variant(s)); "
          + ('complete.' if result['complete'] else 'NOT complete.'))

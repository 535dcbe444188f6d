"""What the teacher cache does to accuracy: KD on the ``quick`` preset of
``gankd benchmark`` trained without the cache, with a float32 cache and
with a float16 cache (filled lazily in the first epoch), each tested on
the test split; float32 must give the uncached run's weights exactly.

Used by ``gankd benchmark-distillation-speed --accuracy``.
"""
import os
from typing import List, Optional

__all__ = ['cache_accuracy_section']

VARIANTS = [('no cache', None), ('cache, float32', 'float32'),
            ('cache, float16', 'float16')]


def _identical(work_a: str, work_b: str) -> bool:
    import torch

    from gankd.apis.benchmark import _last_checkpoint
    from gankd.utils.checkpoint import load_training_checkpoint
    a, b = (load_training_checkpoint(_last_checkpoint(w))['state_dict']
            for w in (work_a, work_b))
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def cache_accuracy_section(work_root: str,
                           teacher_ckpt: Optional[str] = None) -> List[str]:
    """Train (the quick teacher unless ``teacher_ckpt``) and the three KD
    runs under ``work_root``; returns the report's Markdown lines."""
    from gankd.apis.benchmark import (PRESETS, RUNS, _last_checkpoint,
                                      _run_options, _test, _train)
    preset = PRESETS['quick']
    teacher_run, kd_run = RUNS[0], RUNS[2]

    def progress(what, seconds):
        print(f'    {what}  ({seconds:.0f} s)', flush=True)

    if teacher_ckpt is None:
        print('teacher (quick preset): training', flush=True)
        work = os.path.join(work_root, 'teacher')
        _train(teacher_run, 0, _run_options(teacher_run, preset), work,
               progress)
        teacher_ckpt = _last_checkpoint(work)
    rows, works = [], {}
    for name, dtype in VARIANTS:
        print(f'KD, {name}: training', flush=True)
        options = dict(_run_options(kd_run, preset),
                       **{'model.teacher_ckpt': teacher_ckpt})
        work = os.path.join(work_root, 'kd_' + (dtype or 'plain'))
        if dtype is not None:
            options['model.teacher_cache.dir'] = os.path.join(work, 'cache')
            options['model.teacher_cache.dtype'] = dtype
        _train(kd_run, 0, options, work, progress)
        works[name] = work
        rows.append((name, _test(kd_run, options, work)))
    same = _identical(works['no cache'], works['cache, float32'])
    lines = [
        '## Accuracy with and without the cache', '',
        'KD on the `quick` preset of `gankd benchmark` (SynthShapes, 20 '
        'classes, 2,800 training images, 15 epochs, seed 0, the same '
        'teacher), top-1 on the 2,000-image test split. The cache is '
        'filled lazily in the first epoch and read in the 14 others.', '',
        '| KD run | top-1 (%) |', '|---|---|']
    lines += [f'| {name} | {top1:.2f} |' for name, top1 in rows]
    top1 = dict(rows)
    lines += ['', 'Final weights of the float32-cached run '
              + ('**identical** (every tensor bit for bit)' if same else
                 '**differ**') + ' to the uncached run\'s. float16 minus '
              f"float32: {top1['cache, float16'] - top1['cache, float32']:+.2f}"
              ' points, from one seed: rounding the teacher\'s outputs '
              'once changes the training trajectory, so this difference '
              'mixes the rounding with run-to-run variation.', '']
    return lines

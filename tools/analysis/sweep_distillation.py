"""Sweep a distillation config over settings on a benchmark preset's data.

A sweep file is a Python file (a program, like every config) that sets::

    config = 'configs/sskd/sskd_....py'      # the config every variant changes
    variants = [dict(name='shipped', options={}),
                dict(name='mimic lr x20', options={'model.stage_lr': 1.0}),
                ...]
    # optional: seeds = [0]; preset = 'quick'; a variant's own seeds=[...]

Every variant is trained with ``tools/train.py`` (in a subprocess, as a user
would) on the preset's data (``quick``: 20 classes, 2,800 images) with the
preset's teacher, then tested; a variant already done is read back, so an
interrupted sweep resumes. The table (mean top-1 over seeds, train wall
time, options) goes to ``<work-dir>/sweep.md`` and stdout.

    python tools/analysis/sweep_distillation.py configs/sskd/sweep_quick.py
"""
import argparse
import json
import os
import statistics
from typing import List, Optional

from gankd.errors import UserError, report_user_errors

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class SweepError(UserError):
    """A sweep file that does not say what to sweep."""


def _teacher(preset_name: str, work_root: str) -> str:
    """The preset's teacher checkpoint, trained once (as the benchmark
    trains it) and reused."""
    from gankd.apis import benchmark
    run = benchmark.RUNS[0]
    preset = benchmark.PRESETS[preset_name]
    work_dir = os.path.join(work_root, 'teacher', 'seed0')
    benchmark._train_and_test(
        run, 0, benchmark._run_options(run, preset), work_dir,
        lambda what, s: print(f'    teacher: {what} ({s:.0f} s)', flush=True))
    return benchmark._last_checkpoint(work_dir)


def _variant(config: str, name: str, options: dict, seed: int,
             preset_name: str, teacher: str, work_dir: str) -> dict:
    """Train and test one variant and seed (or read its result back: the
    benchmark's runs resume)."""
    from gankd.apis import benchmark
    run = benchmark.Run(name, config)
    merged = dict(benchmark._run_options(run, benchmark.PRESETS[preset_name]),
                  **{'model.teacher_ckpt': teacher}, **options)
    top1, wall, _ = benchmark._train_and_test(
        run, seed, merged, work_dir,
        lambda what, s: print(f'    {what} ({s:.0f} s)', flush=True))
    return dict(top1=top1, wall=wall)


def _format(options: dict) -> str:
    return ', '.join(f'`{k}={json.dumps(v).replace(" ", "")}`'
                     for k, v in options.items()) or '(as shipped)'


def run_sweep(sweep_file: str, work_root: Optional[str] = None,
              only: Optional[List[str]] = None) -> str:
    from gankd.config import load_config
    spec = load_config(sweep_file)
    if not spec.get('config') or not spec.get('variants'):
        raise SweepError(f'{sweep_file}: set config = <path> and variants = '
                         "[dict(name=..., options={...}), ...]")
    preset = spec.get('preset', 'quick')
    seeds = list(spec.get('seeds', [0]))
    name = os.path.splitext(os.path.basename(sweep_file))[0]
    method = os.path.basename(os.path.dirname(os.path.abspath(sweep_file)))
    work_root = work_root or os.path.join(REPO, 'work_dirs', 'sweeps',
                                          method, name)
    teacher = _teacher(preset, os.path.join(REPO, 'work_dirs', 'benchmark',
                                            preset))
    rows = []
    for variant in spec.variants:
        if only and variant['name'] not in only:
            continue
        results = []
        for seed in variant.get('seeds', seeds):
            slug = ''.join(c if c.isalnum() else '_'
                           for c in variant['name'].lower())
            print(f"{variant['name']} (seed {seed})", flush=True)
            results.append(_variant(
                variant.get('config', spec.config), variant['name'],
                dict(variant.get('options', {})), seed, preset, teacher,
                os.path.join(work_root, slug, f'seed{seed}')))
        top1 = [r['top1'] for r in results]
        rows.append((variant, statistics.mean(top1),
                     statistics.stdev(top1) if len(top1) > 1 else None,
                     statistics.mean(r['wall'] for r in results)))
    lines = [f'Sweep `{os.path.relpath(sweep_file, REPO)}` of '
             f'`{spec.config}` on the `{preset}` preset (mean ± std over '
             'the seeds):', '',
             '| variant | seeds | top-1 (%) | train wall (s) | settings |',
             '|---|---|---|---|---|']
    for variant, mean, std, wall in rows:
        spread = '' if std is None else f' ± {std:.2f}'
        config = (f"`{variant['config']}` " if variant.get('config') else '')
        own = ', '.join(map(str, variant.get('seeds', seeds)))
        lines.append(f"| {variant['name']} | {own} | {mean:.2f}{spread} | "
                     f"{wall:.0f} | {config}{_format(variant.get('options', {}))} |")
    table = '\n'.join(lines) + '\n'
    from gankd.utils.checkpoint import atomic_write_bytes
    atomic_write_bytes(table.encode(), os.path.join(work_root, 'sweep.md'))
    print(table)
    return table


@report_user_errors
def main(argv: Optional[List[str]] = None) -> str:
    parser = argparse.ArgumentParser(
        description='Train and test a distillation config under several '
        'settings on a benchmark preset; writes a Markdown table.')
    parser.add_argument('sweep', help='sweep file (see the module docstring)')
    parser.add_argument('--work-dir', help='default: work_dirs/sweeps/'
                        '<method>/<sweep file name>')
    parser.add_argument('--only', nargs='+', metavar='NAME',
                        help='run only these variants')
    args = parser.parse_args(argv)
    return run_sweep(args.sweep, args.work_dir, args.only)


if __name__ == '__main__':
    main()

"""``gankd benchmark`` / ``tools/benchmark.py``: the distillation benchmark
on SynthShapes.

Trains the teacher once, then for each seed the mmpretrain baseline student
from scratch and the KD, stage-by-stage KD and Residual KD students, all on
the same pair, data and schedule (their configs in ``configs/``), tests
each on the test split and writes a Markdown table: top-1 mean +- std,
params, FLOPs, train img/s, wall time, and the step-cost ratio of each
distiller (its training step over student step + teacher inference).

Every training is ``tools/train.py`` in a subprocess, so the numbers are
what a user gets from the configs. Presets:

* ``quick`` (``make demo``): 1 seed, 20 classes, 2,800 training images.
* ``full``: 3 seeds, the configs as they are (100 classes, 10k images).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from gankd.errors import report_user_errors

__all__ = ['Run', 'PRESETS', 'run_benchmark', 'main']

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


@dataclass
class Run:
    """One row: a config trained (per seed) and tested.

    ``options`` are extra ``--cfg-options`` of this row; ``budget`` is
    ``'epochs'`` (the config's schedule) or ``'compute'``: as many epochs
    as give the training FLOPs of the costliest other row (the baseline's
    and KD's fair share when a method trains longer or costs more);
    ``presets`` are those that run the row.
    """
    name: str
    config: str
    distiller: bool = True
    options: Dict[str, object] = field(default_factory=dict)
    budget: str = 'epochs'
    presets: Tuple[str, ...] = ('quick', 'full')


BASELINE = 'configs/baselines/resnet18-3stage-w8_1xb64_synthshapes.py'
KD = 'configs/kd/kd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py'
SSKD = ('configs/sskd/sskd_resnet18-w16_resnet18-3stage-w8_1xb64_'
        'synthshapes.py')
RKD = ('configs/residual_kd/residual-kd_resnet18-w16_resnet18-3stage-w8_'
       '1xb64_synthshapes.py')
# KD's soft-target loss in the head phase, with KD's own weights (the
# papers leave the head phase's loss to labels; the issue asks for both).
HEAD_KD = {'model.head_distill_loss.type': 'KLDivergenceLoss',
           'model.head_distill_loss.tau': 4.0,
           'model.head_distill_loss.loss_weight': 0.9}

RUNS = [
    Run('teacher', 'configs/baselines/resnet18-w16_1xb64_synthshapes.py',
        distiller=False),
    Run('baseline student (mmpretrain, from scratch)', BASELINE,
        distiller=False),
    Run('KD (Hinton)', KD),
    Run('stage-by-stage KD', SSKD),
    Run('Residual KD (S + A)', RKD),
    Run('stage-by-stage KD + KD loss in the head phase', SSKD,
        options=dict(HEAD_KD, **{'model.head_ce_weight': 0.1}),
        presets=('full', )),
    Run('Residual KD + KD loss in the head phase', RKD,
        options=dict(HEAD_KD, **{'model.cls_loss_weight': 0.1}),
        presets=('full', )),
    Run('baseline student, equal compute', BASELINE, distiller=False,
        budget='compute', presets=('full', )),
    Run('KD (Hinton), equal compute', KD, budget='compute',
        presets=('full', )),
]

# Fewer classes and images keep five trainings within 10 minutes; epochs,
# batch and LR schedules stay those of the configs.
QUICK_DATA = {
    'train_dataloader.dataset.num_classes': 20,
    'train_dataloader.dataset.num_samples': 2800,
    'val_dataloader.dataset.num_classes': 20,
    'val_dataloader.dataset.num_samples': 1000,
    'test_dataloader.dataset.num_classes': 20,
    'data_preprocessor.num_classes': 20,
}


@dataclass
class Preset:
    seeds: List[int]
    data: str  # in words, for the report
    num_images: int  # training images per epoch
    options: Dict[str, object] = field(default_factory=dict)
    output: str = 'docs/benchmarks/kd_synthshapes.md'


PRESETS = {
    'quick': Preset(seeds=[0], data='SynthShapes, 20 classes, 2,800 '
                    'training images', num_images=2800, options=QUICK_DATA,
                    output='work_dirs/benchmark/quick/kd_synthshapes.md'),
    'full': Preset(seeds=[0, 1, 2], data='SynthShapes as in the configs: '
                   '100 classes, 10,000 training images', num_images=10000),
}

# Same for every run: test once at the end, keep only the last checkpoint.
COMMON = {'train_cfg.val_interval': 1000,
          'default_hooks.checkpoint.interval': 1000,
          'default_hooks.checkpoint.save_last': True}


def _run_options(run: Run, preset: Preset) -> Dict[str, object]:
    """``--cfg-options`` of ``run`` under ``preset`` (teacher path and
    budget aside): the common ones, the preset's data, heads sized to its
    classes, and the row's own."""
    options = dict(COMMON, **preset.options, **run.options)
    k = preset.options.get('train_dataloader.dataset.num_classes')
    if k is not None:
        heads = (['model.teacher', 'model.student'] if run.distiller else
                 ['model'])
        options.update({f'{head}.head.num_classes': k for head in heads})
    return options


def _last_checkpoint(work_dir: str) -> str:
    return open(os.path.join(work_dir, 'last_checkpoint')).read().strip()


def _format_option(key, value) -> str:
    if isinstance(value, str) and (',' in value or ' ' in value):
        raise ValueError(f'{key}={value!r}: no commas or spaces, please '
                         '(mmengine splits --cfg-options values on them).')
    return f'{key}={value}'


def _train(run: Run, seed: int, options: Dict[str, object], work_dir: str,
           progress, env: Optional[Dict[str, str]] = None) -> float:
    """Train in a subprocess (extra environment ``env``), echoing one line
    per epoch; returns the wall time in seconds."""
    args = [sys.executable, 'tools/train.py', run.config, '--work-dir',
            work_dir, '--cfg-options', f'randomness.seed={seed}'] + [
                _format_option(k, v) for k, v in options.items()]
    os.makedirs(work_dir, exist_ok=True)
    log_path = os.path.join(work_dir, 'benchmark.log')
    start = time.perf_counter()
    epoch_line = re.compile(r'Epoch\(train\)\s+\[(\d+)\]\[\s*(\d+)/(\d+)\]')
    last_epoch = 0
    with open(log_path, 'w') as log:
        process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True,
                                   env=dict(os.environ, PYTHONUNBUFFERED='1',
                                            **(env or {})))
        for line in process.stdout:
            log.write(line)
            found = epoch_line.search(line)
            if found and int(found.group(1)) > last_epoch:
                last_epoch = int(found.group(1))
                progress(f'epoch {last_epoch}',
                         time.perf_counter() - start)
        process.wait()
    if process.returncode != 0:
        raise RuntimeError(f'training {run.config} (seed {seed}) failed; '
                           f'see {log_path}')
    return time.perf_counter() - start


def _test(run: Run, options: Dict[str, object], work_dir: str,
          env: Optional[Dict[str, str]] = None) -> float:
    out = os.path.join(work_dir, 'test_metrics.json')
    args = [sys.executable, 'tools/test.py', run.config,
            _last_checkpoint(work_dir),
            '--work-dir', work_dir, '--out', out, '--cfg-options'] + [
                _format_option(k, v) for k, v in options.items()]
    result = subprocess.run(args, cwd=REPO, capture_output=True, text=True,
                            env=dict(os.environ, **(env or {})))
    if result.returncode != 0:
        raise RuntimeError(f'testing {run.config} failed:\n'
                           f'{result.stderr[-2000:]}')
    return json.load(open(out))['accuracy/top1']


def _train_and_test(run: Run, seed: int, options: Dict[str, object],
                    work_dir: str, progress,
                    env: Optional[Dict[str, str]] = None,
                    train: bool = True
                    ) -> Optional[Tuple[float, float, float]]:
    """Top-1, train wall time and train img/s of one row and seed. A run
    finished before with the same options and the same config (its text
    with every base it reads) is read back (``result.json``), so an
    interrupted benchmark resumes at the first unfinished run and a changed
    config trains again. With ``train=False`` an unfinished run is
    ``None``."""
    result_path = os.path.join(work_dir, 'result.json')
    key = json.loads(json.dumps(options, sort_keys=True))
    config = _config_digest(run.config)
    if os.path.isfile(result_path):
        done = json.load(open(result_path))
        if done.get('options') == key and done.get('config') == config:
            progress('done before, read back', done['wall'])
            return done['top1'], done['wall'], done['speed']
    if not train:
        return None
    wall = _train(run, seed, options, work_dir, progress, env)
    top1 = _test(run, options, work_dir, env)
    speed = _train_speed(work_dir)
    from gankd.utils.checkpoint import atomic_write_bytes
    atomic_write_bytes(json.dumps(dict(top1=top1, wall=wall, speed=speed,
                                       options=key, config=config),
                                  indent=1).encode(), result_path)
    return top1, wall, speed


def _config_digest(path: str) -> str:
    """SHA-256 of a config as loaded (bases merged), so that an edit to
    the config or to a base it reads changes it."""
    import hashlib

    from gankd.config import load_config
    text = load_config(os.path.join(REPO, path)).pretty_text
    return hashlib.sha256(text.encode()).hexdigest()


def _train_speed(work_dir: str, batch_size: int = 64) -> Optional[float]:
    """Training images per second from mmengine's logged iteration times
    (data loading included; validation and start-up excluded)."""
    times = []
    for root, _, files in os.walk(work_dir):
        if 'scalars.json' in files:
            for line in open(os.path.join(root, 'scalars.json')):
                entry = json.loads(line)
                if 'lr' in entry and 'time' in entry:
                    times.append(entry['time'])
    return batch_size / statistics.mean(times) if times else None


def _budgets(runs: List[Run], preset: Preset) -> Dict[str, dict]:
    """Per row: its epochs and training FLOPs. ``'compute'`` rows get the
    epochs whose FLOPs come closest to the costliest ``'epochs'`` row
    (the teacher, trained once for all, aside)."""
    from gankd.apis.train_compute import training_compute
    budgets = {}
    for run in runs[1:]:
        compute = training_compute(run.config, _run_options(run, preset))
        budgets[run.name] = dict(compute=compute, epochs=sum(
            compute.epochs.values()), flops=compute.total(preset.num_images))
    top = max(b['flops'] for run, b in zip(runs[1:], budgets.values())
              if run.budget == 'epochs')
    for run in runs[1:]:
        budget = budgets[run.name]
        if run.budget == 'compute':
            epochs = max(1, round(top / budget['compute'].per_epoch(
                preset.num_images)))
            budget.update(epochs=epochs, flops=epochs * budget[
                'compute'].per_epoch(preset.num_images))
            if epochs != sum(budget['compute'].epochs.values()):
                budget['options'] = {'train_cfg.max_epochs': epochs}
    return budgets


def run_benchmark(preset_name: str, work_root: str,
                  output: Optional[str] = None,
                  seeds: Optional[List[int]] = None,
                  step_cost: bool = True, all_rows: bool = False,
                  command: Optional[str] = None, jobs: int = 1,
                  train: bool = True) -> str:
    """Run a preset; returns the Markdown report (also written to the
    preset's output file, or ``output``). ``all_rows`` adds the rows other
    presets run; ``command`` is the command line the report quotes;
    ``jobs`` trainings run at once after the teacher, the costliest (in
    training FLOPs) first, so that no long one starts last. ``train=False``
    trains nothing and reports the runs finished so far (a row lacking
    seeds says how many it has)."""
    from gankd.apis.step_cost import measure_step_costs, model_complexity
    preset = PRESETS[preset_name]
    seeds = preset.seeds if seeds is None else seeds
    runs = [run for run in RUNS if all_rows or preset_name in run.presets]
    budgets = _budgets(runs, preset)
    trainings = {}  # row name -> (config, options): same key, one training
    for run in runs:
        options = dict(_run_options(run, preset),
                       **budgets.get(run.name, {}).get('options', {}))
        trainings[run.name] = (run.config, json.dumps(options, sort_keys=True))
    # An equal-compute row whose budget is its own schedule (KD, the
    # costliest row) is the same training as its epochs row: trained once.
    # The teacher (trained once, seed 0) is no row's twin.
    twin = {runs[0].name: runs[0].name}
    for run in runs[1:]:
        twin[run.name] = next(other.name for other in runs[1:]
                              if trainings[other.name] == trainings[run.name])
    for run in runs:
        if twin[run.name] != run.name:
            print(f'{run.name}: the same training as {twin[run.name]!r}',
                  flush=True)
    # The teacher first (every distiller needs it), then the rows in the
    # table's order, so that an interrupted benchmark has its first rows.
    todo = [(runs[0], 0)] + [(run, seed) for run in runs[1:]
                             if twin[run.name] == run.name for seed in seeds]
    started = time.perf_counter()
    done = {}  # (row name, seed) -> (top-1, wall, img/s)
    teacher_ckpt = None
    # Several trainings at once share the cores: each gets its share of
    # threads unless the user set them. The teacher trains alone, on all.
    shared = ({} if jobs == 1 or 'OMP_NUM_THREADS' in os.environ else
              {'OMP_NUM_THREADS': str(max(1, (os.cpu_count() or 1) // jobs))})

    def train_one(index: int, env: Dict[str, str]) -> None:
        nonlocal teacher_ckpt
        run, seed = todo[index]
        label = f'[{index + 1}/{len(todo)}] {run.name}, seed {seed}'
        print(f'{label}: training', flush=True)

        def progress(what, seconds):
            print(f'    {label}: {what}  ({seconds:.0f} s; total '
                  f'{time.perf_counter() - started:.0f} s)', flush=True)

        options = dict(_run_options(run, preset),
                       **budgets.get(run.name, {}).get('options', {}))
        if run.distiller:
            options['model.teacher_ckpt'] = teacher_ckpt
        work_dir = os.path.join(work_root, _slug(run.name), f'seed{seed}')
        done[run.name, seed] = _train_and_test(run, seed, options, work_dir,
                                               progress, env, train)
        if done[run.name, seed] is None:
            print(f'{label}: not finished yet', flush=True)
            return
        if index == 0:
            teacher_ckpt = _last_checkpoint(work_dir)
        top1, wall = done[run.name, seed][:2]
        print(f'{label}: top-1 {top1:.2f} %, trained in {wall:.0f} s',
              flush=True)

    train_one(0, {})
    if done[runs[0].name, 0] is None:
        raise RuntimeError('the teacher has not finished: nothing to '
                           'report yet')
    failures = []
    order = list(range(1, len(todo)))
    if jobs > 1:  # costliest first: the last to start is a short one
        order.sort(key=lambda i: -budgets[todo[i][0].name]['flops'])
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(train_one, index, shared): todo[index]
                   for index in order}
        for future in as_completed(futures):
            if future.exception() is not None:  # the others go on
                run, seed = futures[future]
                failures.append(f'{run.name}, seed {seed}: '
                                f'{future.exception()}')
    if failures:
        raise RuntimeError('trainings failed (the others are saved; run '
                           'again to retry these):\n' + '\n'.join(failures))
    results, walls, speeds = ({run.name: [
        done[twin[run.name], seed][i]
        for seed in ([0] if run is runs[0] else seeds)
        if done[twin[run.name], seed] is not None] for run in runs}
        for i in range(3))

    rows = []
    costs = {}
    for run in runs:
        options = _run_options(run, preset)
        params, flops = model_complexity(run.config, options)
        # Once per distiller config: its variant rows step alike.
        if run.distiller and step_cost and run.budget == 'epochs' and \
                not run.options:
            costs[run.name] = measure_step_costs(run.config, options,
                                                 cached=False)
        rows.append((run, params, flops))
    command = command or f'python tools/benchmark.py --preset {preset_name}'
    train_seconds = sum(sum(walls[run.name]) for run in runs
                        if twin[run.name] == run.name)
    from gankd.apis.benchmark_report import markdown_report
    report = markdown_report(preset_name, command, seeds, rows, results,
                             walls, speeds, costs, budgets, train_seconds,
                             time.perf_counter() - started)
    path = os.path.join(REPO, output or preset.output)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    from gankd.utils.checkpoint import atomic_write_bytes
    atomic_write_bytes(report.encode(), path)
    print(report)
    print(f'written to {os.path.relpath(path, REPO)}')
    return report


def _slug(name: str) -> str:
    return re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_')


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description='The distillation benchmark on SynthShapes: '
        'teacher, baseline student, KD, stage-by-stage KD and Residual KD, '
        'as a Markdown table.')
    parser.add_argument('--preset', choices=sorted(PRESETS), default='quick',
                        help='quick (make demo): 1 seed, 20 classes; '
                        'full: 3 seeds, the configs as they are (default: '
                        'quick)')
    parser.add_argument('--work-dir', default=None,
                        help='default: work_dirs/benchmark/<preset>')
    parser.add_argument('--out', default=None,
                        help="the report's path (default: the preset's)")
    parser.add_argument('--seeds', type=int, nargs='+', default=None,
                        help="override the preset's seeds")
    parser.add_argument('--no-step-cost', action='store_true',
                        help='skip the step-cost measurement')
    parser.add_argument('--all-rows', action='store_true',
                        help='also the rows only the full preset runs '
                        '(KD loss in the head phase, equal compute)')
    parser.add_argument('--report-only', action='store_true',
                        help='train nothing: the table of the runs '
                        'finished so far')
    parser.add_argument('--jobs', type=int, default=1,
                        help='trainings at once after the teacher, each '
                        'with its share of the cores (default: 1)')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f'--jobs {args.jobs}: give 1 or more')
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'--out': args.out},
                       folders={'--work-dir': args.work_dir})
    work = args.work_dir or os.path.join(REPO, 'work_dirs', 'benchmark',
                                         args.preset)
    command = ' '.join(['python tools/benchmark.py'] + list(
        sys.argv[1:] if argv is None else argv))
    return run_benchmark(args.preset, work, args.out, args.seeds,
                         step_cost=not args.no_step_cost,
                         all_rows=args.all_rows, command=command,
                         jobs=args.jobs, train=not args.report_only)

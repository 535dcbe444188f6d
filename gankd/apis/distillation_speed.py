"""``gankd benchmark-distillation-speed`` /
``tools/benchmark_distillation_speed.py``: what a distillation step costs
with and without the teacher cache, against the student's own step.

For each SynthShapes distillation config (KD, stage-by-stage KD, Residual
KD) and each of its phases: the distiller's step, the same with the
teacher cache warm (every epoch after the first), the student's training
step and the teacher's inference forward, timed interleaved in rounds by
:func:`gankd.apis.step_cost.measure_step_costs`; the measurement is made
twice per config in the same run to show how far two calls agree. Writes
a Markdown report.
"""
import argparse
import os
import time
from typing import List, Optional

from gankd.errors import UserError, report_user_errors

__all__ = ['CONFIGS', 'run', 'main']

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OUTPUT = 'docs/benchmarks/distillation_speed.md'
TARGET = 1.1  # cached step / student step (issue 14)

CONFIGS = [
    ('KD (Hinton)',
     'configs/kd/kd_resnet18-w16_resnet18-3stage-w8_1xb64_synthshapes.py'),
    ('stage-by-stage KD',
     'configs/sskd/sskd_resnet18-w16_resnet18-3stage-w8_1xb64_'
     'synthshapes.py'),
    ('Residual KD (S + A)',
     'configs/residual_kd/residual-kd_resnet18-w16_resnet18-3stage-w8_'
     '1xb64_synthshapes.py'),
]


def _pair(values) -> str:
    return ' / '.join(f'{v:.2f}' for v in values)


def _report(command: str, results, batch_size: int, rounds: int,
            threads: int, seconds: float) -> str:
    lines = [
        '# Distillation step cost, with and without the teacher cache', '',
        f'Command: `{command}`', '',
        f'SynthShapes pair of the configs (teacher ResNet-18 1/4 width, '
        f'student 3-stage ResNet-18 1/8 width), batch {batch_size}, 32x32, '
        f'CPU, {threads} thread(s), fp32; teacher weights random (timing '
        'does not need them). Every contender of a config is timed once '
        f'per round, interleaved, {rounds} rounds after 2 warm-up rounds; '
        'ratios are medians of per-round ratios. Each config was measured '
        'twice in this run: ratio columns give **call 1 / call 2**, '
        f'milliseconds call 1. Total {seconds / 60:.1f} min.', '',
        '- *uncached*: the distiller\'s training step as it runs in the '
        'first epoch (student step + teacher forward, cut after the '
        'deepest recorded layer).',
        '- *cached*: the same step with the teacher cache warm: the '
        'teacher\'s outputs are read from the memory-mapped cache '
        '(`model.teacher_cache`), as in every epoch after the first or '
        'after `gankd build-teacher-cache`.',
        '- *S*: the deployed student\'s own mmpretrain training step; '
        '*T*: the teacher\'s inference forward (whole network).', '',
        '| method | phase | S (ms) | T (ms) | uncached (ms) | uncached / '
        '(S + T) | uncached / S | cached (ms) | **cached / S** | '
        f'≤ {TARGET}? |',
        '|---|---|---|---|---|---|---|---|---|---|',
    ]
    misses = 0
    for name, costs in results:
        first = costs[0]
        misses += sum(c.cached_misses for c in costs)
        for phase in first.phase_ms:
            cached = [c.cached_ratio[phase] for c in costs]
            verdict = 'yes' if max(cached) <= TARGET else '**no**'
            lines.append(
                f'| {name} | {phase} | {first.student_ms:.0f} | '
                f'{first.teacher_ms:.0f} | {first.phase_ms[phase]:.0f} | '
                f'{_pair(c.phase_ratio[phase] for c in costs)} | '
                f'{_pair(c.student_ratio[phase] for c in costs)} | '
                f'{first.cached_ms[phase]:.0f} | **{_pair(cached)}** | '
                f'{verdict} |')
    lines += ['', f'Teacher rows computed during the timed cached steps: '
              f'{misses} (every cached step read all its rows).', '']
    return '\n'.join(lines)


def run(rounds: int = 30, batch_size: int = 64, threads: int = 1,
        calls: int = 2, output: Optional[str] = os.path.join(REPO, OUTPUT),
        command: str = '', accuracy_dir: Optional[str] = None,
        teacher_ckpt: Optional[str] = None) -> str:
    """Measure every config ``calls`` times (and with ``accuracy_dir``,
    the quick-preset KD trainings of :mod:`gankd.apis.
    teacher_cache_accuracy` there); returns the report (written to
    ``output`` unless None)."""
    import torch

    from gankd.apis.step_cost import measure_step_costs
    torch.set_num_threads(threads)
    os.environ['OMP_NUM_THREADS'] = str(threads)  # the trainings' too
    started = time.perf_counter()
    results = []
    for name, config in CONFIGS:
        costs = []
        for call in range(calls):
            print(f'{name}: call {call + 1}/{calls}', flush=True)
            costs.append(measure_step_costs(
                os.path.join(REPO, config), {}, batch_size=batch_size,
                rounds=rounds))
        results.append((name, costs))
    extra = []
    if accuracy_dir is not None:
        from gankd.apis.teacher_cache_accuracy import cache_accuracy_section
        extra = cache_accuracy_section(accuracy_dir, teacher_ckpt)
    report = _report(command, results, batch_size, rounds, threads,
                     time.perf_counter() - started) + '\n'.join([''] + extra)
    if output is not None:
        from gankd.utils.checkpoint import atomic_write_bytes
        atomic_write_bytes(report.encode(), output)
        print(f'written to {output}')
    print(report)
    return report


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description='Time distillation steps with and without '
        'the teacher cache against the student\'s own step (SynthShapes '
        'KD, stage-by-stage KD, Residual KD), interleaved, as Markdown.')
    parser.add_argument('--rounds', type=int, default=30,
                        help='timed rounds per measurement (default: 30)')
    parser.add_argument('--batch-size', type=int, default=64,
                        help='batch size (default: 64)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (default: 1; on a shared '
                        'machine two threads wait on each other whenever '
                        'another process takes a core)')
    parser.add_argument('--calls', type=int, default=2,
                        help='measurements per config in this run, to '
                        'show how far they agree (default: 2)')
    parser.add_argument('--accuracy', action='store_true',
                        help='also train KD on the quick preset without '
                        'the cache, with float32 and with float16 cache, '
                        'and report top-1 (about 10 minutes)')
    parser.add_argument('--teacher-ckpt', default=None,
                        help='with --accuracy: a quick-preset teacher '
                        '(default: train it)')
    parser.add_argument('--work-dir', default=None,
                        help='with --accuracy: where the runs go (default: '
                        'work_dirs/distillation_speed)')
    parser.add_argument('--out', default=None,
                        help=f'report path (default: {OUTPUT} in the '
                        'repository)')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    for flag in ('rounds', 'batch_size', 'threads', 'calls'):
        if getattr(args, flag) < 1:
            raise UserError(f"--{flag.replace('_', '-')} "
                            f'{getattr(args, flag)}: use at least 1.')
    from gankd.utils.output_paths import check_output_paths
    work = args.work_dir or os.path.join(REPO, 'work_dirs',
                                         'distillation_speed')
    check_output_paths(files={'--out': args.out},
                       folders={'--work-dir': work if args.accuracy
                                else None})
    defaults = build_parser()
    command = 'python tools/benchmark_distillation_speed.py' + ''.join(
        (f' --{k.replace("_", "-")}' if v is True else
         f' --{k.replace("_", "-")} {v}') for k, v in vars(args).items()
        if k not in ('out', 'work_dir', 'teacher_ckpt')
        and v != defaults.get_default(k))
    return run(args.rounds, args.batch_size, args.threads, args.calls,
               args.out or os.path.join(REPO, OUTPUT), command,
               accuracy_dir=work if args.accuracy else None,
               teacher_ckpt=args.teacher_ckpt)

"""The distillation benchmark's report: one Markdown table of the rows
(top-1 as mean ± std over seeds, epochs, training FLOPs, speed) and the
step-cost table, from what :func:`gankd.apis.benchmark.run_benchmark`
measured."""
import statistics
from typing import List, Optional

from gankd.apis.benchmark import PRESETS, RUNS

__all__ = ['markdown_report']


def _mean_std(values: List[float], seeds: int) -> str:
    """Mean ± std; a row with fewer runs than seeds says how many it has
    (an unfinished benchmark reported with ``--report-only``)."""
    if not values:
        return 'not run yet'
    text = (f'{values[0]:.2f}' if len(values) == 1 else
            f'{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}')
    return text if len(values) >= seeds else \
        f'{text} ({len(values)} of {seeds} seeds)'


def _mean(values: List[float]) -> Optional[float]:
    return statistics.mean(values) if values else None


def markdown_report(preset, command, seeds, rows, results, walls, speeds,
                    costs, budgets, train_seconds, total_seconds) -> str:
    baseline = _mean(results[RUNS[1].name])
    kd = _mean(results[RUNS[2].name])
    lines = [
        f'# Distillation benchmark on SynthShapes (`{preset}` preset)', '',
        f'Command: `{command}`' + (
            '  (what `make demo` runs)' if command ==
            'python tools/benchmark.py --preset quick' else ''), '',
        f'Data: {PRESETS[preset].data}; batch 64, the configs\' '
        'schedules (epochs per row below). '
        f'Seeds: {", ".join(map(str, seeds))} (the teacher is trained once, '
        'seed 0). Top-1 on the 2,000-image test split; '
        f'trainings {train_seconds / 60:.1f} min in all on this machine '
        f'(this invocation {total_seconds / 60:.1f} min; runs finished '
        'before are read back).', '',
        '| method | epochs | train PFLOPs | top-1 (%) | vs baseline | '
        'vs KD | params | FLOPs/img | train img/s | train wall (s) | '
        'step cost |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for run, params, flops in rows:
        mean = _mean(results[run.name])
        speed = _mean([s for s in speeds[run.name] if s])
        wall = _mean(walls[run.name])
        cost = costs.get(run.name)
        budget = budgets.get(run.name)
        vs_base = '' if run.name == RUNS[0].name or None in (
            mean, baseline) else f'{mean - baseline:+.2f}'
        vs_kd = f'{mean - kd:+.2f}' if run.distiller and None not in (
            mean, kd) else ''
        epochs = '' if budget is None else budget['epochs']
        pflops = '' if budget is None else f"{budget['flops'] / 1e15:.3g}"
        count = 1 if run.name == RUNS[0].name else len(seeds)
        lines.append(
            f'| {run.name} | {epochs} | {pflops} | '
            f'{_mean_std(results[run.name], count)} | {vs_base} | '
            f'{vs_kd} | {params / 1e6:.3f} M | {flops / 1e6:.1f} M | '
            f'{"" if speed is None else f"{speed:.0f}"} | '
            f'{"" if wall is None else f"{wall:.0f}"} | '
            f'{"" if cost is None else f"{cost.ratio:.2f}"} |')
    lines += [
        '',
        'Train PFLOPs: the whole training, counted by torch on one training '
        'step per phase (forwards, backwards and the teacher\'s inference '
        'forward; `gankd/apis/train_compute.py`) times the epochs and '
        'images. "Equal compute" rows train as many epochs as give the '
        'FLOPs of the costliest other row (a row whose own schedule is '
        'that budget is trained once and listed twice). FLOPs/img: '
        '`torch.utils.flop_counter` (2 × multiply-adds), one 32×32 '
        'image, of the deployed network (Residual KD: S + A + connectors + '
        'head). Train img/s: from the logged iteration times (data loading '
        'included). Step cost: the distiller\'s training step divided by '
        '(the deployed network\'s own training step + a teacher forward in '
        'inference mode), batch 64, the costliest phase, timed interleaved '
        '(median of per-round ratios); budget 1.15.',
        '',
    ]
    if costs:
        lines += ['| distiller | phase | step (ms) | student step (ms) | '
                  'teacher forward (ms) | ratio |', '|---|---|---|---|---|---|']
        for name, cost in costs.items():
            for phase, ms in cost.phase_ms.items():
                lines.append(
                    f'| {name} | {phase} | {ms:.1f} | {cost.student_ms:.1f} | '
                    f'{cost.teacher_ms:.1f} | '
                    f'{cost.phase_ratio[phase]:.2f} |')
        lines.append('')
    return '\n'.join(lines)

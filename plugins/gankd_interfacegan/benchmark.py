"""``tools/benchmark_probes.py``: time fitting one boundary end to end.

For a probe config it measures, in one run on this machine:

* the end-to-end fit of one boundary from N samples (default 10k):
  sampling z, mapping, synthesis and scoring (generator and predictor in
  inference mode, batched), then the SVM on the selected extremes;
* where the time goes: mapping, synthesis, predictor and SVM, each timed
  alone on the same codes;
* throughput of sampling and scoring at several batch sizes, and at batch
  16 with autograd recording (no inference mode), to show what batching
  and inference mode buy.

It writes a markdown table (``--out``) with the command and the machine.
"""
import argparse
import os
import platform
import sys
import time
from typing import List, Optional

import torch

from gankd.errors import report_user_errors
from gankd.utils.checkpoint import atomic_write_bytes
from gankd_interfacegan.report_markdown import table

__all__ = ['benchmark_probe', 'build_parser', 'main']


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _stage_times(probe, z: torch.Tensor) -> dict:
    """Seconds of each stage over ``z`` in the probe's batches."""
    stages = dict(mapping=0.0, synthesis=0.0, predictor=0.0)
    generator = probe.generator
    has_w = 'w' in generator.latent_spaces
    with torch.inference_mode():
        for start in range(0, len(z), probe.batch_size):
            batch = z[start:start + probe.batch_size]
            t0 = time.perf_counter()
            wp = probe.to_wp(batch, 'z') if has_w else batch
            t1 = time.perf_counter()
            images = generator.synthesize(
                wp, space='wp' if has_w else 'z',
                noise_mode=probe.noise_mode)
            t2 = time.perf_counter()
            probe.predictor(images)
            t3 = time.perf_counter()
            stages['mapping'] += t1 - t0
            stages['synthesis'] += t2 - t1
            stages['predictor'] += t3 - t2
    return stages


def _throughput(probe, num: int, batch_size: int, inference: bool,
                repeats: int = 3) -> float:
    """Sampled-and-scored codes per second, the best of ``repeats`` runs
    (this machine's speed varies by tens of percent within minutes)."""
    return max(_throughput_once(probe, num, batch_size, inference)
               for _ in range(repeats))


def _throughput_once(probe, num: int, batch_size: int,
                     inference: bool) -> float:
    z = probe.sample_z(num, seed=99)
    old = probe.batch_size
    probe.batch_size = batch_size
    try:
        if inference:
            _, seconds = _timed(lambda: probe.score_codes(z, 'z'))
        else:
            def with_autograd():
                # The frozen parts with autograd recording, as a plain
                # loop without inference mode would run them.
                for start in range(0, num, batch_size):
                    batch = z[start:start + batch_size].requires_grad_()
                    wp = probe.generator.mapping(
                        batch, probe.truncation_psi,
                        probe.truncation_layers)['wp']
                    probe.predictor.classifier(probe.predictor.preprocess(
                        probe.generator.synthesize(wp, 'wp')))
            _, seconds = _timed(with_autograd)
    finally:
        probe.batch_size = old
    return num / seconds


def benchmark_probe(probe, num_samples: int = 10000,
                    semantic: Optional[str] = None, space: str = 'w',
                    batch_sizes=(1, 16, 100, 256),
                    throughput_samples: int = 1000) -> dict:
    """The figures of the table (see the module docstring)."""
    semantic = semantic or probe.names[0]
    # scikit-learn's first import (~1.5 s) is a once-per-process cost.
    _, import_s = _timed(lambda: __import__('sklearn.svm'))
    torch.manual_seed(0)
    samples, sample_s = _timed(lambda: probe.sample(
        num_samples, progress=False))
    fits, fit_s = _timed(lambda: probe.fit(samples, [semantic], [space]))
    fit = fits[space][semantic]
    stages = _stage_times(probe, torch.from_numpy(samples['z']))
    rows = [(bs, _throughput(probe, throughput_samples, bs, True))
            for bs in batch_sizes]
    autograd = _throughput(probe, throughput_samples, 16, False) \
        if hasattr(probe.predictor, 'classifier') else None
    return dict(num_samples=num_samples, semantic=semantic, space=space,
                batch_size=probe.batch_size, sample_seconds=sample_s,
                fit_seconds=fit_s, total_seconds=sample_s + fit_s,
                sklearn_import_seconds=import_s,
                val_acc=fit.val_acc, stages=stages, throughput=rows,
                autograd_throughput=autograd,
                throughput_samples=throughput_samples)


def _markdown(result: dict, command: str) -> str:
    r = result
    stage_rows = [[name, seconds] for name, seconds in r['stages'].items()]
    stage_rows.append(['SVM (fit)', r['fit_seconds']])
    tput = [[bs, 'yes', round(rate)] for bs, rate in r['throughput']]
    if r['autograd_throughput'] is not None:
        tput.append([16, 'no (autograd records)',
                     round(r['autograd_throughput'])])
    return '\n'.join([
        '# Probes: fitting one boundary end to end\n',
        f"Fitting one boundary ({r['semantic']}, {r['space']} space) from "
        f"{r['num_samples']} samples at batch {r['batch_size']}: "
        f"**{r['total_seconds']:.1f} s** end to end (sampling and scoring "
        f"{r['sample_seconds']:.1f} s, SVM {r['fit_seconds']:.2f} s; "
        f"validation accuracy {r['val_acc']:.3f}), plus "
        f"{r['sklearn_import_seconds']:.1f} s to import scikit-learn once "
        'per process.\n',
        'Stages, each timed alone on the same codes afterwards (s; the '
        'end-to-end run comes first in the process and includes its '
        'warm-up):\n',
        table(['stage', 'seconds'], stage_rows),
        f"\nSampling and scoring throughput ({r['throughput_samples']} "
        'codes, best of 3 runs):\n',
        table(['batch', 'inference mode', 'codes/s'], tput),
        f'\nMachine: {platform.processor() or platform.machine()}, '
        f'{torch.get_num_threads()} threads, torch {torch.__version__}.\n',
        f'Command: `{command}`\n'])


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description='Time fitting one boundary end to end.')
    parser.add_argument('config', help='probe config')
    parser.add_argument('--num-samples', type=int, default=10000)
    parser.add_argument('--semantic', help='default: the first scored')
    parser.add_argument('--space', default='w')
    parser.add_argument('--out', help='markdown file to write')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    from gankd.config import load_config
    from gankd.kinds import build_probe
    from gankd.registry import scope_config_types
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'--out': args.out})
    cfg = load_config(args.config)
    probe = build_probe(scope_config_types(cfg.model.to_dict()))
    result = benchmark_probe(probe, args.num_samples, args.semantic,
                             args.space)
    command = ' '.join(['python tools/benchmark_probes.py'] + argv)
    text = _markdown(result, command)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)),
                    exist_ok=True)
        atomic_write_bytes(text.encode(), args.out)
    return result


if __name__ == '__main__':
    main()

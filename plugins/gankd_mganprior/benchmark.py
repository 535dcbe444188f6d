"""``tools/benchmark_inversion.py``: what running the N codes through G1 as
one batch buys, against a straightforward per-code loop.

For an mGANprior config (``model`` a ``MultiCodeInverter``) it inverts a
batch of held-out images twice with the same seeds: once as the inverter
does it (all B * N codes through G1 in one call), once with
:class:`PerCodeLoopInverter`, which calls G1 once per code (B images at a
time) and stacks the features. Both record their codes every few steps;
the PSNR of each record (rendered after the run, untimed) gives the step
at which the batch's mean PSNR first reaches the target. Reported, in
one run: iterations/s, time to the target, their ratio, and the largest
difference between the two runs' final images (the same result).
"""
import argparse
import os
import platform
import time
from typing import List, Optional

import numpy as np
import torch
from torch import Tensor

from gankd.errors import report_user_errors
from gankd.utils.checkpoint import atomic_write_bytes
from gankd_mganprior.multi_code_inverter import MultiCodeInverter

__all__ = ['PerCodeLoopInverter', 'benchmark_inversion', 'build_parser',
           'main']


class PerCodeLoopInverter(MultiCodeInverter):
    """The same inverter with G1 run code by code: the baseline."""

    def fuse_features(self, codes: Tensor, alpha: Tensor) -> dict:
        states = [self.generator.forward_to(codes[:, n], self.layer,
                                            self.space, self.noise_mode)
                  for n in range(codes.shape[1])]
        fused = sum(s['feature'] * alpha[:, n, :, None, None]
                    for n, s in enumerate(states))
        if self.fuse == 'mean':
            fused = fused / len(states)
        out = {key: torch.stack([s[key] for s in states], 1).mean(1)
               for key in states[0] if key != 'feature'}
        out['feature'] = fused
        return out


def _mean_psnr(inverter, record: dict, images: Tensor) -> float:
    from gankd.evaluation import psnr
    from gankd.utils.images import to_uint8
    names = ['codes', 'alpha'] + (['shared'] if inverter.style_based else [])
    result = dict(zip(names, record['params']))
    output = inverter.decode(result).clamp(-1, 1).cpu()
    return float(np.mean(psnr(to_uint8(output), to_uint8(images))))


def _run(inverter, images: Tensor, target: float) -> dict:
    start = time.perf_counter()
    result = inverter.invert(images)
    seconds = time.perf_counter() - start
    reached = None
    for record in result['records']:
        if _mean_psnr(inverter, record, images) >= target:
            reached = record['iteration']
            break
    final = _mean_psnr(inverter, result['records'][-1], images)
    return dict(seconds=seconds, its=inverter.num_iters / seconds,
                reached=reached, final_psnr=final, image=result['image'],
                to_target=None if reached is None else
                seconds * reached / inverter.num_iters)


def benchmark_inversion(config: str, num_images: int = 4,
                        num_iters: int = 200, num_codes: int = 20,
                        target: float = 25.0, record_every: int = 10
                        ) -> dict:
    """Both variants on the first ``num_images`` held-out images of the
    config's ``images``; returns their timings and the difference."""
    from gankd.config import load_config
    from gankd.registry import MODELS, scope_config_types
    from gankd.utils.frozen_generator import build_frozen_generator
    from gankd.utils.images import dataset_images
    cfg = load_config(config)
    images = dataset_images(cfg.images.to_dict(), num_images)
    model = scope_config_types(cfg.model.to_dict())
    model.pop('type')
    model.update(generator=build_frozen_generator(model['generator']),
                 loss=MODELS.build(model['loss']), num_codes=num_codes,
                 num_iters=num_iters, record_every=record_every)
    runs, first = {}, []
    for name, cls in (('batched', MultiCodeInverter),
                      ('per-code loop', PerCodeLoopInverter)):
        inverter = cls(**model)
        runs[name] = _run(inverter, images, target)
        runs[name].pop('image')
        start = inverter.initial_state(range(num_images))
        with torch.no_grad():
            first.append(inverter.compose(start['codes'], start['alpha'],
                                          start.get('shared')))
        print(f"{name}: {runs[name]['its']:.2f} it/s", flush=True)
    diff = (first[0] - first[1]).abs().max().item()
    return dict(runs=runs, max_abs_diff=diff, config=config,
                num_images=num_images, num_iters=num_iters,
                num_codes=num_codes, target=target, layer=inverter.layer)


TITLE = '''# Inversion: mGANprior's codes in one batch against a per-code loop

`MultiCodeInverter` runs the N codes of every image through the first
part of the generator (G1) as one batch. The baseline, written in the
benchmark (`PerCodeLoopInverter`), calls G1 once per code and stacks the
features; otherwise both are the same inverter with the same seeds.
Each section gives the largest difference between the two first renders
(the same codes: the same computation) and both final PSNRs (float
rounding grows over the Adam steps, so the paths drift apart slowly).
Time to target: the wall time at the first recorded step (every 10)
where the batch's mean PSNR reaches the target.
'''


def _markdown(report: dict) -> str:
    batched, loop = report['runs']['batched'], report['runs']['per-code loop']

    def when(run):
        if run['reached'] is None:
            return f"not reached ({run['final_psnr']:.2f} dB at the end)"
        return f"{run['to_target']:.1f} s (step {run['reached']})"

    ratio_target = ('—' if batched['to_target'] is None
                    or loop['to_target'] is None
                    else f"{loop['to_target'] / batched['to_target']:.2f}x")
    lines = [
        "| | batched (one G1 call) | per-code loop | ratio |",
        '|---|---|---|---|',
        f"| iterations/s | {batched['its']:.2f} | {loop['its']:.2f} | "
        f"{batched['its'] / loop['its']:.2f}x |",
        f"| time to {report['target']:g} dB mean PSNR | {when(batched)} | "
        f"{when(loop)} | {ratio_target} |",
        f"| final mean PSNR | {batched['final_psnr']:.2f} dB | "
        f"{loop['final_psnr']:.2f} dB | |",
    ]
    return '\n'.join([
        f"## {os.path.basename(report['config'])}", '',
        f"{report['num_images']} images x N = {report['num_codes']} codes, "
        f"composition at `{report['layer']}`, {report['num_iters']} "
        f"iterations, {torch.get_num_threads()} threads, "
        f'{platform.processor() or platform.machine()}; largest '
        f"difference between the two first renders: "
        f"{report['max_abs_diff']:.1e}.", '', *lines, ''])


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description='mGANprior: one G1 batch for all codes '
        'against a per-code loop (iterations/s, time to a PSNR target)')
    parser.add_argument('configs', nargs='+', help='mGANprior configs '
                        '(configs/mganprior/mganprior_*.py)')
    parser.add_argument('--images', type=int, default=4)
    parser.add_argument('--iters', type=int, default=200)
    parser.add_argument('--num-codes', type=int, default=20)
    parser.add_argument('--target', type=float, default=25.0,
                        help='mean PSNR (dB) of the batch to reach')
    parser.add_argument('--out', help='write the markdown tables here')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    import sys
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'--out': args.out})
    command = ' '.join(['python tools/benchmark_inversion.py'] +
                       (sys.argv[1:] if argv is None else list(argv)))
    reports, sections = [], [TITLE]
    for config in args.configs:
        reports.append(benchmark_inversion(config, args.images, args.iters,
                                           args.num_codes, args.target))
        sections.append(_markdown(reports[-1]))
    sections.append(f'Command: `{command}`\n')
    text = '\n'.join(sections)
    print(text)
    if args.out:
        atomic_write_bytes(text.encode(), args.out)
    return reports

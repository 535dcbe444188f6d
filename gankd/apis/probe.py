"""``gankd probe`` / ``tools/probe.py``: run a probe config end to end.

A probe config holds ``model`` (a ``BaseProbe``: generator, attribute
predictor and search settings) and ``probe_cfg`` (the options of the
probe's ``run``: number of samples, seed, conditions, evaluation, ...).
Everything the probe writes (boundaries, ``report.json``, ``report.md``,
plots, cached samples) goes to the work directory, default
``work_dirs/<config name>``; a re-run reuses the cached samples.
"""
import argparse
import hashlib
import json
import os
import time
from typing import List, Optional

from gankd.errors import report_user_errors

__all__ = ['build_parser', 'main', 'run_probe_config']


def _work_dir(cfg, config: str, work_dir: Optional[str]) -> str:
    if work_dir:
        return work_dir
    if cfg.get('work_dir'):
        return cfg.work_dir
    stem = os.path.splitext(os.path.basename(config.split('::')[-1]))[0]
    return os.path.join('work_dirs', stem)


def run_probe_config(config: str, work_dir: Optional[str] = None,
                     cfg_options: Optional[dict] = None,
                     overrides: Optional[dict] = None,
                     progress: bool = True) -> dict:
    """Build the config's probe and run it; returns its report.

    ``overrides`` replace ``probe_cfg`` entries (e.g. ``num_samples``).
    The samples cache is keyed by a digest of ``model``, so editing the
    generator, predictor or truncation resamples.
    """
    from gankd.config import ConfigError, load_config
    from gankd.kinds import build_probe
    from gankd.registry import scope_config_types
    cfg = load_config(config, cfg_options)
    if not isinstance(cfg.get('model'), dict):
        raise ConfigError(f'{config}: no model (a probe) in the config')
    work_dir = _work_dir(cfg, config, work_dir)
    os.makedirs(work_dir, exist_ok=True)
    model = cfg.model.to_dict()
    cache_key = hashlib.sha256(json.dumps(
        model, sort_keys=True, default=str).encode()).hexdigest()[:16]
    options = dict(cfg.get('probe_cfg') or {})
    options.update({k: v for k, v in (overrides or {}).items()
                    if v is not None})
    start = time.perf_counter()
    probe = build_probe(scope_config_types(model))
    cfg.dump(os.path.join(work_dir, os.path.basename(
        config.split('::')[-1])))
    report = probe.run(work_dir, cache_key=cache_key, progress=progress,
                       **options)
    print(f'probe: done in {time.perf_counter() - start:.1f} s; report in '
          f"{os.path.join(work_dir, 'report.md')}")
    return report


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    from gankd.config import CfgOptionsAction
    parser = argparse.ArgumentParser(
        prog=prog, description='Fit semantic boundaries of a generator '
        '(InterFaceGAN, HiGAN, ...) and write boundaries, a report and '
        'plots.')
    parser.add_argument('config', help='probe config (prefix:: allowed)')
    parser.add_argument('--work-dir', help='output folder (default '
                        'work_dirs/<config name>)')
    parser.add_argument('--num-samples', type=int,
                        help='codes to sample and score (probe_cfg)')
    parser.add_argument('--seed', type=int, help='sampling seed')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress lines')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None):
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(folders={'--work-dir': args.work_dir})
    return run_probe_config(
        args.config, args.work_dir, args.cfg_options,
        dict(num_samples=args.num_samples, seed=args.seed),
        progress=not args.no_progress)

"""``gankd test`` / ``tools/test.py``: evaluate a checkpoint of any config."""
import argparse
import json
from typing import List, Optional

from gankd.apis.config import (add_common_arguments, apply_common_arguments,
                               prepare_config)
from gankd.config import load_config
from gankd.errors import report_user_errors

__all__ = ['build_parser', 'test', 'main']


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description='Evaluate a checkpoint with a gankd config.')
    add_common_arguments(parser, 'test')
    parser.add_argument('checkpoint', help='checkpoint file to evaluate')
    parser.add_argument(
        '--out', help='write the metrics to this JSON file as well')
    return parser


def test(cfg) -> dict:
    """Build a :class:`~gankd.engine.GankdRunner` from ``cfg``, run its test
    loop on ``cfg.load_from`` and return the metrics."""
    from gankd.engine import GankdRunner
    from gankd.utils.build_errors import explain_build_errors
    with explain_build_errors(cfg):  # components are built lazily, too
        runner = GankdRunner.from_cfg(cfg)
        return runner.test()


def configure(args: argparse.Namespace):
    cfg = load_config(args.config, args.cfg_options)
    apply_common_arguments(cfg, args)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    return prepare_config(cfg, 'test', args)


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> dict:
    args = build_parser(prog).parse_args(argv)
    from gankd.utils.output_paths import check_output_paths
    check_output_paths(files={'--out': args.out})
    metrics = test(configure(args))
    if args.out:
        from gankd.utils.checkpoint import atomic_write_bytes
        atomic_write_bytes(
            json.dumps(metrics, indent=2, default=float).encode(), args.out)
    return metrics

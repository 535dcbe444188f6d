"""``gankd train`` / ``tools/train.py``: train any gankd config."""
import argparse
from typing import List, Optional

from gankd.apis.config import (add_common_arguments, apply_common_arguments,
                               prepare_config)
from gankd.config import load_config
from gankd.errors import report_user_errors

__all__ = ['build_parser', 'train', 'main']


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description='Train a model from a gankd config.')
    add_common_arguments(parser, 'train')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        help='resume from the latest checkpoint in the work dir, or from '
        'the given checkpoint')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='skip validation during training')
    return parser


def train(cfg):
    """Build a :class:`~gankd.engine.GankdRunner` from ``cfg`` and train.

    Returns:
        GankdRunner: the runner after training.
    """
    from gankd.engine import GankdRunner
    from gankd.utils.build_errors import explain_build_errors
    with explain_build_errors(cfg):  # components are built lazily, too
        runner = GankdRunner.from_cfg(cfg)
        runner.train()
    return runner


def configure(args: argparse.Namespace):
    """The config for ``args``: loaded, overridden, prepared and checked."""
    cfg = load_config(args.config, args.cfg_options)
    apply_common_arguments(cfg, args)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    return prepare_config(cfg, 'train', args)


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> None:
    args = build_parser(prog).parse_args(argv)
    train(configure(args))

"""``gankd print-config`` / ``tools/print_config.py``: the final config.

With ``--check`` the config also goes through the checks ``train`` runs
before its Runner is built, and its model is built on CPU at the config's
size with the teacher's weights not loaded (other pretrained parts, such
as a probe's generator, are loaded: their files must exist), so a missing
field or a misspelt argument is found without training. A last line,
a comment so that the output stays a valid config, says the checks passed.
"""
import argparse
from typing import List, Optional

from gankd.apis.config import build_model, prepare_config
from gankd.config import CfgOptionsAction, load_config
from gankd.errors import report_user_errors

__all__ = ['build_parser', 'check_and_build', 'main']


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description='Print a config after _base_ merging and overrides.')
    parser.add_argument(
        'config', help='config file, or <plugin>::path inside a plugin')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    parser.add_argument('--check', action='store_true',
                        help="also run gankd's and the plugins' checks and "
                        'build the model (teacher weights not loaded)')
    return parser


def check_and_build(cfg) -> str:
    """Run the checks on ``cfg`` (changed in place as ``train`` changes it)
    and build its model; returns the line that says they passed.

    Raises:
        ConfigError: a check failed, or the model's fields do not fit its
            components (naming the field path).
    """
    prepare_config(cfg, 'check')
    if not isinstance(cfg.get('model'), dict):
        return 'checks passed (no model to build)'
    model = build_model(cfg)
    size = sum(p.numel() for p in model.parameters()) / 1e6
    skipped = ('; teacher weights not loaded'
               if 'teacher_ckpt' in cfg.model else '')
    return (f'checks passed: the model builds ({cfg.model.type}, '
            f'{size:.3f} M parameters{skipped})')


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> None:
    args = build_parser(prog).parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    passed = check_and_build(cfg) if args.check else None
    print(cfg.pretty_text)
    if passed:
        print(f'# {passed}')

"""``gankd print-config`` / ``tools/print_config.py``: the final config."""
import argparse
from typing import List, Optional

from gankd.apis.config import prepare_config
from gankd.config import CfgOptionsAction, load_config
from gankd.errors import report_user_errors

__all__ = ['build_parser', 'main']


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description='Print a config after _base_ merging and overrides.')
    parser.add_argument(
        'config', help='config file, or <plugin>::path inside a plugin')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    parser.add_argument('--check', action='store_true',
                        help="also run gankd's and the plugins' checks")
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> None:
    args = build_parser(prog).parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    if args.check:
        prepare_config(cfg, 'check')
    print(cfg.pretty_text)

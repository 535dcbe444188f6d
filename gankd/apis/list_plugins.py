"""``gankd plugins``: installed plugins and their components, by kind.

It always lists: every entry point is read from its metadata first, then
each enabled plugin is loaded on its own, and a plugin that fails is listed
with its error (status ``failed``). Strict by default, the command then
exits 1 naming the failed plugins; ``GANKD_PLUGINS_LENIENT=1`` exits 0.
``--no-load`` lists from the metadata alone, importing no plugin (for a
plugin whose import hangs or crashes the interpreter).
"""
import argparse
import json
from typing import Dict, List, Optional

from gankd.errors import report_user_errors
from gankd.plugins import (ENTRY_POINT_GROUP, ENV_DISABLE, PluginLoadError,
                           lenient, load_plugins, plugin_infos)
from gankd.registry import ALL_REGISTRIES

__all__ = ['build_parser', 'plugin_report', 'main']


def _group(components: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """registry name -> names, regrouped as kind -> names for models."""
    if not components:  # --no-load, or a failed plugin: torch not needed
        return {}
    from gankd.kinds import kind_of
    groups: Dict[str, List[str]] = {}
    for registry_name, names in components.items():
        for name in names:
            group = registry_name
            if registry_name == 'model':
                group = kind_of(ALL_REGISTRIES['model'].get(name)) or 'model'
            groups.setdefault(group, []).append(name)
    return {group: sorted(names) for group, names in sorted(groups.items())}


def plugin_report(load: bool = True) -> List[dict]:
    """One dict per plugin: name, module, distribution, version, status,
    error and components grouped by kind (other models under ``model``).
    ``load=False``: from the metadata only (no plugin imported)."""
    return [
        dict(
            name=info.name,
            module=info.module,
            distribution=info.distribution,
            version=info.version,
            status=info.status,
            error=info.error,
            components=_group(info.components))
        for info in plugin_infos(load)
    ]


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description='List installed gankd plugins.')
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument(
        '--no-load',
        action='store_true',
        help='list from the entry points\' metadata only, importing no '
        'plugin (status pending, or disabled by GANKD_PLUGINS_DISABLE / '
        'GANKD_PLUGINS_ONLY)')
    return parser


@report_user_errors
def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> None:
    args = build_parser(prog).parse_args(argv)
    report = plugin_report(load=not args.no_load)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_text(report)
    if args.no_load:
        return
    load_plugins()  # a duplicate name raises here, as for every lookup
    failed = [plugin['name'] for plugin in report
              if plugin['status'] == 'failed']
    if failed and not lenient():
        raise PluginLoadError(
            f"{len(failed)} plugin(s) failed to load: {', '.join(failed)} "
            f'(listed above). Fix or uninstall them, or skip them with '
            f"{ENV_DISABLE}={','.join(failed)}.")


def _print_text(report: List[dict]) -> None:
    print(f"{len(report)} plugin(s) in entry point group '{ENTRY_POINT_GROUP}'")
    for plugin in report:
        source = f"{plugin['distribution']} {plugin['version']}"
        print(f"\n{plugin['name']}  [{plugin['status']}]  ({source}, "
              f"module {plugin['module']})")
        if plugin['error']:
            print(f"  error: {plugin['error']}")
        for group, names in plugin['components'].items():
            print(f"  {group}: {', '.join(names)}")

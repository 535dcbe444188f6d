"""Reading configs: paths with a plugin prefix, Python configs, and YAML /
JSON configs read as plain data.

A Python config is a program: loading it runs it, so run only configs you
trust (``docs/safety.md``). YAML and JSON configs are read with safe loaders
(mmengine's own YAML loader can construct Python objects), so they hold data
only; they cannot inherit through ``_base_``.

* ``<prefix>::path/to/config.py`` resolves through the plugins'
  ``gankd_config_roots`` (``gankd::`` is this repository's ``configs/``).
* A syntax error names the file (the config or one of its ``_base_``
  files) and the line; :class:`CfgOptionsAction` turns a malformed
  ``--cfg-options`` item into one line instead of a traceback.

Core: library code (frozen teachers, predictors, encoders) and commands read
configs through :func:`load_config`.
"""
import ast
import json
import os
from typing import Optional, Tuple

from mmengine.config import Config, DictAction

from gankd.errors import ConfigError
from gankd.plugins import hook_results

__all__ = ['ConfigError', 'REPO_CONFIGS', 'DATA_SUFFIXES', 'config_roots',
           'resolve_config_path', 'load_config', 'CfgOptionsAction']

REPO_CONFIGS = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), 'configs')

#: Config files read as plain data (safe loaders, no ``_base_``).
DATA_SUFFIXES = ('.yaml', '.yml', '.json')


def config_roots() -> dict:
    """prefix -> folder, from gankd and every loaded plugin."""
    roots = {'gankd': REPO_CONFIGS}
    owners = {'gankd': 'gankd itself'}
    for plugin, result in hook_results('gankd_config_roots'):
        for prefix, folder in result.items():
            if prefix in roots and roots[prefix] != folder:
                raise ConfigError(
                    f"config prefix '{prefix}::' is claimed by both "
                    f"{owners[prefix]} and plugin '{plugin}'; a plugin "
                    'should use its own name')
            roots[prefix] = folder
            owners[prefix] = f"plugin '{plugin}'"
    return roots


def resolve_config_path(path: str) -> str:
    """Turn ``prefix::rel/path.py`` into a file path; check it exists."""
    if '::' in path:
        prefix, _, rel = path.partition('::')
        roots = config_roots()
        if prefix not in roots:
            raise ConfigError(
                f"unknown config prefix '{prefix}::' in {path}; known: "
                f"{', '.join(sorted(roots))} (is the plugin installed?)")
        path = os.path.join(roots[prefix], rel)
    if not os.path.isfile(path):
        raise ConfigError(f'config file not found: {path}')
    return path


def _read_data_config(path: str) -> Config:
    """A YAML or JSON config as plain data: no tags that build objects."""
    import yaml
    try:
        with open(path, encoding='utf-8') as file:
            data = json.load(file) if path.endswith('.json') \
                else yaml.safe_load(file)
    except (yaml.YAMLError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error) else ''
        raise ConfigError(f'{path}: not a readable config: '
                          f'{type(error).__name__}: {first}') from None
    if not isinstance(data, dict):
        raise ConfigError(f'{path}: a config must be a mapping of fields, '
                          f'got {type(data).__name__}')
    if '_base_' in data:
        raise ConfigError(
            f'{path}: _base_ inheritance is only for Python configs (YAML '
            'and JSON configs are read as plain data); write it as a .py '
            'config')
    return Config(data, filename=path)


def _base_files(path: str, tree: ast.Module) -> list:
    """The local files a parsed config names in ``_base_`` (plugin and
    package references such as ``mmpretrain::...`` are skipped)."""
    names = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(target, 'id', None) == '_base_'
                for target in node.targets):
            value = node.value
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) \
                else [value]
            names += [item.value for item in items
                      if isinstance(item, ast.Constant)
                      and isinstance(item.value, str)]
    folder = os.path.dirname(path)
    return [os.path.normpath(os.path.join(folder, name))
            for name in names if '::' not in name]


def _find_syntax_error(path: str, seen=None) -> Optional[Tuple[str, int,
                                                               str]]:
    """(file, line, message) of the first syntax error in ``path`` or its
    ``_base_`` files, depth first; None if they all compile."""
    seen = set() if seen is None else seen
    if path in seen or not os.path.isfile(path) or not path.endswith('.py'):
        return None
    seen.add(path)
    with open(path, encoding='utf-8') as file:
        source = file.read()
    try:
        tree = ast.parse(source, path)
    except SyntaxError as error:
        text = (error.text or '').strip()
        return path, error.lineno, error.msg + (f': {text}' if text else '')
    for base in _base_files(path, tree):
        found = _find_syntax_error(base, seen)
        if found:
            return found
    return None


def _read_python_config(path: str) -> Config:
    try:
        return Config.fromfile(path)
    except SyntaxError as error:
        # mmengine reports '<unknown>' or drops the line; find it ourselves.
        found = _find_syntax_error(path)
        where = (f'{found[0]}, line {found[1]}: {found[2]}' if found else
                 f'{path}: {str(error).splitlines()[0]}')
        raise ConfigError(f'syntax error in config {where}') from None


def _brackets_nest(value: str) -> bool:
    """Whether every ``[`` and ``(`` in ``value`` is closed, in order."""
    pairs, stack = {']': '[', ')': '('}, []
    for char in value:
        if char in '[(':
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` (``--cfg-options key=value ...``) that
    refuses a malformed item with one line naming it: an item without
    ``=`` or without a key, or a value whose brackets do not nest (which
    ``DictAction`` would fail on with an assertion or a recursion error, or
    keep as a string).
    Values are then parsed as ``DictAction`` parses them; whether a value
    fits its field is checked with the config."""

    def __call__(self, parser, namespace, values, option_string=None):
        flag = option_string or '--cfg-options'
        for item in values or ():
            key, equals, value = item.partition('=')
            if not equals or not key.strip():
                raise ConfigError(
                    f"{flag} {item}: write KEY=VALUE, e.g. "
                    'train_cfg.max_epochs=2')
            if not _brackets_nest(value):
                raise ConfigError(
                    f'{flag} {item}: the brackets in {value} do not '
                    'nest; close each [ and (, e.g. key=[1,2]')
        super().__call__(parser, namespace, values, option_string)


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config (``prefix::`` allowed) and merge ``cfg_options``.

    Raises:
        ConfigError: the file is missing, of an unknown kind, has a syntax
            error (naming the file and line), or (YAML / JSON) is not a
            plain mapping.
    """
    path = resolve_config_path(path)
    if path.endswith(DATA_SUFFIXES):
        cfg = _read_data_config(path)
    elif path.endswith('.py'):
        cfg = _read_python_config(path)
    else:
        raise ConfigError(f'{path}: a config is a .py file (or plain data '
                          f"in {', '.join(DATA_SUFFIXES)})")
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg

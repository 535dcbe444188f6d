"""Reading configs: paths with a plugin prefix, Python configs, and YAML /
JSON configs read as plain data.

A Python config is a program: loading it runs it, so run only configs you
trust (``docs/safety.md``). YAML and JSON configs are read with safe loaders
(mmengine's own YAML loader can construct Python objects), so they hold data
only; they cannot inherit through ``_base_``.

* ``<prefix>::path/to/config.py`` resolves through the plugins'
  ``gankd_config_roots`` (``gankd::`` is this repository's ``configs/``).

Core: library code (frozen teachers, predictors, encoders) and commands read
configs through :func:`load_config`.
"""
import json
import os
from typing import Optional

from mmengine.config import Config

from gankd.errors import ConfigError
from gankd.plugins import hook_results

__all__ = ['ConfigError', 'REPO_CONFIGS', 'DATA_SUFFIXES', 'config_roots',
           'resolve_config_path', 'load_config']

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


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config (``prefix::`` allowed) and merge ``cfg_options``.

    Raises:
        ConfigError: the file is missing, of an unknown kind, or (YAML /
            JSON) not a plain mapping.
    """
    path = resolve_config_path(path)
    if path.endswith(DATA_SUFFIXES):
        cfg = _read_data_config(path)
    elif path.endswith('.py'):
        cfg = Config.fromfile(path)
    else:
        raise ConfigError(f'{path}: a config is a .py file (or plain data '
                          f"in {', '.join(DATA_SUFFIXES)})")
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg

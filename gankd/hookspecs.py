"""The gankd plugin hooks: the single documented source for plugin authors.

A plugin is a Python module named by an entry point in group
``gankd.plugins`` (``gankd_foo = gankd_foo`` in ``setup.py``). It implements
any of the hooks below as module-level functions decorated with
:data:`gankd.hookimpl`. Hooks only wire things at load time; what happens
during training belongs in mmengine hooks (``gankd.registry.HOOKS``).

Keep the plugin module's own import cheap: import components inside
:func:`gankd_register_modules`, never torch or mmpretrain at module level.
gankd imports every plugin module to call the configure-phase hooks, also
for ``gankd train --help``, so a heavy module import slows every command.

Phases:

1. **Load** (once per process, on the first registry lookup):
   :func:`gankd_register_modules`.
2. **Configure** (by ``gankd``/``tools/*``, before a Runner exists):
   :func:`gankd_config_roots`, :func:`gankd_add_cli_arguments`,
   :func:`gankd_apply_cli_arguments`, :func:`gankd_check_config`.
3. **Weights** (by converters and the model index, on demand):
   :func:`gankd_model_index`, :func:`gankd_checkpoint_converters`.

No hook is ``firstresult`` or ``historic``: every plugin is asked. Every
plugin module is imported before any hook is called; components are
registered on the first registry lookup, so a configure-phase hook may run
before :func:`gankd_register_modules` (a lookup in it loads them). A plugin
that fails to import or register is skipped; its hooks are not called after.
"""
import argparse
from typing import Dict, List

import pluggy

__all__ = ['hookspec', 'hookimpl', 'PROJECT']

PROJECT = 'gankd'
hookspec = pluggy.HookspecMarker(PROJECT)
#: Decorator for plugin hook implementations: ``@gankd.hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def gankd_register_modules(registrar) -> None:
    """Register the plugin's components.

    Called once per plugin, when plugins load (the first lookup in any gankd
    registry). Import the plugin's modules here, not at package import, and
    add each component with ``registrar.register(registry, *objects)``, where
    ``registry`` is a gankd registry or its name (``'model'``, ``'dataset'``,
    ``'metric'``, ...). A name another plugin (or gankd) already holds raises,
    naming both.

    Args:
        registrar (gankd.plugins.Registrar): records what this plugin adds.
    """


@hookspec
def gankd_config_roots() -> Dict[str, str]:
    """Folders of configs the plugin ships.

    Returns:
        dict: prefix -> absolute folder. ``<prefix>::path/to/cfg.py`` then
        resolves to ``<folder>/path/to/cfg.py`` wherever gankd takes a config
        path (``gankd train``, ``tools/*.py``). Use the plugin's name as prefix.
    """


@hookspec
def gankd_model_index() -> List[dict]:
    """Pretrained weights the plugin knows of.

    Nothing is downloaded: each entry tells users which file to fetch
    themselves and lets gankd verify it.

    Returns:
        list[dict]: entries with keys ``name`` (unique), ``config`` (a config
        path, ``prefix::`` allowed), ``filename``, ``sha256`` (hex of the
        file), ``source`` (where users obtain it) and optionally ``converter``
        (a converter name from :func:`gankd_checkpoint_converters`) and
        ``metrics`` (dict).
    """


@hookspec
def gankd_checkpoint_converters() -> List[object]:
    """Converters from official checkpoint formats to gankd state dicts.

    Returns:
        list[gankd.utils.converters.CheckpointConverter]: each with a unique
        ``name``, a ``convert(checkpoint: dict) -> dict`` that returns a
        gankd state dict (raising, with the offending key, on a missing key or
        a shape mismatch), and optionally ``matches(checkpoint) -> bool`` used
        to detect the format.
    """


@hookspec
def gankd_add_cli_arguments(command: str,
                            parser: argparse.ArgumentParser) -> None:
    """Add arguments to a gankd command's parser.

    Args:
        command (str): ``'train'`` or ``'test'``.
        parser (argparse.ArgumentParser): add to an argument group named after
            the plugin; use long options prefixed with the plugin's name.
    """


@hookspec
def gankd_apply_cli_arguments(command: str, args: argparse.Namespace,
                              cfg) -> None:
    """Apply the plugin's own command-line arguments to the config.

    Called after ``--cfg-options`` are merged and before
    :func:`gankd_check_config`.

    Args:
        command (str): ``'train'`` or ``'test'``.
        args (argparse.Namespace): all parsed arguments.
        cfg (mmengine.Config): the config, to change in place.
    """


@hookspec
def gankd_check_config(command: str, cfg) -> List[str]:
    """Check a config before the Runner is built (read-only).

    Args:
        command (str): ``'train'``, ``'test'`` or ``'check'``.
        cfg (mmengine.Config): a copy of the final config; changes are
            discarded.

    Returns:
        list[str]: problems, each one line naming the field and the fix; an
        empty list (or None) when the config is fine. Any problem stops the
        command before training starts.
    """

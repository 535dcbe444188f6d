"""Plugin discovery, loading and listing.

Builtin and third-party plugins use one mechanism: an entry point in group
``gankd.plugins`` naming a module that implements hooks from
:mod:`gankd.hookspecs`. Plugins load lazily, on the first lookup in a gankd
registry (:class:`gankd.registry.GankdRegistry` calls :func:`load_plugins`),
each on its own: one that fails is reported by name with its error.

Environment switches (read when plugins load):

=========================  ==================================================
``GANKD_PLUGINS_DISABLE``  comma-separated plugin names not to load
``GANKD_PLUGINS_ONLY``     comma-separated allow-list; others are not loaded
``GANKD_PLUGINS_LENIENT``  ``1``: a plugin that fails to load is a warning and
                           is skipped (default: the error is raised)
``GANKD_PLUGINS_TRACE``    ``1``: print each plugin load and hook call to
                           stderr
=========================  ==================================================

Duplicates always raise, naming both sides: two distributions declaring the
same plugin name, or two plugins (or a plugin and gankd) registering the same
component name in one registry.
"""
import importlib.metadata
import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import pluggy

from gankd import hookspecs
from gankd.errors import UserError
from gankd.registry import ALL_REGISTRIES

__all__ = [
    'ENTRY_POINT_GROUP', 'PluginInfo', 'Registrar', 'PluginLoadError',
    'DuplicatePluginError', 'load_plugins', 'unload_plugins', 'plugin_infos',
    'loaded_plugin_names', 'hook_results', 'component_owner'
]

ENTRY_POINT_GROUP = 'gankd.plugins'
ENV_DISABLE = 'GANKD_PLUGINS_DISABLE'
ENV_ONLY = 'GANKD_PLUGINS_ONLY'
ENV_LENIENT = 'GANKD_PLUGINS_LENIENT'
ENV_TRACE = 'GANKD_PLUGINS_TRACE'
CORE = 'gankd'


class PluginLoadError(UserError, RuntimeError):
    """A plugin could not be imported or registered."""


class DuplicatePluginError(UserError, RuntimeError):
    """Two plugins claim the same plugin or component name."""


@dataclass
class PluginInfo:
    """What gankd knows of one entry point.

    Attributes:
        name: the entry point's name (the plugin's name).
        module: the module the entry point names.
        distribution: the installed distribution declaring it.
        version: that distribution's version.
        status: ``'loaded'``, ``'disabled'`` or ``'failed'``.
        error: one line, when the plugin failed.
        components: registry name -> component names the plugin registered.
    """
    name: str
    module: str
    distribution: Optional[str] = None
    version: Optional[str] = None
    status: str = 'pending'
    error: Optional[str] = None
    components: Dict[str, List[str]] = field(default_factory=dict)


class Registrar:
    """Passed to ``gankd_register_modules``; registers on a plugin's behalf.

    It records which plugin owns each name, so that a clash names both
    owners and a failed plugin's registrations can be rolled back.
    """

    def __init__(self, plugin: str):
        self.plugin = plugin
        self.added: List[Tuple[Any, str]] = []

    def register(self, registry, *objects, name: Optional[str] = None):
        """Register ``objects`` into ``registry`` (object or name).

        Args:
            registry: a gankd registry, or its name (``'model'``).
            *objects: classes or functions; each is registered under its
                ``__name__``, or under ``name`` when exactly one is given.
        """
        if isinstance(registry, str):
            if registry not in ALL_REGISTRIES:
                raise KeyError(f"plugin '{self.plugin}' registers into "
                               f"unknown registry '{registry}'; known: "
                               f"{', '.join(sorted(ALL_REGISTRIES))}")
            registry = ALL_REGISTRIES[registry]
        if name is not None and len(objects) != 1:
            raise ValueError('name= needs exactly one object')
        for obj in objects:
            key = name or obj.__name__
            if key in registry.module_dict:
                owner = component_owner(registry.name, key)
                raise DuplicatePluginError(
                    f"{registry.name} '{key}' is registered twice: by "
                    f"{_describe(owner)} and by plugin '{self.plugin}'. "
                    'Rename one of them, or disable one plugin with '
                    f'{ENV_DISABLE}.')
            registry.register_module(name=key, module=obj)
            _STATE.owners[(registry.name, key)] = self.plugin
            self.added.append((registry, key))

    def rollback(self) -> None:
        """Remove everything this registrar added."""
        for registry, key in self.added:
            registry._module_dict.pop(key, None)
            _STATE.owners.pop((registry.name, key), None)
        self.added.clear()


def _describe(owner: str) -> str:
    return 'gankd itself' if owner == CORE else f"plugin '{owner}'"


class _State:

    def __init__(self):
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.infos: Dict[str, PluginInfo] = {}
        self.registrars: Dict[str, Registrar] = {}
        self.owners: Dict[Tuple[str, str], str] = {}
        self.loaded = False
        self.loading = False


_STATE = _State()


def _env_names(variable: str) -> Optional[set]:
    value = os.environ.get(variable, '').strip()
    if not value:
        return None
    return {name.strip() for name in value.split(',') if name.strip()}


def _trace(message: str) -> None:
    if os.environ.get(ENV_TRACE, '') not in ('', '0'):
        print(f'[gankd plugins] {message}', file=sys.stderr)


def _entry_points() -> list:
    """The group's entry points; a name declared twice raises."""
    seen: Dict[str, Any] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        other = seen.get(ep.name)
        if other is not None and other.value != ep.value:
            raise DuplicatePluginError(
                f"plugin name '{ep.name}' is declared twice: by "
                f"{_dist_name(other)} ({other.value}) and by "
                f'{_dist_name(ep)} ({ep.value}). Uninstall one of them.')
        seen[ep.name] = ep
    return sorted(seen.values(), key=lambda ep: ep.name)


def _dist_name(ep) -> str:
    dist = getattr(ep, 'dist', None)
    return dist.name if dist is not None else 'an unknown distribution'


def load_plugins() -> None:
    """Load every installed plugin once; later calls return at once."""
    if _STATE.loaded or _STATE.loading:
        return
    _STATE.loading = True
    try:
        disabled = _env_names(ENV_DISABLE) or set()
        only = _env_names(ENV_ONLY)
        for ep in _entry_points():
            info = _STATE.infos.get(ep.name)
            if info is not None and info.status == 'loaded':
                continue
            dist = getattr(ep, 'dist', None)
            info = PluginInfo(
                name=ep.name,
                module=ep.value,
                distribution=dist.name if dist is not None else None,
                version=dist.version if dist is not None else None)
            _STATE.infos[ep.name] = info
            if ep.name in disabled or (only is not None
                                       and ep.name not in only):
                info.status = 'disabled'
                _trace(f'{ep.name}: disabled by the environment')
                continue
            _load_one(ep, info)
        _STATE.loaded = True
    finally:
        _STATE.loading = False


def _load_one(ep, info: PluginInfo) -> None:
    _trace(f'{ep.name}: loading {ep.value}')
    for registry in ALL_REGISTRIES.values():  # core names first, for clashes
        registry.import_from_location()
    registrar = Registrar(ep.name)
    manager = _STATE.manager
    try:
        module = ep.load()
        manager.register(module, name=ep.name)
        manager.check_pending()  # a misspelt gankd_* hook fails here
        for impl in manager.hook.gankd_register_modules.get_hookimpls():
            if impl.plugin_name == ep.name:
                impl.function(registrar)
    except DuplicatePluginError:
        registrar.rollback()
        _unregister(ep.name)
        raise
    except Exception as error:  # each plugin fails on its own
        registrar.rollback()
        _unregister(ep.name)
        info.status = 'failed'
        info.error = f'{type(error).__name__}: {error}'.splitlines()[0]
        message = (f"gankd plugin '{ep.name}' ({ep.value}, from "
                   f'{info.distribution}) failed to load: {info.error}. Fix '
                   f'or uninstall it, or skip it with {ENV_DISABLE}='
                   f'{ep.name} (or {ENV_LENIENT}=1 to skip failing plugins).')
        if os.environ.get(ENV_LENIENT, '') not in ('', '0'):
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            return
        raise PluginLoadError(message) from error
    info.status = 'loaded'
    _STATE.registrars[ep.name] = registrar
    for registry, key in registrar.added:
        info.components.setdefault(registry.name, []).append(key)
    _trace(f'{ep.name}: loaded, registered {len(registrar.added)} '
           'component(s)')


def _unregister(name: str) -> None:
    if _STATE.manager.get_plugin(name) is not None:
        _STATE.manager.unregister(name=name)


def unload_plugins() -> None:
    """Remove every plugin's components and forget them (tests, notebooks).

    The next registry lookup loads plugins again, with the environment as it
    is then.
    """
    for name, registrar in list(_STATE.registrars.items()):
        registrar.rollback()
        _unregister(name)
    _STATE.infos.clear()
    _STATE.registrars.clear()
    _STATE.loaded = False


def plugin_infos() -> List[PluginInfo]:
    """Every entry point seen, loaded or not, sorted by name."""
    load_plugins()
    return sorted(_STATE.infos.values(), key=lambda info: info.name)


def loaded_plugin_names() -> List[str]:
    """Names of the plugins whose components are registered."""
    return sorted(name for name, info in _STATE.infos.items()
                  if info.status == 'loaded')


def component_owner(registry_name: str, name: str) -> str:
    """``'gankd'`` or the plugin that registered ``name``; mmengine's or
    another scope's own names report ``'gankd'`` only if gankd added them."""
    return _STATE.owners.get((registry_name, name), CORE)


def hook_results(hook: str, **kwargs) -> List[Tuple[str, Any]]:
    """Call ``hook`` on every loaded plugin, each with its own error context.

    Returns:
        list[tuple[str, Any]]: ``(plugin name, result)`` for every plugin that
        implements the hook, in load order; ``None`` results are dropped.

    Raises:
        PluginLoadError: a plugin's implementation raised; the message names
            the plugin and the hook.
    """
    load_plugins()
    results = []
    for impl in getattr(_STATE.manager.hook, hook).get_hookimpls():
        args = {name: kwargs[name] for name in impl.argnames}
        try:
            result = impl.function(**args)
        except Exception as error:
            raise PluginLoadError(
                f"plugin '{impl.plugin_name}' failed in {hook}: "
                f'{type(error).__name__}: {error}') from error
        _trace(f'{impl.plugin_name}.{hook}() -> {type(result).__name__}')
        if result is not None:
            results.append((impl.plugin_name, result))
    return results

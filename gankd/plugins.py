"""Plugin discovery, loading and listing.

Builtin and third-party plugins use one mechanism: an entry point in group
``gankd.plugins`` naming a module that implements hooks from
:mod:`gankd.hookspecs`. Plugins load lazily and in two steps, each plugin on
its own:

1. **Import** (:func:`import_plugins`, on the first hook call): each
   plugin's module is imported and its hooks registered. This is cheap by
   contract (a plugin imports its components inside
   ``gankd_register_modules``), so ``gankd train --help`` shows plugins'
   options without importing torch.
2. **Register** (:func:`load_plugins`, on the first lookup in a gankd
   registry, :class:`gankd.registry.GankdRegistry`): gankd's own modules,
   then each plugin's ``gankd_register_modules``.

A plugin that fails in either step is skipped and reported once, by name,
with its error and the switches below; the other plugins and everything
that does not need it keep working. "Needs" is decided where it shows: a
component type that no registry holds, looked up while a plugin failed,
names the failed plugin as its likely owner (:func:`failed_plugins_note`).
``gankd plugins`` lists every entry point with its status and error.

Environment switches (``DISABLE`` / ``ONLY`` read when plugins are
discovered, the others when they act):

=========================  ==================================================
``GANKD_PLUGINS_DISABLE``  comma-separated plugin names not to load
``GANKD_PLUGINS_ONLY``     comma-separated allow-list; others are not loaded
``GANKD_PLUGINS_LENIENT``  ``1``: a plugin that fails is a Python
                           ``RuntimeWarning`` (filterable), and ``gankd
                           plugins`` exits 0. Default (strict): one
                           ``warning:`` line on stderr, and ``gankd plugins``
                           exits 1 after listing
``GANKD_PLUGINS_TRACE``    ``1``: print each plugin load and hook call to
                           stderr
=========================  ==================================================

Duplicates always raise, naming both sides: two distributions declaring the
same plugin name, or two plugins (or a plugin and gankd) registering the
same component name in one registry. The other plugins are still loaded
(and listed); every later lookup raises the same error.
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
    'DuplicatePluginError', 'import_plugins', 'load_plugins',
    'unload_plugins', 'plugin_infos', 'loaded_plugin_names',
    'failed_plugins_note', 'lenient', 'hook_results', 'component_owner'
]

ENTRY_POINT_GROUP = 'gankd.plugins'
ENV_DISABLE = 'GANKD_PLUGINS_DISABLE'
ENV_ONLY = 'GANKD_PLUGINS_ONLY'
ENV_LENIENT = 'GANKD_PLUGINS_LENIENT'
ENV_TRACE = 'GANKD_PLUGINS_TRACE'
CORE = 'gankd'


class PluginLoadError(UserError, RuntimeError):
    """A plugin failed in a hook, or (``gankd plugins``) failed to load."""


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
        status: ``'pending'`` (found, not imported), ``'imported'``
            (hooks registered, components not yet), ``'loaded'``,
            ``'disabled'`` (by the environment) or ``'failed'``.
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
        self.entry_points: Dict[str, Any] = {}
        self.registrars: Dict[str, Registrar] = {}
        self.owners: Dict[Tuple[str, str], str] = {}
        self.discovered = False  # infos read from metadata
        self.imported = False  # step 1 done
        self.loaded = False  # step 2 done
        self.busy = False  # a step runs (a plugin may look names up)
        self.fatal: Optional[DuplicatePluginError] = None


_STATE = _State()


def _env_names(variable: str) -> Optional[set]:
    value = os.environ.get(variable, '').strip()
    if not value:
        return None
    return {name.strip() for name in value.split(',') if name.strip()}


def _env_flag(variable: str) -> bool:
    return os.environ.get(variable, '') not in ('', '0')


def _trace(message: str) -> None:
    if _env_flag(ENV_TRACE):
        print(f'[gankd plugins] {message}', file=sys.stderr)


def _entry_points() -> list:
    """The group's entry points sorted by name (the same declaration seen
    twice, e.g. on two path entries, once)."""
    unique = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        unique.setdefault((ep.name, ep.value), ep)
    return sorted(unique.values(), key=lambda ep: ep.name)


def _dist_name(ep) -> str:
    dist = getattr(ep, 'dist', None)
    return dist.name if dist is not None else 'an unknown distribution'


def _discover() -> None:
    """Fill the infos from entry-point metadata and the switches; imports
    no plugin. A name declared twice marks it failed and fatal."""
    if _STATE.discovered:
        return
    disabled = _env_names(ENV_DISABLE) or set()
    only = _env_names(ENV_ONLY)
    for ep in _entry_points():
        other = _STATE.entry_points.get(ep.name)
        if other is not None:
            error = DuplicatePluginError(
                f"plugin name '{ep.name}' is declared twice: by "
                f'{_dist_name(other)} ({other.value}) and by '
                f'{_dist_name(ep)} ({ep.value}). Uninstall one of them.')
            info = _STATE.infos[ep.name]
            info.status, info.error = 'failed', str(error)
            _STATE.fatal = _STATE.fatal or error
            continue
        dist = getattr(ep, 'dist', None)
        info = PluginInfo(
            name=ep.name,
            module=ep.value,
            distribution=dist.name if dist is not None else None,
            version=dist.version if dist is not None else None)
        if ep.name in disabled or (only is not None and ep.name not in only):
            info.status = 'disabled'
            _trace(f'{ep.name}: disabled by the environment')
        _STATE.entry_points[ep.name] = ep
        _STATE.infos[ep.name] = info
    _STATE.discovered = True


def _infos(status: str) -> List[PluginInfo]:
    return [info for _, info in sorted(_STATE.infos.items())
            if info.status == status]


def _import_all() -> None:
    """Step 1 for every pending plugin; never raises for a plugin."""
    _discover()
    if _STATE.imported or _STATE.busy:
        return
    _STATE.busy = True
    try:
        for info in _infos('pending'):
            _import_one(_STATE.entry_points[info.name], info)
        _STATE.imported = True
    finally:
        _STATE.busy = False


def _load_all() -> None:
    """Steps 1 and 2 for every enabled plugin; never raises for a plugin."""
    _import_all()
    if _STATE.loaded or _STATE.busy:
        return
    _STATE.busy = True
    try:
        if _infos('imported'):
            for registry in ALL_REGISTRIES.values():  # core names first,
                registry.import_from_location()  # so clashes name gankd
        for info in _infos('imported'):
            _register_one(info)
        _STATE.loaded = True
    finally:
        _STATE.busy = False


def import_plugins() -> None:
    """Import every enabled plugin and register its hooks, once; its
    components are registered later, by :func:`load_plugins`.

    Raises:
        DuplicatePluginError: a plugin name is declared twice, or two
            plugins register the same component name.
    """
    if _STATE.busy:  # a plugin looks a name up while plugins load
        return
    _import_all()
    if _STATE.fatal is not None:
        raise _STATE.fatal


def load_plugins() -> None:
    """Import every enabled plugin and register its components, once;
    later calls return at once. A plugin that fails is reported and
    skipped (see the module docstring).

    Raises:
        DuplicatePluginError: a plugin name is declared twice, or two
            plugins register the same component name.
    """
    if _STATE.busy:  # a plugin looks a name up while plugins load
        return
    _load_all()
    if _STATE.fatal is not None:
        raise _STATE.fatal


def _import_one(ep, info: PluginInfo) -> None:
    _trace(f'{ep.name}: loading {ep.value}')
    manager = _STATE.manager
    try:
        module = ep.load()
        manager.register(module, name=ep.name)
        manager.check_pending()  # a misspelt gankd_* hook fails here
    except (Exception, SystemExit) as error:  # each plugin fails on its own
        _unregister(ep.name)
        _fail(info, error)
        return
    info.status = 'imported'


def _register_one(info: PluginInfo) -> None:
    registrar = Registrar(info.name)
    try:
        for impl in _STATE.manager.hook.gankd_register_modules.get_hookimpls():
            if impl.plugin_name == info.name:
                impl.function(registrar)
    except DuplicatePluginError as error:
        registrar.rollback()
        _unregister(info.name)
        info.status, info.error = 'failed', str(error)
        _STATE.fatal = _STATE.fatal or error
        return
    except (Exception, SystemExit) as error:
        registrar.rollback()
        _unregister(info.name)
        _fail(info, error)
        return
    info.status = 'loaded'
    _STATE.registrars[info.name] = registrar
    for registry, key in registrar.added:
        info.components.setdefault(registry.name, []).append(key)
    _trace(f'{info.name}: loaded, registered {len(registrar.added)} '
           'component(s)')


def _fail(info: PluginInfo, error: BaseException) -> None:
    """Mark ``info`` failed and say so once: a warning line on stderr, or a
    ``RuntimeWarning`` in lenient mode."""
    info.status = 'failed'
    info.error = (f'{type(error).__name__}: {error}'.splitlines() or [''])[0]
    message = (f"gankd plugin '{info.name}' ({info.module}, from "
               f'{info.distribution}) failed to load: {info.error}. It is '
               'skipped: anything that needs its components fails. Fix or '
               f'uninstall it, or skip it with {ENV_DISABLE}={info.name} '
               f'({ENV_LENIENT}=1: a Python warning instead of this line).')
    if lenient():
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    else:
        print(f'warning: {message}', file=sys.stderr)


def _unregister(name: str) -> None:
    if _STATE.manager.get_plugin(name) is not None:
        _STATE.manager.unregister(name=name)


def unload_plugins() -> None:
    """Remove every plugin's components and hooks and forget them (tests,
    notebooks). The next lookup discovers and loads plugins again, with the
    environment as it is then.
    """
    for registrar in _STATE.registrars.values():
        registrar.rollback()
    for name in list(_STATE.infos):
        _unregister(name)
    _STATE.infos.clear()
    _STATE.entry_points.clear()
    _STATE.registrars.clear()
    _STATE.discovered = _STATE.imported = _STATE.loaded = False
    _STATE.fatal = None


def plugin_infos(load: bool = True) -> List[PluginInfo]:
    """Every entry point, from its metadata, sorted by name; never raises
    for a plugin's failure (its status and error say it).

    Args:
        load (bool): first load every enabled plugin, each on its own
            (status ``'loaded'`` or ``'failed'``); False: this call imports
            no plugin (status ``'pending'`` or ``'disabled'``, unless an
            earlier call went further).
    """
    _discover()
    if load:
        _load_all()
    return sorted(_STATE.infos.values(), key=lambda info: info.name)


def lenient() -> bool:
    """Whether ``GANKD_PLUGINS_LENIENT`` makes failing plugins warnings."""
    return _env_flag(ENV_LENIENT)


def failed_plugins_note() -> str:
    """A sentence naming the plugins that failed to load as the likely
    owners of a component not found; ``''`` when none failed."""
    failed = _infos('failed')
    if not failed:
        return ''
    names = ', '.join(f"'{info.name}' ({info.error})" for info in failed)
    switch = ','.join(info.name for info in failed)
    return (f"{'Plugins' if len(failed) > 1 else 'Plugin'} {names} failed to "
            'load and may provide it: fix or uninstall, or skip with '
            f'{ENV_DISABLE}={switch}.')


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
    import_plugins()
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

"""gankd's registries: children of mmengine's roots, scope ``'gankd'``.

Every buildable gankd component lives in one of these registries, whatever its
kind (distiller, generator, ...); the kind is the component's base class (see
:mod:`gankd.kinds`). There are no per-kind registries, because mmengine does
not look into grandchildren for an unscoped name.

Two behaviours are added to mmengine's :class:`~mmengine.registry.Registry`:

* **Plugins load lazily.** The first lookup in any gankd registry loads the
  entry points of group ``gankd.plugins`` (see :mod:`gankd.plugins`), so
  configs never need ``custom_imports`` for installed plugins.
* **The scope follows the type.** mmengine builds nested configs under the
  caller's default scope, so ``dict(type='mmpretrain.ImageClassifier',
  backbone=dict(type='ResNet'))`` built from gankd would look ``ResNet`` up in
  gankd. gankd's build functions set ``_scope_`` from the type prefix (or to
  ``'gankd'`` for an unprefixed name) when ``_scope_`` is absent. Configs built
  by mmengine's own root registries (the Runner's model) get the same rule
  through :func:`scope_config_types`.
"""
import copy
import difflib
from typing import Any, Callable, Optional

from mmengine.config import Config, ConfigDict
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import \
    RUNNER_CONSTRUCTORS as MMENGINE_RUNNER_CONSTRUCTORS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

from gankd.errors import UserError

__all__ = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS',
    'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
    'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'TASK_UTILS', 'METRICS',
    'EVALUATOR', 'VISUALIZERS', 'VISBACKENDS', 'ALL_REGISTRIES',
    'GankdRegistry', 'UnknownComponentError', 'find_type', 'resolve_type',
    'type_scope',
    'scope_config_types'
]

SCOPE = 'gankd'


class UnknownComponentError(UserError, KeyError):
    """A config names a type that no loaded registry holds."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def _known_scope(prefix: str) -> bool:
    """Whether ``prefix`` names an OpenMMLab scope with a registry tree node."""
    root = MMENGINE_MODELS  # every scope registers a MODELS child
    if root._search_child(prefix) is not None:
        return True
    try:
        __import__(f'{prefix}.registry')
    except ImportError:
        return False
    return root._search_child(prefix) is not None


def type_scope(type_name: str) -> Optional[str]:
    """``'mmpretrain.ResNet'`` -> ``'mmpretrain'``; unscoped or a dotted
    import path (``'torch.nn.ReLU'``) -> None."""
    prefix, dot, _ = type_name.partition('.')
    if dot and _known_scope(prefix):
        return prefix
    return None


def _close_matches(registry: Registry, name: str) -> list:
    """Names close to ``name`` in ``registry``, its ancestors and, qualified
    with their scope, its sibling scopes (an error path: imports are fine)."""
    candidates = {}
    parent = registry
    while parent is not None:
        candidates.update({key: key for key in parent.module_dict})
        parent = parent.parent
    _known_scope('mmpretrain')  # gankd's main neighbour; imports its tree
    for scope, sibling in registry._get_root_registry().children.items():
        if sibling is not registry:
            try:
                sibling.import_from_location()
            except Exception:  # suggestions must never mask the real error
                continue
            # A name reachable unqualified is suggested unqualified.
            for key in sibling.module_dict:
                candidates.setdefault(key, f'{scope}.{key}')
    matches = difflib.get_close_matches(
        name.rpartition('.')[2], sorted(candidates), n=5, cutoff=0.75)
    return [candidates[match] for match in matches]


def _unknown_message(registry: Registry, type_name: str) -> str:
    from gankd.plugins import failed_plugins_note  # plugins imports us
    from gankd.plugins import loaded_plugin_names
    matches = _close_matches(registry, type_name)
    hint = f" Did you mean: {', '.join(matches)}?" if matches else ''
    plugins = ', '.join(loaded_plugin_names()) or 'none'
    # Only gankd's scope holds plugins' components: a failed plugin is a
    # likely owner of a gankd name, never of an 'mmpretrain.X'.
    failed = failed_plugins_note() if registry.scope == SCOPE else ''
    failed = f' {failed}' if failed else ''
    return (f"'{type_name}' is not in the {registry.scope}::{registry.name} "
            f'registry.{hint} Loaded gankd plugins: {plugins}.{failed} '
            'Install the plugin that provides it, or qualify a foreign name '
            "with its scope (e.g. 'mmpretrain.ResNet').")


def find_type(registry: Registry, obj_type: str,
              scope: Optional[str] = None) -> Any:
    """The class (or function) ``obj_type`` names, seen from ``registry``,
    or None. The scope is ``scope``, else the type's prefix, else the
    registry's own."""
    scope = scope or type_scope(obj_type) or registry.scope
    with registry.switch_scope_and_registry(scope) as target:
        try:
            return target.get(obj_type)
        except RuntimeError:  # mmengine: 'Failed to get <name>'
            return None


def resolve_type(registry: Registry, obj_type: str,
                 scope: Optional[str] = None) -> Any:
    """Like :func:`find_type`, but an unknown type raises.

    Raises:
        UnknownComponentError: with close matches and the loaded plugins.
    """
    found = find_type(registry, obj_type, scope)
    if found is None:
        scope = scope or type_scope(obj_type) or registry.scope
        with registry.switch_scope_and_registry(scope) as target:
            raise UnknownComponentError(_unknown_message(target, obj_type))
    return found


def _scoped(build_func: Callable) -> Callable:
    """Wrap an mmengine build function so ``_scope_`` follows the type and an
    unknown type fails before anything is built."""

    def build(cfg, registry: Registry, default_args=None) -> Any:
        if not isinstance(cfg, (dict, ConfigDict, Config)):
            return build_func(cfg, registry, default_args)
        obj_type = cfg.get('type', (default_args or {}).get('type'))
        if isinstance(obj_type, str):
            if '_scope_' not in cfg:
                cfg = copy.copy(cfg)
                cfg['_scope_'] = type_scope(obj_type) or registry.scope
            resolve_type(registry, obj_type, cfg['_scope_'])
        return build_func(cfg, registry, default_args)

    build.__wrapped__ = build_func
    return build


class GankdRegistry(Registry):
    """An mmengine registry that loads gankd plugins on first lookup and
    builds with the scope taken from the type prefix."""

    def __init__(self, name: str, parent: Registry, locations=()):
        super().__init__(
            name,
            parent=parent,
            scope=SCOPE,
            locations=list(locations),
            build_func=_scoped(parent.build_func))

    def import_from_location(self) -> None:
        if not self._imported:
            super().import_from_location()
        # Also after unload_plugins() (tests, notebooks): the next lookup
        # loads them again. A no-op once they are loaded.
        from gankd.plugins import load_plugins  # plugins imports us
        load_plugins()


def scope_config_types(cfg: Any) -> Any:
    """Set ``_scope_`` on every dict in ``cfg`` whose type has a scope prefix.

    mmengine's Runner builds ``cfg.model`` through its root registry, which
    does not use gankd's build function; applied to that subtree this gives
    nested builds the same rule. Only prefixed types are touched: adding
    ``_scope_`` to an unscoped dict would break components that pop ``type``
    themselves. Returns ``cfg``, changed in place.
    """
    if isinstance(cfg, (dict, ConfigDict)):
        obj_type = cfg.get('type')
        if isinstance(obj_type, str) and '_scope_' not in cfg:
            scope = type_scope(obj_type)
            if scope is not None:
                cfg['_scope_'] = scope
        for value in cfg.values():
            scope_config_types(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            scope_config_types(value)
    return cfg


RUNNERS = GankdRegistry('runner', MMENGINE_RUNNERS, ['gankd.engine'])
RUNNER_CONSTRUCTORS = GankdRegistry('runner constructor',
                                    MMENGINE_RUNNER_CONSTRUCTORS,
                                    ['gankd.engine'])
LOOPS = GankdRegistry('loop', MMENGINE_LOOPS, ['gankd.engine'])
HOOKS = GankdRegistry('hook', MMENGINE_HOOKS, ['gankd.engine'])
LOG_PROCESSORS = GankdRegistry('log processor', MMENGINE_LOG_PROCESSORS,
                               ['gankd.engine'])
OPTIMIZERS = GankdRegistry('optimizer', MMENGINE_OPTIMIZERS, ['gankd.engine'])
OPTIM_WRAPPERS = GankdRegistry('optim wrapper', MMENGINE_OPTIM_WRAPPERS,
                               ['gankd.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = GankdRegistry(
    'optimizer wrapper constructor', MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    ['gankd.engine'])
PARAM_SCHEDULERS = GankdRegistry('parameter scheduler',
                                 MMENGINE_PARAM_SCHEDULERS, ['gankd.engine'])
DATASETS = GankdRegistry('dataset', MMENGINE_DATASETS, ['gankd.datasets'])
DATA_SAMPLERS = GankdRegistry('data sampler', MMENGINE_DATA_SAMPLERS,
                              ['gankd.datasets'])
TRANSFORMS = GankdRegistry('transform', MMENGINE_TRANSFORMS,
                           ['gankd.datasets'])
MODELS = GankdRegistry('model', MMENGINE_MODELS, ['gankd.models'])
MODEL_WRAPPERS = GankdRegistry('model_wrapper', MMENGINE_MODEL_WRAPPERS,
                               ['gankd.models'])
WEIGHT_INITIALIZERS = GankdRegistry('weight initializer',
                                    MMENGINE_WEIGHT_INITIALIZERS,
                                    ['gankd.models'])
TASK_UTILS = GankdRegistry('task util', MMENGINE_TASK_UTILS, ['gankd.models'])
METRICS = GankdRegistry('metric', MMENGINE_METRICS, ['gankd.evaluation'])
EVALUATOR = GankdRegistry('evaluator', MMENGINE_EVALUATOR,
                          ['gankd.evaluation'])
VISUALIZERS = GankdRegistry('visualizer', MMENGINE_VISUALIZERS,
                            ['gankd.engine'])
VISBACKENDS = GankdRegistry('vis_backend', MMENGINE_VISBACKENDS,
                            ['gankd.engine'])

ALL_REGISTRIES = {
    registry.name: registry
    for registry in (RUNNERS, RUNNER_CONSTRUCTORS, LOOPS, HOOKS,
                     LOG_PROCESSORS, OPTIMIZERS, OPTIM_WRAPPERS,
                     OPTIM_WRAPPER_CONSTRUCTORS, PARAM_SCHEDULERS, DATASETS,
                     DATA_SAMPLERS, TRANSFORMS, MODELS, MODEL_WRAPPERS,
                     WEIGHT_INITIALIZERS, TASK_UTILS, METRICS, EVALUATOR,
                     VISUALIZERS, VISBACKENDS)
}

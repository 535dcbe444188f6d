"""Construction errors a config causes, as one line naming its field.

mmengine builds every component with ``obj_cls(**args)`` in
``build_from_cfg``. When the arguments do not fit the constructor (a
required field missing, a misspelt keyword), Python raises a ``TypeError``
that names neither the config field nor the file. :func:`explain_build_errors`
turns exactly those into a :class:`ComponentArgumentError`::

    model.student: missing; KDDistiller requires it. Add it to the config.
    model.distill_los: KDDistiller takes no argument 'distill_los'. Did you
        mean: distill_loss? Fix the name or remove the field.

Real bugs are not swallowed. A ``TypeError`` is only translated when it was
raised by the constructor call itself (argument binding), or by its own
``__init__`` chain passing the config's keywords on to a base class
(``super().__init__(**kwargs)``), and when the offending keyword is one the
config gave; the failing component's config must also be found in the
config. Anything else propagates unchanged.
"""
import contextlib
import difflib
import inspect
import re
from typing import Iterator, List, Optional, Tuple

from gankd.errors import ConfigError

__all__ = ['ComponentArgumentError', 'explain_build_errors']

# Python's argument-binding messages, e.g. "KDDistiller.__init__() missing 1
# required positional argument: 'student'".
_UNEXPECTED = re.compile(r"\(\) got an unexpected keyword argument '(\w+)'$")
_MISSING = re.compile(r'\(\) missing \d+ required (?:positional |keyword-only'
                      r' )?arguments?: (.+)$')


class ComponentArgumentError(ConfigError, TypeError):
    """A config's fields do not fit its component's constructor."""


def _frames(error: BaseException) -> list:
    frames, tb = [], error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _init_codes(cls) -> set:
    return {vars(klass)['__init__'].__code__ for klass in cls.__mro__
            if hasattr(vars(klass).get('__init__'), '__code__')}


def _failed_build(error: TypeError):
    """(class, config) of the build whose constructor call raised ``error``
    while binding arguments, or None if it came from anywhere else."""
    from mmengine.registry.build_functions import build_from_cfg
    frames = _frames(error)
    builds = [i for i, frame in enumerate(frames)
              if frame.f_code is build_from_cfg.__code__]
    if not builds:
        return None
    frame = frames[builds[-1]]
    obj_cls, cfg = frame.f_locals.get('obj_cls'), frame.f_locals.get('cfg')
    if not inspect.isclass(obj_cls) or not isinstance(cfg, dict):
        return None
    # Only the constructor's own __init__ chain may lie in between.
    inits = _init_codes(obj_cls)
    if any(frame.f_code not in inits for frame in frames[builds[-1] + 1:]):
        return None
    return obj_cls, cfg


def _plain(value):
    """A config value without the ``_scope_`` keys gankd's builds add."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _nodes(node, path: str = '') -> Iterator[Tuple[str, dict]]:
    """(field path, dict) for every dict below ``node``."""
    if isinstance(node, dict):
        if path:
            yield path, node
        for key, value in node.items():
            yield from _nodes(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _nodes(value, f'{path}[{i}]')


def _places(cfg, component: dict) -> List[Tuple[str, dict]]:
    """(field path, the config's dict) where ``component`` (as built) sits
    in ``cfg``: the dicts equal to it or, failing that, the largest ones it
    extends with the same type (the Runner adds ``data_preprocessor`` to
    the model it builds)."""
    root = _plain(cfg.to_dict() if not isinstance(cfg, dict) else cfg)
    target = _plain(component)
    nodes = list(_nodes(root))
    exact = [(path, node) for path, node in nodes if node == target]
    if exact:
        return exact
    within = [(path, node) for path, node in nodes
              if node.get('type') == target.get('type') and all(
                  key in target and target[key] == value
                  for key, value in node.items())]
    largest = max((len(node) for _, node in within), default=0)
    return [(path, node) for path, node in within
            if len(node) == largest and largest]


def _parameters(obj_cls) -> List[str]:
    """Every named argument of the class's ``__init__`` chain."""
    names = []
    for klass in obj_cls.__mro__:
        init = vars(klass).get('__init__')
        if hasattr(init, '__code__'):
            names += [name for name, param in
                      inspect.signature(init).parameters.items()
                      if name != 'self' and param.kind not in (
                          param.VAR_POSITIONAL, param.VAR_KEYWORD)]
    return names


def _message(error: TypeError, obj_cls, places) -> Optional[str]:
    """The one-line message, or None when the error is not about fields
    the config's dicts (``places``) hold or lack."""
    text = str(error)
    node = places[0][1]
    name = node.get('type') if isinstance(node.get('type'), str) \
        else obj_cls.__name__

    def fields(names):
        return ', '.join(' or '.join(f'{path}.{field}' for path, _ in places)
                         for field in names)

    unexpected = _UNEXPECTED.search(text)
    if unexpected and all(unexpected.group(1) in node for _, node in places):
        field = unexpected.group(1)
        close = difflib.get_close_matches(field, _parameters(obj_cls), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else ''
        return (f"{fields([field])}: {name} takes no argument '{field}'."
                f'{hint} Fix the name or remove the field.')
    missing = _MISSING.search(text)
    if missing:
        names = re.findall(r"'(\w+)'", missing.group(1))
        if names and not any(field in node for field in names
                             for _, node in places):
            them = 'it' if len(names) == 1 else 'them'
            return (f'{fields(names)}: missing; {name} requires {them}. '
                    f'Add {them} to the config.')
    return None


@contextlib.contextmanager
def explain_build_errors(cfg):
    """Turn a constructor-argument ``TypeError`` raised while building
    components of ``cfg`` (a Config or dict) into a
    :class:`ComponentArgumentError` naming the field path; let every other
    error through unchanged."""
    try:
        yield
    except TypeError as error:
        if isinstance(error, ConfigError):
            raise
        failed = _failed_build(error)
        if failed is None:
            raise
        obj_cls, component = failed
        places = _places(cfg, component)
        message = places and _message(error, obj_cls, places)
        if not message:
            raise
        raise ComponentArgumentError(message) from error

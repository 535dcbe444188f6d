"""Read-only checks of what the Runner builds for ``train`` and ``test``:
the model's kind, the training loop's lengths, and the parameter schedules
against them. Each problem is one line naming the field and the fix (see
:func:`gankd.apis.config.check_config`, which runs these).

Without them the Runner fails mid-construction with tracebacks: a generator
as the model (``got an unexpected keyword argument 'data_preprocessor'``),
``max_epochs='abc'`` (``invalid literal for int()``), or a warm-up + cosine
schedule under ``--cfg-options train_cfg.max_epochs=1`` (``end should be
larger than begin, but got begin=157, end=157``: the cosine phase begins
after the one-epoch warm-up and ends at ``max_epochs``).
"""
from numbers import Real
from typing import Iterator, List, Optional, Tuple

from gankd.registry import MODELS, find_type

__all__ = ['check_model_kind', 'check_train_loop', 'check_schedules']

#: What to use instead, by the kind of a model the Runner cannot run.
_INSTEAD = {
    'generator': "wrap it in a GAN to train it (model=dict(type="
                 "'UnconditionalGAN', generator=..., discriminator=...)); "
                 'sample it with gankd generate',
    'probe': 'run it with gankd probe',
    'assistant': 'it is trained inside a distiller (e.g. '
                 'ResidualKDDistiller)',
}


def check_model_kind(cfg, command: str) -> List[str]:
    """``model`` must be an mmengine ``BaseModel`` (a distiller, restorer,
    inverter, GAN or classifier): the Runner calls its ``train_step`` /
    ``test_step``. Generators, probes and assistants are not."""
    from mmengine.model import BaseModel

    from gankd.kinds import KINDS, kind_of
    model = cfg.get('model')
    if not isinstance(model, dict) or not isinstance(model.get('type'), str):
        return []
    cls = find_type(MODELS, model['type'], model.get('_scope_'))
    if not isinstance(cls, type) or issubclass(cls, BaseModel):
        return []  # unknown types are reported by check_config
    kind = kind_of(cls)
    what = (f'a {kind} ({KINDS[kind].__name__})' if kind
            else f'a {cls.__name__}, not an mmengine BaseModel')
    instead = _INSTEAD.get(kind, 'use a BaseModel subclass as the model')
    runs = 'gankd train and test run' if command == 'check' \
        else f'gankd {command} runs'
    return [f"model.type: '{model['type']}' is {what}; {runs} an mmengine "
            'BaseModel (a distiller, restorer, inverter, GAN or classifier): '
            f'{instead}']


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_train_loop(cfg) -> List[str]:
    """``train_cfg``'s lengths are whole numbers: ``max_epochs``,
    ``max_iters``, ``val_interval`` at least 1, ``val_begin`` at least 0."""
    loop = cfg.get('train_cfg')
    if not isinstance(loop, dict):
        return []
    problems = []
    for key, least in (('max_epochs', 1), ('max_iters', 1),
                       ('val_interval', 1), ('val_begin', 0)):
        if key in loop and not (_whole(loop[key]) and loop[key] >= least):
            problems.append(
                f'train_cfg.{key}: {loop[key]!r} is not a whole number '
                f'>= {least}; e.g. --cfg-options train_cfg.{key}=2')
    return problems


def _schedulers(schedule, field: str) -> Iterator[Tuple[str, dict]]:
    """(field, scheduler dict): a dict, a list of them, or (several
    optimizers) a dict of those keyed by optimizer name."""
    if isinstance(schedule, dict) and 'type' not in schedule:
        for name, value in schedule.items():
            yield from _schedulers(value, f'{field}.{name}')
    elif isinstance(schedule, dict):
        yield field, schedule
    elif isinstance(schedule, (list, tuple)):
        for i, value in enumerate(schedule):
            if isinstance(value, dict):
                yield f'{field}[{i}]', value


def _loop_length(loop: dict, by_epoch: bool) -> Optional[Tuple[str, int]]:
    key = 'max_epochs' if by_epoch else 'max_iters'
    if _whole(loop.get(key)) and loop[key] >= 1:
        return key, loop[key]
    return None


def check_schedules(cfg) -> List[str]:
    """Every parameter scheduler spans at least one epoch (iteration) once
    its ``end`` defaults to ``train_cfg.max_epochs`` (``max_iters``), as
    mmengine's Runner sets it. Schedulers in the other unit than the loop
    are skipped (their length is only known at run time)."""
    loop = cfg.get('train_cfg')
    if not isinstance(loop, dict):
        return []
    problems = []
    for field, sched in _schedulers(cfg.get('param_scheduler'),
                                    'param_scheduler'):
        by_epoch = sched.get('by_epoch', True)
        unit = 'epoch' if by_epoch else 'iteration'
        length = _loop_length(loop, by_epoch)
        begin, end = sched.get('begin', 0), sched.get('end')
        if length is None or not isinstance(begin, Real) or not (
                end is None or isinstance(end, Real)):
            continue
        name = f"{field} ({sched.get('type')})"
        if end is None and begin >= length[1]:
            problems.append(
                f'{name} begins at {unit} {begin} and ends at train_cfg.'
                f'{length[0]}={length[1]}, so it has no {unit}s left: set '
                f'train_cfg.{length[0]} to {int(begin) + 1} or more, or '
                'change the schedule (param_scheduler)')
        elif end is not None and end <= begin:
            problems.append(
                f'{name}: end={end} is not after begin={begin}; fix '
                f'{field}.end')
    return problems

"""Semantic spec strings (``'smile'``, ``'hair_color=blond'``, ``'-yaw'``,
``'class=3'``) -> how each signed score is read from a classifier's raw
outputs."""
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from gankd.errors import UserError

__all__ = ['SemanticSpecError', 'OutputGroup', 'Readout', 'parse_semantics',
           'read_scores']

#: Group kinds. 'softmax': mutually exclusive classes (a categorical
#: attribute, a plain classifier); 'logit': one independent sigmoid logit
#: per column (a binary attribute, a multi-label classifier); 'value': a
#: regressed value (a continuous attribute).
KINDS = ('softmax', 'logit', 'value')


class SemanticSpecError(UserError):
    """A semantic spec that the classifier cannot answer."""


@dataclass(frozen=True)
class OutputGroup:
    """Columns ``[start, start + width)`` of the raw outputs that belong to
    one attribute (or to all classes of a plain classifier).

    ``indexed``: a spec must pick a column with ``=value`` (categorical
    attributes, classifiers); otherwise the group has one column.
    """
    name: str
    kind: str
    start: int
    width: int
    indexed: bool


@dataclass(frozen=True)
class Readout:
    """One semantic: column ``start + index`` of the raw outputs, as
    log-odds against the group's other columns (``softmax``) or as is,
    times ``sign`` (-1 for a negated spec)."""
    start: int
    width: int
    index: int
    softmax: bool
    sign: float


def _available(groups: Sequence[OutputGroup],
               class_names: Callable[[str], Optional[Sequence[str]]]) -> str:
    """``'yaw, smile, hair_color=<black|brown|...>, class=<0..7>'``."""
    def one(group):
        if not group.indexed:
            return group.name
        names = [str(n) for n in class_names(group.name) or ()]
        if len(names) > 12:  # keep the line readable for 1000 classes
            names = names[:10] + [f'... ({len(names)} classes)']
        return (f'{group.name}=<{"|".join(names)}>' if names
                else f'{group.name}=<0..{group.width - 1}>')
    return ', '.join(one(g) for g in groups)


def _parse_one(spec: str, groups: Dict[str, OutputGroup],
               class_names: Callable[[str], Optional[Sequence[str]]]
               ) -> Readout:
    text = spec.strip()
    sign = -1.0 if text.startswith('-') else 1.0
    attr, has_value, value = text.lstrip('-').partition('=')
    attr, value = attr.strip(), value.strip()
    group = groups.get(attr)
    if group is None:
        raise SemanticSpecError(
            f'semantic {spec!r}: the classifier has no {attr!r}; available: '
            f'{_available(groups.values(), class_names)}.')
    if not group.indexed:
        if has_value:
            raise SemanticSpecError(
                f"semantic {spec!r}: {attr!r} is a single {group.kind} "
                f"output; write {attr!r} or '-{attr}' without '='.")
        return Readout(group.start, 1, 0, False, sign)
    if not has_value:
        raise SemanticSpecError(
            f"semantic {spec!r}: {attr!r} has {group.width} classes; pick "
            f"one, e.g. '{attr}=0'.")
    names = class_names(attr)
    if value.isdigit():
        index = int(value)
    elif names is not None and value in names:
        index = list(names).index(value)
    else:
        known = (f'one of {", ".join(map(str, names))}' if names else
                 'no class names are known, use an index')
        raise SemanticSpecError(
            f'semantic {spec!r}: {value!r} is not a class of {attr!r} '
            f'({known}; or 0..{group.width - 1}).')
    if index >= group.width:
        raise SemanticSpecError(
            f'semantic {spec!r}: class index {index} out of range for '
            f'{attr!r} (0..{group.width - 1}).')
    return Readout(group.start, group.width, index,
                   group.kind == 'softmax', sign)


def parse_semantics(
        semantics: Union[None, str, Sequence[str], Dict[str, str]],
        groups: Sequence[OutputGroup],
        class_names: Callable[[str], Optional[Sequence[str]]],
        default: Callable[[], List[str]]) -> Tuple[Tuple[str, ...],
                                                   List[Readout]]:
    """Specs -> ``(names, readouts)``, one readout per semantic.

    Args:
        semantics: ``{name: spec}``, a list of specs (each its own name), a
            single spec, or None for ``default()``.
        groups: the classifier's output groups.
        class_names: group name -> its class names, or None if unknown
            (called only when a spec names a class).
        default: the specs used for ``semantics=None``.

    Raises:
        SemanticSpecError: one line naming the bad spec and the
            available ones.
    """
    if semantics is None:
        semantics = default()
    if isinstance(semantics, str):
        semantics = [semantics]
    items = (list(semantics.items()) if isinstance(semantics, dict)
             else [(spec, spec) for spec in semantics])
    if not items:
        raise SemanticSpecError('semantics is empty: name at least one of '
                                f'{_available(groups, class_names)}.')
    names = [str(name).strip() for name, _ in items]
    if len(set(names)) != len(names):
        raise SemanticSpecError(f'semantics repeat a name: {names}.')
    by_name = {g.name: g for g in groups}
    readouts = [_parse_one(str(spec), by_name, class_names)
                for _, spec in items]
    return tuple(names), readouts


def read_scores(outputs: Tensor, readouts: Sequence[Readout]) -> Tensor:
    """Raw classifier outputs ``[N, O]`` -> scores ``[N, S]`` float32.

    Softmax log-odds ``log p_k - log(1 - p_k)`` equal
    ``z_k - logsumexp(z_j, j != k)``: exact, with no ``log(1 - p)`` that
    underflows when ``p_k`` nears 1.
    """
    outputs = outputs.float().flatten(1)
    columns = []
    for r in readouts:
        if r.softmax:
            group = outputs[:, r.start:r.start + r.width]
            others = torch.cat([group[:, :r.index], group[:, r.index + 1:]],
                               dim=1)
            score = group[:, r.index] - others.logsumexp(dim=1)
        else:
            score = outputs[:, r.start + r.index]
        columns.append(r.sign * score)
    return torch.stack(columns, dim=1)

"""Which layers of a layer-wise generator an edit touches, and by how much.

Layer specs are what users type (``'6-11'``, ``'0-2,5'``, ``'all'``) or a
list of ints; layers are indexed from 0 (first synthesis layer), as HiGAN
does. :func:`layer_strength` gives the per-layer edit scale that makes an
edit of truncated codes equal an edit of the un-truncated ``w``.
"""
import math
from typing import Iterable, List, Optional, Union

import numpy as np

from gankd.errors import UserError

__all__ = [
    'LayerSpecError', 'parse_layers', 'format_layers', 'layer_strength',
    'STRENGTH_POLICIES'
]

#: Policies of :func:`layer_strength`.
STRENGTH_POLICIES = ('truncation', 'uniform')

LayerSpec = Union[None, str, int, Iterable[int]]


class LayerSpecError(UserError):
    """A layer spec that does not name valid layers of the generator."""


def _check_index(value: int, part: str, num_layers: int) -> int:
    if not 0 <= value < num_layers:
        raise LayerSpecError(
            f"layer '{part}' is out of range: valid layers are "
            f'0-{num_layers - 1} (e.g. "0-2,5" or "all")')
    return value


def _parse_int(part: str, num_layers: int) -> int:
    try:
        return int(part)
    except ValueError:
        raise LayerSpecError(
            f"bad layer '{part}': expected an int or a range 'a-b' with "
            f'layers 0-{num_layers - 1} (e.g. "0-2,5" or "all")') from None


def _parse_string(spec: str, num_layers: int) -> List[int]:
    layers = []
    for part in spec.split(','):
        part = part.strip()
        if not part:
            raise LayerSpecError(
                f"empty part in layer spec '{spec}': write e.g. \"0-2,5\" "
                f'with layers 0-{num_layers - 1}')
        if '-' in part.lstrip('-'):
            # 'a-b': split on the first '-' after a possible leading sign so
            # that '-1-3' is reported as a bad bound, not parsed oddly.
            cut = part.index('-', 1)
            low = _parse_int(part[:cut].strip(), num_layers)
            high = _parse_int(part[cut + 1:].strip(), num_layers)
            _check_index(low, part, num_layers)
            _check_index(high, part, num_layers)
            if low > high:
                raise LayerSpecError(
                    f"bad layer range '{part}': the start must not exceed "
                    f'the end (valid layers 0-{num_layers - 1})')
            layers.extend(range(low, high + 1))
        else:
            value = _parse_int(part, num_layers)
            layers.append(_check_index(value, part, num_layers))
    return layers


def parse_layers(spec: LayerSpec, num_layers: int) -> List[int]:
    """Layer indices named by ``spec``.

    Args:
        spec: None or ``'all'`` (every layer), a string of comma-separated
            ints and inclusive ranges (``'6-11'``, ``'0-2,5'``), one int, or
            an iterable of ints.
        num_layers: L, the generator's number of per-layer codes.

    Returns:
        Sorted unique ints in ``[0, L)``; never empty.

    Raises:
        LayerSpecError: naming the bad part and the valid range.
    """
    if isinstance(num_layers, bool) or int(num_layers) < 1:
        raise LayerSpecError(f'num_layers must be >= 1, got {num_layers}')
    if spec is None or (isinstance(spec, str)
                        and spec.strip().lower() == 'all'):
        return list(range(num_layers))
    if isinstance(spec, str):
        layers = _parse_string(spec, num_layers)
    else:
        items = [spec] if isinstance(spec, (int, np.integer)) else list(spec)
        layers = []
        for item in items:
            if isinstance(item, bool) or not isinstance(
                    item, (int, np.integer)):
                raise LayerSpecError(
                    f"bad layer {item!r}: layers are ints 0-"
                    f'{num_layers - 1} (or a string such as "0-2,5")')
            layers.append(_check_index(int(item), str(item), num_layers))
    if not layers:
        raise LayerSpecError(
            f'no layers given: name at least one of 0-{num_layers - 1} '
            '(or "all")')
    return sorted(set(layers))


def format_layers(layers: Iterable[int]) -> str:
    """Compact string of sorted unique layers: ``[0, 1, 2, 5]`` -> '0-2,5'.

    The inverse of :func:`parse_layers` for any non-empty layer list.
    """
    values = sorted(set(int(layer) for layer in layers))
    parts = []
    start = prev = None
    for value in values + [None]:
        if start is not None and (value is None or value != prev + 1):
            parts.append(str(start) if start == prev else f'{start}-{prev}')
            start = None
        if value is not None and start is None:
            start = value
        prev = value
    return ','.join(parts)


def layer_strength(num_layers: int,
                   truncation_psi: Optional[float] = None,
                   truncation_layers: Optional[int] = None,
                   policy: str = 'truncation') -> np.ndarray:
    """Per-layer edit scale ``s`` ``[L]`` (float64).

    Policy ``'truncation'`` (HiGAN's editor): ``s_l = psi`` on layers
    ``< truncation_layers`` and 1 elsewhere. Truncated codes are
    ``w_avg + psi * (w - w_avg)`` there, so moving them by ``t * s_l * n``
    is exactly moving the un-truncated ``w`` by ``t * n``. Truncation is off
    (all ones) under the generators' own rule: psi None or >= 1, or
    truncation_layers None or 0. Policy ``'uniform'``: all ones.
    """
    if policy not in STRENGTH_POLICIES:
        raise UserError(f"strength policy must be one of "
                        f"{STRENGTH_POLICIES}, got '{policy}'")
    strength = np.ones(int(num_layers), dtype=np.float64)
    if policy == 'uniform' or truncation_psi is None or truncation_psi >= 1.0 \
            or not truncation_layers:
        return strength
    if not math.isfinite(truncation_psi) or truncation_psi < 0:
        raise UserError(f'truncation_psi must be in [0, 1], got '
                        f'{truncation_psi}')
    if truncation_layers < 0:
        raise UserError(f'truncation_layers must be >= 0, got '
                        f'{truncation_layers}')
    strength[:int(truncation_layers)] = truncation_psi
    return strength

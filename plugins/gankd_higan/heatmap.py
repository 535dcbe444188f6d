"""Heat maps of re-scoring results (layer x semantic), written as PNG
with the probes' shared :func:`~gankd_interfacegan.plots.plot_heatmap`."""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from gankd.errors import UserError
from gankd_interfacegan.plots import plot_heatmap

__all__ = ['LEVEL_ORDER', 'order_by_level', 'plot_layer_heatmap']

#: HiGAN's abstraction levels, from early to late layers.
LEVEL_ORDER = ('layout', 'object', 'attribute', 'colour')


def order_by_level(names: Sequence[str],
                   levels: Optional[Dict[str, str]] = None
                   ) -> Tuple[List[int], List[str]]:
    """Column order grouping semantics by level.

    Args:
        names: S semantic names.
        levels: name -> level; known levels come in :data:`LEVEL_ORDER`,
            other levels after them in order of first appearance, names
            without a level last. Within a level the input order is kept.

    Returns:
        ``(order, labels)``: indices into ``names`` and the column labels
        (``'name (level)'`` where a level is given).
    """
    levels = levels or {}
    seen = [levels[n] for n in names if n in levels]
    extra = [lv for i, lv in enumerate(seen)
             if lv not in LEVEL_ORDER and lv not in seen[:i]]
    rank = {lv: i for i, lv in enumerate(list(LEVEL_ORDER) + extra)}
    last = len(rank)
    order = sorted(range(len(names)),
                   key=lambda i: (rank.get(levels.get(names[i]), last), i))
    labels = [f'{names[i]} ({levels[names[i]]})' if names[i] in levels
              else names[i] for i in order]
    return order, labels


def plot_layer_heatmap(delta_layers, names: Sequence[str], path: str,
                       levels: Optional[Dict[str, str]] = None,
                       title: str = 'layer-wise re-scoring',
                       cbar_label: str = 'score change') -> List[int]:
    """Rows = layers, columns = semantics grouped by level (see
    :func:`order_by_level`).

    Args:
        delta_layers: ``[L, S]`` layer-wise ΔS (the layer rows of
            ``rescore``'s output for one boundary per semantic).
        names: S semantic names.
        path: PNG to write.
        levels: optional name -> level map.

    Returns:
        The column order used (indices into ``names``).
    """
    delta_layers = np.asarray(delta_layers, dtype=np.float64)
    if delta_layers.ndim != 2 or delta_layers.shape[1] != len(names):
        raise UserError(
            f'delta_layers must be [L, {len(names)}] (one column per name), '
            f'got {list(delta_layers.shape)}')
    order, labels = order_by_level(names, levels)
    rows = [f'layer {i}' for i in range(delta_layers.shape[0])]
    plot_heatmap(delta_layers[:, order], rows, labels, path, title,
                 cbar_label)
    return order

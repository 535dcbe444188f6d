"""Heat maps of re-scoring results (layer x semantic), written as PNG.

matplotlib is used through its object API on the Agg canvas, so no global
pyplot state or display is touched; files are written atomically.
"""
import io
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from gankd.apis.errors import UserError
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = [
    'LEVEL_ORDER', 'order_by_level', 'heatmap_figure', 'plot_heatmap',
    'plot_layer_heatmap'
]

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


def heatmap_figure(matrix, row_labels: Sequence[str],
                   col_labels: Sequence[str], title: str = '',
                   cbar_label: str = ''):
    """A matplotlib Figure of ``matrix`` ``[R, C]`` with each cell's value
    written in it (3 significant digits)."""
    from matplotlib.figure import Figure
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape != (len(row_labels),
                                            len(col_labels)):
        raise UserError(
            f'heat map matrix must be [rows, cols] = [{len(row_labels)}, '
            f'{len(col_labels)}] to match the labels, got '
            f'{list(matrix.shape)}')
    rows, cols = matrix.shape
    fig = Figure(figsize=(1.6 + 0.9 * cols, 1.2 + 0.45 * rows), dpi=100)
    axes = fig.add_subplot(1, 1, 1)
    finite = matrix[np.isfinite(matrix)]
    vmax = float(np.abs(finite).max()) if finite.size else 1.0
    vmax = vmax or 1.0
    # Signed values (plain mean changes) get a diverging map centred on 0.
    signed = bool(finite.size) and bool(finite.min() < 0)
    image = axes.imshow(matrix, cmap='RdBu_r' if signed else 'viridis',
                        vmin=-vmax if signed else 0.0, vmax=vmax,
                        aspect='auto')
    axes.set_xticks(range(cols))
    axes.set_xticklabels(list(col_labels), rotation=45, ha='right')
    axes.set_yticks(range(rows))
    axes.set_yticklabels(list(row_labels))
    for r in range(rows):
        for c in range(cols):
            value = matrix[r, c]
            dark = not signed and value < 0.6 * vmax
            axes.text(c, r, f'{value:.3g}', ha='center', va='center',
                      fontsize=7, color='white' if dark else 'black')
    if title:
        axes.set_title(title)
    colorbar = fig.colorbar(image, ax=axes)
    if cbar_label:
        colorbar.set_label(cbar_label)
    fig.tight_layout()
    return fig


def plot_heatmap(matrix, row_labels: Sequence[str],
                 col_labels: Sequence[str], path: str, title: str = '',
                 cbar_label: str = '') -> None:
    """Write an annotated heat map of ``matrix`` ``[R, C]`` to ``path``
    (PNG, atomic)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = heatmap_figure(matrix, row_labels, col_labels, title, cbar_label)
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png')
    atomic_write_bytes(buffer.getvalue(), path)


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

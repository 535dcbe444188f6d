"""Report figures of the probes, drawn with matplotlib's object API on the
Agg canvas (no pyplot state, no display) and written atomically as PNG."""
from typing import Sequence

import numpy as np

from gankd.errors import UserError
from gankd.utils.figures import save_figure

__all__ = ['heatmap_figure', 'plot_heatmap', 'plot_score_curves']


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
    save_figure(heatmap_figure(matrix, row_labels, col_labels, title,
                               cbar_label), path)


def plot_score_curves(curves: np.ndarray, distances: Sequence[float],
                      boundaries: Sequence[str], names: Sequence[str],
                      owners: Sequence[str], path: str,
                      title: str = '') -> None:
    """Mean score of every semantic versus the edit distance along each
    boundary: one panel per boundary, one line per semantic (its own in
    bold).

    Args:
        curves: ``[B, T, S]`` mean scores (``edit_evaluation.score_curves``).
        distances: the T edit distances (spread units).
        boundaries: B boundary names.
        names: S scored semantics.
        owners: the semantic each boundary edits (drawn in bold).
    """
    from matplotlib.figure import Figure
    curves = np.asarray(curves)
    cols = min(3, len(boundaries))
    rows = -(-len(boundaries) // cols)
    fig = Figure(figsize=(3.6 * cols, 2.8 * rows + 0.4), dpi=100)
    colors = [f'C{i % 10}' for i in range(len(names))]
    for b, boundary in enumerate(boundaries):
        axes = fig.add_subplot(rows, cols, b + 1)
        own = owners[b]
        for s, name in enumerate(names):
            axes.plot(distances, curves[b, :, s], color=colors[s],
                      label=name, linewidth=2.5 if name == own else 1.0,
                      marker='o' if name == own else None, markersize=3)
        axes.axhline(0.0, color='grey', linewidth=0.5)
        axes.set_title(boundary, fontsize=9)
        axes.set_xlabel('edit distance (std of the codes along n)',
                        fontsize=7)
        axes.set_ylabel('mean score', fontsize=7)
        axes.tick_params(labelsize=7)
    fig.axes[0].legend(fontsize=6, loc='best')
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)

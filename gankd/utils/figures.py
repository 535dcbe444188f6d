"""Writing matplotlib figures: PNG bytes rendered on the Agg canvas (no
display, no pyplot state needed) and written atomically."""
import io

from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['save_figure']


def save_figure(fig, path: str, dpi: int = 100) -> None:
    """Write a matplotlib Figure to ``path`` as PNG, atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', dpi=dpi)
    atomic_write_bytes(buffer.getvalue(), path)

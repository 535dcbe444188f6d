"""Heat maps: level grouping, annotated cells, atomic PNG writes."""
import os

import numpy as np
import pytest

from gankd.errors import UserError
from gankd_higan.heatmap import order_by_level, plot_layer_heatmap
from gankd_interfacegan.plots import heatmap_figure, plot_heatmap


def test_order_by_level():
    names = ['wood', 'view', 'carpet', 'bed', 'hue', 'other', 'metal']
    levels = {'wood': 'attribute', 'view': 'layout', 'bed': 'object',
              'hue': 'colour', 'carpet': 'attribute', 'metal': 'material'}
    order, labels = order_by_level(names, levels)
    # layout, object, attribute (input order kept), colour, then unknown
    # levels, then names without a level.
    assert order == [1, 3, 0, 2, 4, 6, 5]
    assert labels == ['view (layout)', 'bed (object)', 'wood (attribute)',
                      'carpet (attribute)', 'hue (colour)',
                      'metal (material)', 'other']
    assert order_by_level(['b', 'a'], None) == ([0, 1], ['b', 'a'])


def test_figure_annotates_every_cell():
    matrix = np.array([[0.5, 0.0123456], [1.25, 3.0], [-0.2, 7.0]])
    fig = heatmap_figure(matrix, ['r0', 'r1', 'r2'], ['a', 'b'],
                         title='t', cbar_label='c')
    axes = fig.axes[0]
    texts = {(t.get_position()[1], t.get_position()[0]): t.get_text()
             for t in axes.texts}
    assert len(texts) == 6
    assert texts[(0, 1)] == '0.0123'
    assert texts[(2, 0)] == '-0.2'
    assert [t.get_text() for t in axes.get_xticklabels()] == ['a', 'b']
    assert axes.get_title() == 't'
    # Signed data: colour scale symmetric around 0.
    assert axes.images[0].get_clim() == (-7.0, 7.0)


def test_figure_shape_error():
    with pytest.raises(UserError, match=r'\[2, 3\]'):
        heatmap_figure(np.zeros((3, 2)), ['a', 'b'], ['x', 'y', 'z'])


def test_plot_heatmap_writes_png_atomically(tmp_path):
    import matplotlib.image
    path = tmp_path / 'sub' / 'map.png'
    plot_heatmap(np.arange(6.0).reshape(2, 3), ['l0', 'l1'],
                 ['x', 'y', 'z'], str(path))
    first = path.read_bytes()
    assert first[:8] == b'\x89PNG\r\n\x1a\n'
    image = matplotlib.image.imread(str(path))
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    plot_heatmap(np.ones((2, 3)), ['l0', 'l1'], ['x', 'y', 'z'], str(path))
    assert path.read_bytes() != first
    assert os.listdir(path.parent) == ['map.png']  # no temp files left


def test_plot_layer_heatmap(tmp_path):
    delta = np.array([[0.1, 0.0, 0.9], [0.2, 0.8, 0.0]])
    path = tmp_path / 'layers.png'
    order = plot_layer_heatmap(delta, ['hue', 'view', 'bed'], str(path),
                               levels={'hue': 'colour', 'view': 'layout',
                                       'bed': 'object'})
    assert order == [1, 2, 0]
    assert path.read_bytes()[:4] == b'\x89PNG'
    with pytest.raises(UserError, match='delta_layers'):
        plot_layer_heatmap(delta, ['a', 'b'], str(path))

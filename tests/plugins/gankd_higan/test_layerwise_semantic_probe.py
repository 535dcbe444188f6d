"""LayerwiseSemanticProbe end to end on the toy layer-wise generator: the
chosen layers recover the known layer -> semantic wiring (higan.md §6)."""
import json
import os

import numpy as np
import pytest
import torch

from gankd_higan.layerwise_semantic_probe import LayerwiseSemanticProbe
from gankd_interfacegan.boundary_io import load_boundary
from gankd_interfacegan.errors import ProbeError

ENCODED = ('layout', 'object', 'colour')


def make_probe(toy, **kwargs):
    return LayerwiseSemanticProbe(
        toy.ToyLayeredGenerator(seed=0), toy.ToyScorer(
            ENCODED + ('distractor', )),
        levels=dict(layout='layout', object='object', colour='colour'),
        truncation_psi=0.7, truncation_layers=2, batch_size=128,
        select_ratio=0.3, **kwargs)


def test_run_finds_the_wiring_and_writes_higan_boundaries(toy, tmp_path):
    probe = make_probe(toy)
    work = str(tmp_path)
    report = probe.run(work, num_samples=3000, semantics=ENCODED,
                       rescoring=dict(num_samples=96, seed=2,
                                      chosen_num_samples=64),
                       progress=False)
    for name, owners in toy.OWNERS.items():
        assert report['layers'][name] == f'{owners[0]}-{owners[1]}'
        assert report['peak_layer'][name] in owners
        changes = report['layerwise'][name]
        others = [c for i, c in enumerate(changes) if i not in owners]
        assert max(others) < 0.1 * max(changes)
        meta = load_boundary(os.path.join(
            work, 'boundaries', 'higan', f'{name}.npy'))[1]
        assert meta == dict(manipulate_layers=report['layers'][name],
                            type=name, space='w')
    # Truncation-compensating strength: psi on the 2 truncated layers.
    assert report['rescoring']['strength'] == pytest.approx(
        [0.7] * 2 + [1.0] * 4)
    assert json.load(open(os.path.join(work, 'report.json'))) == report
    for name in ('report.md', 'layer_heatmap.png', 'rescoring_matrix.png',
                 'rescoring.npz'):
        assert os.path.isfile(os.path.join(work, name)), name
    # Pushing only the owning layers moves the semantic about as much as
    # pushing all layers (the toy's leaks are small) and moves the other
    # semantics less.
    for name, edits in report['chosen_layer_edits'].items():
        assert edits['own_chosen'] > 0.8 * edits['own_all'], name
        assert edits['side_chosen'] < edits['side_all'], name
    with np.load(os.path.join(work, 'rescoring.npz')) as saved:
        # [1 + 6 layers, 3 boundaries, 4 scored semantics]
        assert saved['delta_pos'].shape == (7, 3, 4)
        assert (saved['delta_pos'] >= 0).all()


def test_manipulate_touches_only_the_chosen_layers(toy):
    probe = make_probe(toy)
    wp = probe.sample_wp(5, seed=3)
    normal = torch.nn.functional.normalize(torch.randn(1, 16), dim=1)
    edited = probe.manipulate(wp, normal, [-1.0, 2.0], layers='0-1,4')
    assert edited.shape == (5, 2, 6, 16)
    untouched = [2, 3, 5]
    assert torch.equal(edited[:, :, untouched],
                       wp[:, None, untouched].expand(-1, 2, -1, -1))
    # psi on truncated layers (0-1), 1 elsewhere.
    torch.testing.assert_close(edited[:, 1, 0] - wp[:, 0],
                               (2.0 * 0.7 * normal).expand(5, -1))
    torch.testing.assert_close(edited[:, 1, 4] - wp[:, 4],
                               (2.0 * normal).expand(5, -1))


def test_needs_per_layer_codes_and_scored_boundaries(toy):
    probe = make_probe(toy)
    with pytest.raises(ProbeError, match='no score'):
        probe.rescore(dict(hue=np.ones((1, 16)) / 4), num_samples=8)

    class ZOnly(toy.ToyLayeredGenerator):
        latent_spaces = ('z', )
    with pytest.raises(ProbeError, match='no per-layer codes'):
        LayerwiseSemanticProbe(ZOnly(), toy.ToyScorer(), spaces=('z', ))

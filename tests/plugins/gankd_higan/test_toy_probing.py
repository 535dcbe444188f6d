"""End-to-end probing on the toy generator with gankd_interfacegan's
boundary search and editing: higan.md §6 items 1, 4 and 6."""
import numpy as np
import torch

from gankd.utils.layer_specs import parse_layers
from gankd_higan.rescoring import rescore
from gankd_interfacegan.boundary_ops import edit_codes
from gankd_interfacegan.boundary_search import train_boundary

FITTED = ('layout', 'object', 'colour', 'distractor')


def _fit(toy):
    """Boundaries fitted on 2,000 toy samples (w = z), one per semantic."""
    gen, scorer = toy.ToyLayeredGenerator(seed=0), toy.ToyScorer()
    z = gen.sample_z(2000, torch.Generator().manual_seed(11))
    with torch.inference_mode():
        out = gen(z)
        scores = scorer(out['image']).numpy()
    w = out['w'].numpy()
    fits = {name: train_boundary(w, scores[:, toy.SEMANTICS.index(name)],
                                 num_or_ratio=0.25, seed=0)
            for name in FITTED}
    return gen, scorer, fits


def test_boundaries_align_and_encoded_semantics_rank_first(toy):
    """Item 1: fitted normals align with the true directions (cos >= 0.9).
    Item 4: re-scored along their own boundaries, the encoded semantics
    change more than a distractor with pseudo-random predictor output."""
    gen, scorer, fits = _fit(toy)
    for name in ('layout', 'object', 'colour'):
        normal = fits[name].normal[0]
        assert normal.shape == (16, )
        cos = float(normal @ gen.true_direction(name).numpy())
        assert cos >= 0.9, (name, cos)
        assert fits[name].val_acc > 0.95
    # The distractor's boundary is noise: near chance and not aligned.
    assert fits['distractor'].val_acc < 0.75
    bnd = np.concatenate([fits[n].normal for n in FITTED])  # [4, 16]
    z = gen.sample_z(48, torch.Generator().manual_seed(12))
    out = rescore(gen, scorer, gen.mapping(z)['wp'], bnd, step=2.0,
                  layer_groups=[])
    cols = [toy.SEMANTICS.index(n) for n in FITTED]
    own = out['delta_pos'][0][np.arange(4), cols]  # ΔS_c along n_c
    ranking = [FITTED[i] for i in np.argsort(-own)]
    assert ranking[-1] == 'distractor', dict(zip(FITTED, own))
    assert own[:3].min() > 1.5 * own[3]


def test_edit_restricted_to_parsed_layers(toy_generator, toy_wp, toy):
    """Item 6: an edit on parse_layers('0-2,5') leaves the other layers'
    codes bit-identical, and the image changes only in what those layers
    own."""
    layers = parse_layers('0-2,5', 6)
    assert layers == [0, 1, 2, 5]
    normal = toy_generator.true_direction('object')[None]
    edited = edit_codes(toy_wp, normal, [-2.0, 0.0, 3.0], layers=layers)
    assert edited.shape == (64, 3, 6, 16)
    for s in range(3):
        assert torch.equal(edited[:, s, [3, 4]], toy_wp[:, [3, 4]])
    assert torch.equal(edited[:, 1], toy_wp)
    moved = edited[:, 2, layers] - toy_wp[:, layers]
    torch.testing.assert_close(moved, 3.0 * normal.expand_as(moved),
                               rtol=0, atol=1e-6)
    # The colour value moves by exactly what the edited layers carry: the
    # layer-5 term and the small leak from layer 0 (layer 4 is untouched).
    before = toy_generator.synthesize(toy_wp)
    after = toy_generator.synthesize(edited[:, 2])
    values = toy_generator.semantic_values
    change = values(edited[:, 2])['colour'] - values(toy_wp)['colour']
    proj = (3.0 * normal[0] * toy_generator.units[5]).sum()
    leak = 3.0 * toy_generator.leak * (normal[0] *
                                       toy_generator.units[0]).sum()
    torch.testing.assert_close(change, (proj / 2**0.5 + leak).expand(64),
                               rtol=0, atol=1e-5)
    assert not torch.equal(before, after)

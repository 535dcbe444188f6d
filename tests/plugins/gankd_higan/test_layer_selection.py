"""HiGAN's layer choice from layer-wise ΔS, and layer specs and truncation
strength applied to the toy generator's codes (higan.md §6 items 5, 6)."""
import numpy as np
import pytest
import torch

from gankd.errors import UserError
from gankd.utils.layer_specs import layer_strength, parse_layers
from gankd_higan.layer_selection import select_layers
from gankd_higan.rescoring import edit_offsets


def test_select_layers_hand_values():
    delta = [0.1, 0.5, 1.0, 0.49, 0.5, -0.2]
    assert select_layers(delta, 0.5) == [1, 2, 4]
    assert select_layers(delta, 1.0) == [2]
    assert select_layers(delta, 0.09) == [0, 1, 2, 3, 4]
    assert select_layers([0.0, -1.0, 0.0]) == []
    assert select_layers(np.zeros(4)) == []


@pytest.mark.parametrize('delta, ratio', [
    ([], 0.5), ([[1.0]], 0.5), ([1.0, np.nan], 0.5), ([1.0], 0.0),
    ([1.0], 1.5)])
def test_select_layers_errors(delta, ratio):
    with pytest.raises(UserError):
        select_layers(delta, ratio)


def test_truncation_compensation_on_codes(toy_generator):
    """higan.md §6 item 5: with ψ = 0.7 on layers 0-2, the offset applied to
    the truncated codes equals λ·ψ·n there and λ·n elsewhere, and it equals
    truncating the edited un-truncated w."""
    gen = toy_generator
    step, psi, trunc = 2.0, 0.7, 3
    z = gen.sample_z(8, torch.Generator().manual_seed(3))
    w = gen.mapping(z)['w'].double()
    normal = torch.randn(1, 16, generator=torch.Generator().manual_seed(4))
    normal = (normal / normal.norm()).double()
    strength = layer_strength(6, psi, trunc)
    offsets = edit_offsets(normal.numpy(), [list(range(6))], step, strength)
    assert offsets.shape == (1, 1, 6, 16)
    offset = torch.from_numpy(offsets[0, 0])
    for layer in range(6):
        scale = step * (psi if layer < trunc else 1.0)
        torch.testing.assert_close(offset[layer], scale * normal[0],
                                   rtol=0, atol=1e-15)
    gen.w_avg = gen.w_avg.double()
    edited = gen.truncate(w, psi, trunc) + offset
    torch.testing.assert_close(edited, gen.truncate(w + step * normal, psi,
                                                    trunc),
                               rtol=0, atol=1e-12)
    # Without compensation ('uniform') the truncated layers move too far.
    uniform = torch.from_numpy(edit_offsets(
        normal.numpy(), [list(range(6))], step,
        layer_strength(6, psi, trunc, policy='uniform'))[0, 0])
    wrong = gen.truncate(w, psi, trunc) + uniform
    target = gen.truncate(w + step * normal, psi, trunc)
    assert (wrong - target)[:, :trunc].abs().max() > 0.1
    torch.testing.assert_close(wrong[:, trunc:], target[:, trunc:],
                               rtol=0, atol=1e-12)


def test_edit_outside_layer_set_bit_identical():
    """higan.md §6 item 6: codes of layers outside the set are bit-identical
    after an edit restricted to parse_layers('0-2,5')."""
    rng = np.random.default_rng(0)
    wp = torch.from_numpy(rng.standard_normal((4, 8, 16)).astype('float32'))
    layers = parse_layers('0-2,5', 8)
    bnd = rng.standard_normal((2, 16))
    offsets = torch.from_numpy(edit_offsets(
        bnd / np.linalg.norm(bnd, axis=1, keepdims=True), [layers], 3.0,
        np.ones(8))).float()
    edited = wp[:, None] + offsets[0][None]  # [N, B, L, d]
    outside = [i for i in range(8) if i not in layers]
    for b in range(2):
        assert torch.equal(edited[:, b, outside], wp[:, outside])
        assert not torch.equal(edited[:, b, layers], wp[:, layers])

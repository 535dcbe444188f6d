"""Layer specs, layer choice from layer-wise ΔS, truncation strength."""
import numpy as np
import pytest
import torch

from gankd.apis.errors import UserError
from gankd_higan.layer_selection import (LayerSpecError, format_layers,
                                         layer_strength, parse_layers,
                                         select_layers)
from gankd_higan.rescoring import edit_offsets


@pytest.mark.parametrize('spec, expected', [
    (None, list(range(14))),
    ('all', list(range(14))),
    (' ALL ', list(range(14))),
    ('6-11', [6, 7, 8, 9, 10, 11]),
    ('0-2,5', [0, 1, 2, 5]),
    (' 5, 0-2 ,1', [0, 1, 2, 5]),
    ('13', [13]),
    ('3-3', [3]),
    ([3, 1, 3], [1, 3]),
    ((np.int64(2), 0), [0, 2]),
    (7, [7]),
])
def test_parse_layers(spec, expected):
    assert parse_layers(spec, 14) == expected


def test_parse_layers_spec_item_6():
    # higan.md §6 item 6: "0-2,5" parses to [0, 1, 2, 5].
    assert parse_layers('0-2,5', 6) == [0, 1, 2, 5]


@pytest.mark.parametrize('spec, bad', [
    ('0-14', '0-14'),
    ('14', '14'),
    ('-1', '-1'),
    ('3-1', '3-1'),
    ('a', 'a'),
    ('2-x', 'x'),
    ('1,,2', 'empty'),
    ('', 'empty'),
    ([1, 20], '20'),
    ([1.5], '1.5'),
    ([True], 'True'),
    ([], 'no layers'),
])
def test_parse_layers_errors_name_part_and_range(spec, bad):
    with pytest.raises(LayerSpecError) as info:
        parse_layers(spec, 14)
    message = str(info.value)
    assert bad in message
    assert '\n' not in message
    if bad not in ('empty', 'no layers'):
        assert '0-13' in message
    assert isinstance(info.value, UserError)


@pytest.mark.parametrize('layers, text', [
    ([0, 1, 2, 5], '0-2,5'),
    ([5], '5'),
    ([3, 1, 2, 2], '1-3'),
    ([0, 2, 4], '0,2,4'),
    (range(6, 12), '6-11'),
])
def test_format_layers(layers, text):
    assert format_layers(layers) == text


def test_format_parse_round_trip():
    rng = np.random.default_rng(0)
    for _ in range(200):
        layers = sorted(set(rng.integers(0, 18, rng.integers(1, 10))))
        layers = [int(x) for x in layers]
        assert parse_layers(format_layers(layers), 18) == layers


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


def test_layer_strength_values():
    expected = np.array([0.7] * 8 + [1.0] * 6)
    np.testing.assert_array_equal(layer_strength(14, 0.7, 8), expected)
    np.testing.assert_array_equal(
        layer_strength(14, 0.7, 8, policy='uniform'), np.ones(14))
    # Truncation off under the generators' rule -> ones.
    for psi, layers in [(None, 8), (0.7, None), (0.7, 0), (1.0, 8),
                        (1.2, 8)]:
        np.testing.assert_array_equal(layer_strength(6, psi, layers),
                                      np.ones(6))
    # More truncation layers than layers: every layer.
    np.testing.assert_array_equal(layer_strength(4, 0.5, 18), [0.5] * 4)


@pytest.mark.parametrize('kwargs', [
    dict(policy='linear'), dict(truncation_psi=-0.1, truncation_layers=2),
    dict(truncation_psi=float('nan'), truncation_layers=2),
    dict(truncation_psi=0.5, truncation_layers=-1)])
def test_layer_strength_errors(kwargs):
    with pytest.raises(UserError):
        layer_strength(6, **kwargs)


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

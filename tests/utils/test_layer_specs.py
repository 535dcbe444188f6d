"""Layer specs ('0-2,5', 'all') and the truncation-compensating per-layer
edit strength."""
import numpy as np
import pytest

from gankd.errors import UserError
from gankd.utils.layer_specs import (LayerSpecError, format_layers,
                                     layer_strength, parse_layers)


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

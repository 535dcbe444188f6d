"""Helpers the official-format converters share."""
import pytest
import torch
from torch import nn

from gankd.utils.converters import (ConversionError, key_shape,
                                    meta_state_shapes, solve_fmaps_base,
                                    unwrap_state_dict)


def test_unwrap_prefers_the_ema_generator_and_strips_module():
    ema, trained = torch.ones(1), torch.zeros(1)
    zoo = dict(generator_smooth={'module.a': ema}, generator={'a': trained},
               discriminator={'b': trained})
    assert unwrap_state_dict(zoo) == {'a': ema}
    assert unwrap_state_dict(dict(generator={'a': trained}))['a'] is trained
    fixture = dict(state_dict={'a': ema}, kwargs=dict(resolution=8))
    assert unwrap_state_dict(fixture) == {'a': ema}
    assert unwrap_state_dict({'module.a': ema}) == {'a': ema}  # bare
    assert unwrap_state_dict(dict(g_ema={'a': ema}), ('g_ema', 'g')) == {
        'a': ema}
    with pytest.raises(ConversionError, match="key 'n' is a int"):
        unwrap_state_dict({'a': ema, 'n': 3})
    with pytest.raises(ConversionError, match='expected a dict'):
        unwrap_state_dict([ema])


def test_fmaps_base_solves_genforce_width_rule():
    # min(512 // r, 64) at 4..32 -> 64, 64, 32, 16
    assert solve_fmaps_base({4: 64, 8: 64, 16: 32, 32: 16}, 64) == 512
    # an odd base: 1000 // 16 = 62, 1000 // 32 = 31; any base in
    # [992, 1008) gives these widths, the smallest is returned
    base = solve_fmaps_base({4: 64, 8: 64, 16: 62, 32: 31}, 64)
    assert base == 992 and (base // 16, base // 32) == (62, 31)
    assert solve_fmaps_base({4: 32, 8: 32}, 32) == 256  # all at the cap
    with pytest.raises(ConversionError, match='do not follow'):
        solve_fmaps_base({4: 64, 8: 16, 16: 32}, 64)


def test_key_shape_and_meta_shapes():
    assert key_shape({'w': torch.zeros(2, 3)}, 'w') == (2, 3)
    with pytest.raises(ConversionError, match="missing key 'b'"):
        key_shape({}, 'b')
    shapes = meta_state_shapes(nn.Linear, dict(in_features=3,
                                               out_features=2))
    assert shapes == {'weight': (2, 3), 'bias': (2, )}
    with pytest.raises(ConversionError, match='cannot build Linear'):
        meta_state_shapes(nn.Linear, dict(in_features=3))

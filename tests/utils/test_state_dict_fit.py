"""compare_state_dicts: what does not fit, in one line."""
import torch

from gankd.utils.state_dict_fit import compare_state_dicts


def t(*shape):
    return torch.zeros(shape)


def test_a_fitting_state_is_false_and_counts_every_key():
    model = {'a.weight': t(2, 3), 'a.bias': t(2)}
    mismatch = compare_state_dicts(model,
                                   {'a.bias': t(2), 'a.weight': t(2, 3)})
    assert not mismatch
    assert (mismatch.total, mismatch.fitting) == (2, 2)
    assert str(mismatch) == 'fits'


def test_missing_unexpected_and_shapes_in_one_line():
    model = {'a': t(1), 'b': t(2, 2), 'c': t(3), 'bn.num_batches_tracked': t()}
    file = {'b': t(4, 2), 'x': t(1), 'a': t(1)}
    mismatch = compare_state_dicts(model, file)
    assert mismatch.missing == ['c', 'bn.num_batches_tracked']
    assert mismatch.unexpected == ['x']
    assert mismatch.wrong_shape == [('b', (4, 2), (2, 2))]
    assert (mismatch.total, mismatch.fitting) == (4, 1)
    assert str(mismatch) == (
        'missing 2 keys: c, bn.num_batches_tracked; unexpected 1 key: x; '
        'shape mismatch: b (4, 2) in the file, (2, 2) in the model')


def test_same_keys_other_shapes_do_not_fit():
    mismatch = compare_state_dicts({'w': t(10, 32)}, {'w': t(20, 32)})
    assert mismatch and mismatch.fitting == 0
    assert str(mismatch) == \
        'shape mismatch: w (20, 32) in the file, (10, 32) in the model'


def test_long_lists_show_three_keys_and_the_count():
    model = {f'k{i}': t(1) for i in range(5)}
    mismatch = compare_state_dicts(model, {})
    assert str(mismatch) == 'missing 5 keys: k0, k1, k2, ... (5 in all)'


def test_ignored_missing_suffixes_are_not_reported_nor_counted_as_fitting():
    model = {'bn.weight': t(2), 'bn.num_batches_tracked': t()}
    mismatch = compare_state_dicts(model, {'bn.weight': t(2)},
                                   ignore_missing=('num_batches_tracked', ))
    assert not mismatch
    nothing = compare_state_dicts(model, {},
                                  ignore_missing=('num_batches_tracked', ))
    assert nothing.missing == ['bn.weight'] and nothing.fitting == 0

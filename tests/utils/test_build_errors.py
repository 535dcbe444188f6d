"""Constructor-argument errors a config causes become one line naming the
field; TypeErrors from anywhere else go through unchanged."""
import pytest
from torch import nn

from gankd.registry import MODELS
from gankd.utils.build_errors import (ComponentArgumentError,
                                      explain_build_errors)


class ToyInner(nn.Module):

    def __init__(self, size, bias=True):
        super().__init__()
        self.size = size


class ToyOuter(nn.Module):
    """Builds its ``inner`` config, as distillers build their parts."""

    def __init__(self, inner, default_inner=False):
        super().__init__()
        self.inner = MODELS.build(inner)
        if default_inner:  # a part built from code, not from the config
            self.extra = MODELS.build(dict(type='ToyInner'))


class ToyBase(nn.Module):

    def __init__(self, width=1, depth=1):
        super().__init__()


class ToyForwarding(ToyBase):
    """Passes its keywords on to the base class, like KDDistiller."""

    def __init__(self, bug=False, **kwargs):
        if bug:  # a keyword the config never gave: gankd's own bug
            super().__init__(wdth=2)
        super().__init__(**kwargs)


class ToyBuggy(nn.Module):

    def __init__(self, size):
        super().__init__()
        len(size)  # a TypeError inside the body: a bug, not the config's


@pytest.fixture
def toys(temp_register):
    for cls in (ToyInner, ToyOuter, ToyBase, ToyForwarding, ToyBuggy):
        temp_register(MODELS, cls)


def build(cfg: dict):
    with explain_build_errors(cfg):
        return MODELS.build(dict(cfg['model']))


def test_missing_field_of_a_nested_part(toys):
    cfg = dict(model=dict(type='ToyOuter', inner=dict(type='ToyInner')))
    with pytest.raises(ComponentArgumentError) as caught:
        build(cfg)
    assert str(caught.value) == ('model.inner.size: missing; ToyInner '
                                 'requires it. Add it to the config.')
    assert isinstance(caught.value, TypeError)  # callers catching TypeError


def test_misspelt_keyword_passed_on_to_the_base_class(toys):
    cfg = dict(model=dict(type='ToyForwarding', widht=3))
    with pytest.raises(ComponentArgumentError) as caught:
        build(cfg)
    assert str(caught.value) == (
        "model.widht: ToyForwarding takes no argument 'widht'. Did you mean: "
        'width? Fix the name or remove the field.')


def test_part_in_a_list_is_named_by_index(toys):
    cfg = dict(parts=[dict(type='ToyInner', size=1), dict(type='ToyInner')])
    with pytest.raises(ComponentArgumentError) as caught, \
            explain_build_errors(cfg):
        [MODELS.build(dict(part)) for part in cfg['parts']]
    assert str(caught.value).startswith('parts[1].size: missing;')


@pytest.mark.parametrize('model', [
    dict(type='ToyBuggy', size=3),  # TypeError raised inside __init__
    dict(type='ToyForwarding', bug=True),  # a keyword the config never gave
    # a part built from code defaults: not the config's fault
    dict(type='ToyOuter', inner=dict(type='ToyInner', size=1),
         default_inner=True),
])
def test_other_type_errors_are_not_swallowed(toys, model):
    with pytest.raises(TypeError) as caught:
        build(dict(model=model))
    assert not isinstance(caught.value, ComponentArgumentError)

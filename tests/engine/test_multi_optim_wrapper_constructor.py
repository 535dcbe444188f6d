"""MultiOptimWrapperConstructor: one optimizer per named submodule."""
import pytest
from mmengine.optim import OptimWrapperDict, build_optim_wrapper
from mmengine.registry import DefaultScope
from torch import nn

from gankd.engine.optimizers import (MultiOptimWrapperConstructor,
                                     lazy_regularization_optimizer)


class TwoNets(nn.Module):

    def __init__(self):
        super().__init__()
        self.generator = nn.Linear(2, 3)
        self.discriminator = nn.Linear(3, 1)
        self.frozen = nn.Linear(1, 1).requires_grad_(False)


def test_builds_one_wrapper_per_submodule_through_mmengine():
    DefaultScope.get_instance('test-multi-optim', scope_name='gankd')
    model = TwoNets()
    wrappers = build_optim_wrapper(model, dict(
        constructor='MultiOptimWrapperConstructor',
        generator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.0, 0.99)),
                       lazy_reg_interval=4),
        discriminator=dict(optimizer=dict(type='SGD', lr=0.1),
                           clip_grad=dict(max_norm=1.0))))
    assert isinstance(wrappers, OptimWrapperDict)
    assert set(wrappers.keys()) == {'generator', 'discriminator'}
    for name in ('generator', 'discriminator'):
        group_params = wrappers[name].optimizer.param_groups[0]['params']
        assert {id(p) for p in group_params} == \
            {id(p) for p in getattr(model, name).parameters()}
    # Lazy regularisation: c = 4 / 5 on lr and as an exponent on betas.
    group = wrappers['generator'].optimizer.param_groups[0]
    assert group['lr'] == pytest.approx(0.002 * 0.8)
    assert group['betas'] == pytest.approx((0.0, 0.99**0.8))
    assert wrappers['discriminator'].clip_grad_kwargs == dict(max_norm=1.0)


def test_lazy_adjustment_closed_form_and_refusals():
    cfg = lazy_regularization_optimizer(dict(type='Adam', lr=0.0025), 16)
    assert cfg['lr'] == pytest.approx(0.0025 * 16 / 17)
    assert cfg['betas'] == pytest.approx((0.9**(16 / 17), 0.999**(16 / 17)))
    with pytest.raises(ValueError, match='Adam'):
        lazy_regularization_optimizer(dict(type='SGD', lr=0.1), 4)


def test_clear_errors():
    model = TwoNets()
    with pytest.raises(ValueError, match="no submodule 'gen'.*generator"):
        MultiOptimWrapperConstructor(
            dict(gen=dict(optimizer=dict(type='SGD', lr=0.1))))(model)
    with pytest.raises(ValueError, match='must be a dict with an optimizer'):
        MultiOptimWrapperConstructor(dict(generator=dict(lr=0.1)))
    with pytest.raises(ValueError, match='paramwise_cfg inside'):
        MultiOptimWrapperConstructor(
            dict(generator=dict(optimizer=dict(type='SGD', lr=0.1))),
            paramwise_cfg=dict(norm_decay_mult=0))
    model.discriminator = model.generator  # shared parameters
    with pytest.raises(ValueError, match='share parameters'):
        MultiOptimWrapperConstructor(dict(
            generator=dict(optimizer=dict(type='SGD', lr=0.1)),
            discriminator=dict(optimizer=dict(type='SGD', lr=0.1))))(model)

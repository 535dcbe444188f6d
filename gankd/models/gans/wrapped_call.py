"""Calling a submodule that may be wrapped in DistributedDataParallel.

mmengine's ``MMSeparateDistributedDataParallel`` wraps the generator and the
discriminator each in their own DDP. DDP only all-reduces the gradients of a
backward pass if the forward went through the wrapper's ``forward``: that is
where it tells its reducer to expect gradients. A GAN step needs more than a
generator's ``forward`` (mapping, style mixing, synthesis from per-layer
codes), so :func:`call_through_wrapper` runs any function of the plain
module *inside* the wrapper's forward, by pointing the module's ``forward``
at that function for the one call (the approach Lightning Fabric takes for
methods other than ``forward``). Unwrapped modules are simply called.
"""
from typing import Any, Callable

from mmengine.model import is_model_wrapper
from torch import nn

__all__ = ['unwrap', 'call_through_wrapper']


def unwrap(module: nn.Module) -> nn.Module:
    """The plain module inside a model wrapper (DDP, ...), or ``module``."""
    while is_model_wrapper(module):
        module = module.module
    return module


def call_through_wrapper(module: nn.Module, fn: Callable[..., Any], *args,
                         **kwargs) -> Any:
    """``fn(plain_module, *args, **kwargs)``, run through the wrapper's
    forward when ``module`` is a wrapper, so DDP synchronises the gradients
    of the backward pass that follows.

    Args:
        module: a plain module or a model wrapper around it.
        fn: function taking the plain module first.

    Returns:
        whatever ``fn`` returns.
    """
    inner = unwrap(module)
    if inner is module:
        return fn(inner, *args, **kwargs)

    def redirected(*call_args, **call_kwargs):
        return fn(inner, *call_args, **call_kwargs)

    # An instance attribute shadows the class's forward for nn.Module's
    # __call__, which the wrapper uses to run its module.
    inner.forward = redirected
    try:
        return module(*args, **kwargs)
    finally:
        del inner.forward

"""Optimizer wrapper constructors (registered in
:data:`gankd.registry.OPTIM_WRAPPER_CONSTRUCTORS`)."""
from .multi_optim_wrapper_constructor import (MultiOptimWrapperConstructor,
                                              lazy_regularization_optimizer)

__all__ = ['MultiOptimWrapperConstructor', 'lazy_regularization_optimizer']

"""Training machinery shared by methods: runner, hooks, loops, optimizer
constructors."""
from gankd.engine.atomic_backend import ATOMIC_BACKEND, AtomicLocalBackend
from gankd.engine.hooks import GANSampleGridHook, PhaseScheduleHook
from gankd.engine.optimizers import MultiOptimWrapperConstructor
from gankd.engine.runner import GankdRunner

__all__ = ['ATOMIC_BACKEND', 'AtomicLocalBackend', 'GankdRunner',
           'GANSampleGridHook', 'MultiOptimWrapperConstructor',
           'PhaseScheduleHook']

"""Training machinery shared by methods: runner, hooks, loops."""
from gankd.engine.atomic_backend import ATOMIC_BACKEND, AtomicLocalBackend
from gankd.engine.hooks import PhaseScheduleHook
from gankd.engine.runner import GankdRunner

__all__ = ['ATOMIC_BACKEND', 'AtomicLocalBackend', 'GankdRunner',
           'PhaseScheduleHook']

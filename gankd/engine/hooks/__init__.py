"""mmengine hooks shared by methods."""
from .phase_schedule_hook import PhaseScheduleHook

__all__ = ['PhaseScheduleHook']

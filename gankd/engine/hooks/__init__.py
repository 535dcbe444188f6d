"""mmengine hooks shared by methods."""
from .gan_sample_grid_hook import GANSampleGridHook
from .phase_schedule_hook import PhaseScheduleHook

__all__ = ['GANSampleGridHook', 'PhaseScheduleHook']

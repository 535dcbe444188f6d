"""mmengine hooks shared by methods."""
from .gan_sample_grid_hook import GANSampleGridHook
from .phase_schedule_hook import PhaseScheduleHook
from .teacher_cache_hook import TeacherCacheHook

__all__ = ['GANSampleGridHook', 'PhaseScheduleHook', 'TeacherCacheHook']

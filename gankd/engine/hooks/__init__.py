"""mmengine hooks shared by methods."""
from .checkpoint_at_epochs_hook import CheckpointAtEpochsHook
from .gan_sample_grid_hook import GANSampleGridHook
from .phase_schedule_hook import PhaseScheduleHook
from .restoration_grid_hook import RestorationGridHook
from .teacher_cache_hook import TeacherCacheHook
from .weight_distance_hook import WeightDistanceHook

__all__ = ['CheckpointAtEpochsHook', 'GANSampleGridHook', 'PhaseScheduleHook',
           'RestorationGridHook', 'TeacherCacheHook', 'WeightDistanceHook']

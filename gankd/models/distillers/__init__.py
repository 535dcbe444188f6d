"""Distillation algorithms shared by the distillation plugins: the frozen
teacher + student holder, phase-wise training and the teacher-output cache
(``cache_key``, ``teacher_cache_store``, ``cached_teacher``,
``teacher_cache_binding``)."""
from .cache_key import TeacherCacheError
from .phase_optim import PhaseOptim
from .single_teacher_distiller import (SingleTeacherDistiller,
                                       load_teacher_weights)
from .training_phases import Phase, TrainingPhasesMixin

__all__ = ['SingleTeacherDistiller', 'load_teacher_weights', 'Phase',
           'PhaseOptim', 'TrainingPhasesMixin', 'TeacherCacheError']

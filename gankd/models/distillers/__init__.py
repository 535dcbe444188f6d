"""Distillation algorithms shared by the distillation plugins: the frozen
teacher + student holder and phase-wise training."""
from .phase_optim import PhaseOptim
from .single_teacher_distiller import (SingleTeacherDistiller,
                                       load_teacher_weights)
from .training_phases import Phase, TrainingPhasesMixin

__all__ = ['SingleTeacherDistiller', 'load_teacher_weights', 'Phase',
           'PhaseOptim', 'TrainingPhasesMixin']

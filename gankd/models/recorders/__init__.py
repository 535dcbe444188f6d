"""Feature recorders: forward hooks that capture intermediate outputs for
distillation losses. Recorders are non-module helpers, registered in
:data:`gankd.registry.TASK_UTILS`."""
from .module_outputs_recorder import ModuleOutputsRecorder
from .recorder_manager import RecorderManager

__all__ = ['ModuleOutputsRecorder', 'RecorderManager']

"""Several named recorders used as one context manager."""
import contextlib
from typing import Any, Dict, Mapping, Union

from torch import nn

from gankd.registry import TASK_UTILS

__all__ = ['RecorderManager']


class RecorderManager:
    """Holds named recorders of one model and enters them together.

    A distiller keeps one manager per model (student, teacher), because each
    recorder's ``source`` is a path inside that model.

    Example::

        manager = RecorderManager(dict(
            feat=dict(type='ModuleOutputsRecorder', source='backbone.layer2'),
            logits=dict(type='ModuleOutputsRecorder', source='head.fc')))
        manager.prepare(student)
        with manager:
            student(x)
        feat = manager.get('feat')  # [N, C, H, W]

    Args:
        recorders (Mapping[str, dict | recorder]): name -> recorder, or its
            config (built from :data:`gankd.registry.TASK_UTILS`).
    """

    def __init__(self, recorders: Mapping[str, Union[dict, Any]]) -> None:
        self.recorders: Dict[str, Any] = {}
        for name, recorder in recorders.items():
            if isinstance(recorder, Mapping):
                recorder = TASK_UTILS.build(dict(recorder))
            self.recorders[name] = recorder
        self._stack = None

    def prepare(self, model: nn.Module) -> None:
        """Prepare every recorder on ``model``.

        Raises:
            ValueError: naming the recorder whose source is missing.
        """
        for name, recorder in self.recorders.items():
            try:
                recorder.prepare(model)
            except ValueError as err:
                raise ValueError(f"recorder '{name}': {err}") from err

    def __enter__(self) -> 'RecorderManager':
        if self._stack is not None:
            raise RuntimeError('RecorderManager is already entered.')
        # ExitStack exits the recorders already entered if a later one
        # fails to enter, so no hook outlives a failed start.
        stack = contextlib.ExitStack()
        with stack:
            for recorder in self.recorders.values():
                stack.enter_context(recorder)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> bool:
        stack, self._stack = self._stack, None
        return stack.__exit__(exc_type, exc_value, traceback)

    def get_recorder(self, name: str) -> Any:
        """The recorder called ``name``.

        Raises:
            KeyError: listing the known names.
        """
        if name not in self.recorders:
            raise KeyError(f"no recorder '{name}'; recorders: "
                           f"{', '.join(self.recorders) or 'none'}")
        return self.recorders[name]

    def get(self, name: str, *args, **kwargs) -> Any:
        """What recorder ``name`` recorded (arguments are passed to its
        ``get_record_data``), e.g. a Tensor ``[N, C, H, W]``."""
        return self.get_recorder(name).get_record_data(*args, **kwargs)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.recorders!r})'

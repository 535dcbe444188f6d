"""Several named recorders used as one context manager."""
import contextlib
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Union

from torch import nn

from gankd.registry import TASK_UTILS

__all__ = ['RecorderManager']


class _AllRecorded(Exception):
    """Raised from a forward hook to skip the layers no recorder needs."""


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

    def record(self, forward: Callable[[], Any],
               names: Optional[Sequence[str]] = None,
               stop_early: bool = False) -> Dict[str, Any]:
        """Run ``forward()`` with the recorders ``names`` (default: all)
        entered and return what they recorded, ``{name: data}``.

        With ``stop_early`` the forward is cut as soon as every one of them
        has recorded (none may use ``record_all``): the layers after the
        deepest recorded one are never computed. A stage-by-stage distiller
        training stage 1 thus pays for stage 1 only.
        """
        names = list(self.recorders) if names is None else list(names)
        chosen = [self.get_recorder(name) for name in names]
        if stop_early and any(r.record_all for r in chosen):
            raise ValueError('stop_early needs recorders that keep only '
                             'the last call (record_all=False).')
        handles = []

        def stop_when_done(*_):
            if all(r.has_data for r in chosen):
                raise _AllRecorded

        with contextlib.ExitStack() as stack:
            for recorder in chosen:
                stack.enter_context(recorder)
            if stop_early:
                # Registered after the recorders' own hooks, so it runs
                # after they stored the output.
                handles = [r.module.register_forward_hook(stop_when_done)
                           for r in chosen]
            try:
                forward()
            except _AllRecorded:
                pass
            finally:
                for handle in handles:
                    handle.remove()
        return {name: r.get_record_data()
                for name, r in zip(names, chosen)}

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

"""Record the outputs of one named submodule through a forward hook."""
import difflib
from typing import Any, List, Optional

from torch import nn

from gankd.registry import TASK_UTILS

__all__ = ['ModuleOutputsRecorder']


@TASK_UTILS.register_module()
class ModuleOutputsRecorder:
    """Records what the submodule at ``source`` returns, inside a ``with``.

    The hook exists only while the recorder is entered, so a forward pass run
    outside the context (a validation pass, another loss's teacher call)
    records nothing and keeps no feature alive that no loss uses. Entering
    clears what an earlier context recorded; the data stays readable after
    exit, which is when losses are computed.

    Example::

        recorder = ModuleOutputsRecorder(source='backbone.layer2')
        recorder.prepare(model)
        with recorder:
            model(x)
        feat = recorder.get_record_data()  # e.g. [N, C, H, W]

    Outputs are stored as returned (not detached, not copied): a student's
    features keep their graph so a loss can backprop through them; run the
    teacher under ``torch.no_grad`` to get graph-free features.

    Args:
        source (str): Dotted path of the submodule, as in
            ``model.named_modules()`` (``''`` is the model itself).
        record_all (bool): Keep every call's output in a list (a module
            called several times per forward, e.g. a shared block). If False,
            only the last call's output is kept. Defaults to False.
    """

    def __init__(self, source: str, record_all: bool = False) -> None:
        if not isinstance(source, str):
            raise TypeError(f'source must be a module path string, got '
                            f'{type(source).__name__}')
        self.source = source
        self.record_all = record_all
        self.module: Optional[nn.Module] = None
        self._handle = None
        self._data: List[Any] = []

    def prepare(self, model: nn.Module) -> None:
        """Find ``source`` in ``model``; called once, when the distiller is
        built, so a wrong path fails before any training step.

        Raises:
            ValueError: ``source`` is not a submodule of ``model``; the
                message lists the closest module names.
        """
        modules = dict(model.named_modules())
        if self.source not in modules:
            close = difflib.get_close_matches(
                self.source, [name for name in modules if name], n=5,
                cutoff=0.6)
            hint = (f" Close matches: {', '.join(close)}." if close else
                    ' No close match; list names with model.named_modules().')
            raise ValueError(f"'{self.source}' is not a submodule of "
                             f'{type(model).__name__}.{hint}')
        self.module = modules[self.source]

    @property
    def recording(self) -> bool:
        """Whether the hook is installed (inside the ``with`` block)."""
        return self._handle is not None

    @property
    def has_data(self) -> bool:
        """Whether something was recorded since the last ``__enter__``."""
        return bool(self._data)

    def _hook(self, module: nn.Module, inputs: Any, outputs: Any) -> None:
        if self.record_all:
            self._data.append(outputs)
        else:
            self._data = [outputs]  # drop the earlier call's graph at once

    def __enter__(self) -> 'ModuleOutputsRecorder':
        if self.module is None:
            raise RuntimeError(f"recorder for '{self.source}' is not "
                               'prepared: call prepare(model) first.')
        if self.recording:
            raise RuntimeError(f"recorder for '{self.source}' is already "
                               'recording; contexts cannot be nested.')
        self._data = []
        self._handle = self.module.register_forward_hook(self._hook)
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> bool:
        # Runs on exceptions too, so a failed step leaves no hook behind.
        self._handle.remove()
        self._handle = None
        return False  # never swallow the exception

    def reset_data(self) -> None:
        """Forget what was recorded (e.g. to free features early)."""
        self._data = []

    def get_record_data(self, index: Optional[int] = None) -> Any:
        """The recorded output(s).

        Args:
            index (int, optional): With ``record_all``, pick one call's
                output instead of the whole list.

        Returns:
            The last call's output (usually a Tensor ``[N, C, H, W]``), or
            with ``record_all`` the list of every call's output, in order.

        Raises:
            RuntimeError: nothing was recorded, i.e. the module was not run
                inside the ``with`` block.
        """
        if not self._data:
            raise RuntimeError(
                f"nothing recorded for '{self.source}': run the model inside "
                "'with recorder:' (and check the module is on the path the "
                'forward takes).')
        if not self.record_all:
            return self._data[-1]
        return list(self._data) if index is None else self._data[index]

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(source={self.source!r}, '
                f'record_all={self.record_all})')

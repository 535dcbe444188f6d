"""The diagnosed layer of a classifier: chosen by module path, checked when
built, read as that module's output with the rest of the network skipped."""
import difflib
from typing import Optional

from mmengine.model import BaseModel
from torch import Tensor, nn

from gankd.models.recorders import ModuleOutputsRecorder, RecorderManager
from gankd_knowledge_points.errors import KnowledgePointsError

__all__ = ['LayerFeature', 'default_layer', 'resolve_layer']


def default_layer(model: nn.Module) -> Optional[str]:
    """The last stage of an mmpretrain ResNet-style backbone
    (``backbone.layer4``), or None when the model has no such list."""
    stages = getattr(getattr(model, 'backbone', None), 'res_layers', None)
    return f'backbone.{stages[-1]}' if stages else None


def resolve_layer(model: nn.Module, layer: Optional[str]) -> str:
    """``layer`` checked against ``model.named_modules()``.

    Raises:
        KnowledgePointsError: no such module (the message lists close
            matches), or no layer given and no default found.
    """
    if layer is None:
        layer = default_layer(model)
        if layer is None:
            raise KnowledgePointsError(
                f'layer: {type(model).__name__} has no backbone stages to '
                'default to; name the module to diagnose (a path of '
                'model.named_modules(), e.g. "backbone.layer3").')
    names = [name for name, _ in model.named_modules() if name]
    if layer not in names:
        close = difflib.get_close_matches(layer, names, n=5, cutoff=0.6)
        hint = (f"did you mean {', '.join(close)}?" if close else
                'list the names with model.named_modules().')
        raise KnowledgePointsError(
            f"layer '{layer}' is not a module of {type(model).__name__}; "
            f'{hint}')
    return layer


class LayerFeature:
    """``[N, C, H, W]`` inputs to the output of module ``layer``
    ``[N, ...]``: the pre-activation feature when ``layer`` is a conv,
    linear or norm module (the activation that follows is its own module).

    The forward is cut right after ``layer`` (so the layers above cost
    nothing, and an in-place ReLU or residual add after it cannot change
    the recorded tensor). mmengine models run with ``mode='tensor'`` (the
    data preprocessor is not applied: inputs are already preprocessed).
    """

    def __init__(self, model: nn.Module, layer: Optional[str] = None):
        self.model = model
        self.layer = resolve_layer(model, layer)
        self._recorders = RecorderManager(
            dict(feature=ModuleOutputsRecorder(self.layer)))
        self._recorders.prepare(model)

    def _forward(self, inputs: Tensor):
        if isinstance(self.model, BaseModel):
            return self.model(inputs, mode='tensor')
        return self.model(inputs)

    def __call__(self, inputs: Tensor) -> Tensor:
        try:
            feature = self._recorders.record(
                lambda: self._forward(inputs), stop_early=True)['feature']
        except RuntimeError as error:
            if 'nothing recorded' not in str(error):
                raise
            raise KnowledgePointsError(
                f"layer '{self.layer}' is not on the path of "
                f"{type(self.model).__name__}'s forward; choose a module "
                'the forward runs.') from None
        if not isinstance(feature, Tensor):
            raise KnowledgePointsError(
                f"layer '{self.layer}' returns a {type(feature).__name__}, "
                'not a tensor; choose one of its submodules.')
        return feature

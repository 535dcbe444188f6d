"""Small helpers shared by the Residual KD modules: fully qualified configs,
the last output of a backbone, shape probes, FLOPs of a computation."""
import copy
from typing import Any, Callable, Optional

import torch
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

from gankd.registry import MODELS, type_scope

__all__ = ['qualify_types', 'last_output', 'probe_output', 'call_flops']

# Sub-configs that are not MODELS components (weight initialisers, batch
# augments): their types resolve in other registries, left as written.
_NOT_MODELS = ('init_cfg', 'train_cfg')


def qualify_types(cfg: Any, scope: str = 'gankd') -> Any:
    """A deep copy of ``cfg`` with every component type scope-qualified and
    ``_scope_`` keys dropped.

    An unqualified, capitalised ``type`` takes the scope of the nearest
    enclosing qualified type (``'ResNet_CIFAR'`` inside an
    ``'mmpretrain.ImageClassifier'`` becomes ``'mmpretrain.ResNet_CIFAR'``),
    so the result builds the same from any default scope, including from
    mmpretrain's own registry.

    Args:
        cfg: A config (dicts, lists, values).
        scope (str): Scope of the outermost unqualified type.
    """
    if isinstance(cfg, dict):
        cfg = dict(cfg)
        scope = cfg.pop('_scope_', None) or scope
        obj_type = cfg.get('type')
        if isinstance(obj_type, str):
            prefix = type_scope(obj_type)
            if prefix is not None:
                scope = prefix
            elif obj_type[:1].isupper():
                cfg['type'] = f'{scope}.{obj_type}'
        return {key: (copy.deepcopy(value) if key in _NOT_MODELS else
                      qualify_types(value, scope))
                for key, value in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(qualify_types(value, scope) for value in cfg)
    return copy.deepcopy(cfg)


def last_output(output: Any) -> Tensor:
    """The feature map a backbone hands to its neck: the last element of the
    tuple mmpretrain backbones return, or the tensor itself."""
    if isinstance(output, (tuple, list)):
        return output[-1]
    return output


def probe_output(module_or_cfg, input_size: int, in_channels: int = 3,
                 forward: Optional[Callable] = None) -> torch.Size:
    """Shape of ``last_output(module(x))`` for one ``x`` of
    ``[1, in_channels, input_size, input_size]`` zeros.

    The module runs in eval mode without grad (BN statistics untouched) and
    gets its training flag back afterwards. A config is built first (a
    throwaway module: only its shape is wanted).
    """
    module = module_or_cfg
    if not isinstance(module, nn.Module):
        module = MODELS.build(copy.deepcopy(module_or_cfg))
    was_training = module.training
    module.eval()
    x = torch.zeros(1, in_channels, input_size, input_size)
    try:
        with torch.no_grad():
            out = forward(x) if forward is not None else module(x)
    finally:
        module.train(was_training)
    return last_output(out).shape


def call_flops(run: Callable[[], Any]) -> int:
    """FLOPs of ``run()``, counted like
    :func:`gankd.utils.complexity.count_flops` (``FlopCounterMode``: 2 x
    multiply-adds of convolutions and matrix products; BN, ReLU, pooling
    and additions not counted), for computations that are not one module's
    forward on an image (a connector on a given feature, the head on the
    fused map)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        run()
    return int(counter.get_total_flops())

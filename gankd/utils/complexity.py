"""Parameters and FLOPs of a model, counted by torch, not by formula."""
from typing import Callable, Sequence

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode, flop_registry

__all__ = ['count_params', 'count_flops', 'count_call_flops']


def count_params(model: nn.Module) -> int:
    """Number of parameters (trainable or not)."""
    return sum(p.numel() for p in model.parameters())


def count_flops(model: nn.Module,
                input_shape: Sequence[int] = (3, 32, 32)) -> int:
    """FLOPs of one forward of one image, as
    ``torch.utils.flop_counter.FlopCounterMode`` counts them: 2 x the
    multiply-adds of convolutions and matrix products (BN, activations,
    pooling and additions are not counted). The model runs in eval mode
    (restored afterwards) with ``mode='tensor'`` when it takes one.
    """
    was_training = model.training
    model.eval()
    inputs = torch.zeros(1, *input_shape)
    counter = FlopCounterMode(display=False)
    try:
        with torch.no_grad(), counter:
            try:
                model(inputs, mode='tensor')
            except TypeError:
                model(inputs)
    finally:
        model.train(was_training)
    return counter.get_total_flops()


class _FlopDispatchMode(TorchDispatchMode):
    """Sums ``FlopCounterMode``'s formulas over every dispatched op."""

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        formula = flop_registry.get(func.overloadpacket)
        if formula is not None:
            self.flops += formula(*args, **kwargs, out_val=out)
        return out


def count_call_flops(fn: Callable[[], object]) -> int:
    """FLOPs of everything ``fn()`` runs (forwards, backwards, double
    backwards, optimizer steps), with ``FlopCounterMode``'s formulas.

    ``FlopCounterMode`` itself tracks modules with backward hooks, which
    ``torch.autograd.grad`` on a leaf (R1's gradient penalty) does not
    support; this counter tracks no modules.

    Ops run under ``torch.inference_mode`` never reach a dispatch mode (a
    frozen teacher's forward would count 0), so while counting,
    ``torch.inference_mode()`` entered at run time acts as
    ``torch.no_grad()``: the same ops and values, now seen.
    """
    mode = _FlopDispatchMode()
    inference_mode = torch.inference_mode
    torch.inference_mode = _NoGradInferenceMode
    try:
        with mode:
            fn()
    finally:
        torch.inference_mode = inference_mode
    return mode.flops


class _NoGradInferenceMode(torch.no_grad):
    """``torch.inference_mode(mode=True)`` as ``torch.no_grad()``."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        if not mode:
            raise NotImplementedError('inference_mode(False) while counting')

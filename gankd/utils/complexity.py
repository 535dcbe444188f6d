"""Parameters and FLOPs of a model, counted by torch, not by formula."""
from typing import Sequence

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

__all__ = ['count_params', 'count_flops']


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

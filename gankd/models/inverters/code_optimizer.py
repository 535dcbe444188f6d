"""The optimisation loop every inverter shares: step an optimiser on the
codes (and any other free tensors) so the rendered image fits the
observation."""
from typing import Callable, Dict, List, Optional, Sequence, Union

import torch
from torch import Tensor, nn

from gankd.registry import OPTIMIZERS
from gankd.utils.progress import ProgressLine

__all__ = ['optimize_codes']


def optimize_codes(params: Sequence[Tensor], render: Callable[[], Tensor],
                   observation: Tensor, loss_fn: nn.Module,
                   degradation: Optional[nn.Module] = None,
                   optimizer: Optional[dict] = None, num_iters: int = 300,
                   progress: Union[bool, ProgressLine] = False,
                   record_every: int = 0) -> Dict[str, object]:
    """Minimise the summed per-image loss of ``render()`` over ``params``.

    Each iteration renders, computes ``loss_fn(image, observation,
    degradation)`` (per image ``[B]``), back-propagates the SUM over the
    batch (so images stay independent: image i's gradient is that of its
    own loss) and steps the optimiser. Gradients reach ``params`` only:
    the caller keeps the generator frozen (``requires_grad_(False)``).

    Args:
        params: leaf tensors with ``requires_grad=True`` (codes, mGANprior's
            alpha, ...), updated in place.
        render: ``() -> [B, 3, H, W]`` images from the current ``params``.
        observation: ``[B, 3, h, w]`` in ``[-1, 1]``.
        loss_fn: an :class:`InversionLoss` (or anything with its
            ``forward`` and ``target_features``).
        degradation: applied to the rendered images inside the loss.
        optimizer: ``dict(type='Adam', lr=0.01)`` (default) or any
            OPTIMIZERS config; built with ``params=params``.
        num_iters: optimiser steps (0: only evaluate the initial codes).
        progress: True for a ProgressLine over iterations, or one to update.
        record_every: every this many steps (0: never) keep a detached CPU
            copy of ``params``; the initial and final states are included.

    Returns:
        dict(loss=[B] of the final params, history=[num_iters, B] (the loss
        at each step, before its update), image=[B, 3, H, W] (final render,
        detached, not clamped), records=[dict(iteration=t, params=[...])]).
    """
    params = list(params)
    opt_cfg = dict(optimizer or dict(type='Adam', lr=0.01))
    opt = OPTIMIZERS.build(dict(opt_cfg, params=params)) if num_iters else \
        None
    if progress is True:
        progress = ProgressLine('invert', num_iters, unit='iterations')
    target = (loss_fn.target_features(observation)
              if hasattr(loss_fn, 'target_features') else None)

    def evaluate():
        image = render()
        return image, loss_fn(image, observation, degradation, target)

    def record(step: int) -> None:
        if record_every and (step % record_every == 0 or step == num_iters):
            records.append(dict(iteration=step, params=[
                p.detach().cpu().clone() for p in params]))

    history: List[Tensor] = []
    records: List[dict] = []
    for step in range(num_iters):
        record(step)
        opt.zero_grad(set_to_none=True)
        _, losses = evaluate()
        losses['loss'].sum().backward()
        opt.step()
        history.append(losses['loss'].detach().cpu())
        if progress:
            progress.update(1)
    record(num_iters)
    # The loss of what is returned, not of the codes before the last step.
    with torch.no_grad():
        image, losses = evaluate()
    batch = losses['loss'].shape[0]
    return dict(loss=losses['loss'].detach().cpu(),
                history=(torch.stack(history) if history
                         else torch.zeros(0, batch)),
                image=image.detach(), records=records)

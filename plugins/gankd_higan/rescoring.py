"""HiGAN's re-scoring: how much pushing codes along a boundary raises a score.

For K codes ``wp_k`` (as rendered, truncation included), boundaries ``n_b``
and layer groups ``g`` (all layers first, then each layer alone)::

    wp'_k = wp_k + step * s_l * n_b   on the layers l of g (others kept)
    delta_pos[g, b, c]  = mean_k max(F_c(G(wp'_k)) - F_c(G(wp_k)), 0)
    delta_mean[g, b, c] = mean_k      F_c(G(wp'_k)) - F_c(G(wp_k))
    delta_abs[g, b, c]  = mean_k     |F_c(G(wp'_k)) - F_c(G(wp_k))|

The global row ranks which semantics a boundary really controls; the
layer-wise rows locate the layers that control them (higan.md §2.3).
"""
import math
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor, nn

from gankd.errors import UserError
from gankd.utils.layer_specs import parse_layers

__all__ = ['RescoreError', 'rescore', 'edit_offsets']

Array = Union[np.ndarray, Tensor]


class RescoreError(UserError):
    """Inputs of :func:`rescore` that do not fit together."""


def _device_of(module: nn.Module) -> torch.device:
    for tensor in list(module.parameters()) + list(module.buffers()):
        return tensor.device
    return torch.device('cpu')


class _EvalMode:
    """Puts modules in eval mode for a block, then restores their flags
    (frozen parts normally are in eval already; dropout must not fire)."""

    def __init__(self, *modules: nn.Module):
        self.modules = [m for m in modules if isinstance(m, nn.Module)]
        self.flags = []

    def __enter__(self):
        self.flags = [[sub.training for sub in m.modules()]
                      for m in self.modules]
        for module in self.modules:
            module.eval()

    def __exit__(self, *exc):
        for module, flags in zip(self.modules, self.flags):
            for sub, flag in zip(module.modules(), flags):
                sub.training = flag


def _strength_vector(strength, num_layers: int) -> np.ndarray:
    if strength is None:
        return np.ones(num_layers)
    values = np.asarray(strength, dtype=np.float64)
    if values.ndim == 0:
        values = np.full(num_layers, float(values))
    if values.shape != (num_layers, ) or not np.all(np.isfinite(values)):
        raise RescoreError(
            f'strength must be None, a float or {num_layers} finite '
            f'per-layer values, got shape {list(values.shape)}')
    return values


def _groups(layer_groups, num_layers: int) -> List[List[int]]:
    groups = [list(range(num_layers))]
    if layer_groups is None:
        return groups + [[layer] for layer in range(num_layers)]
    return groups + [parse_layers(group, num_layers) for group in layer_groups]


def edit_offsets(boundaries: np.ndarray, groups: Sequence[Sequence[int]],
                 step: float, strength: np.ndarray) -> np.ndarray:
    """Code offsets ``[G, B, L, d]`` (float64) of every (group, boundary).

    Args:
        boundaries: ``[B, d]`` (one direction for every layer) or
            ``[B, L, d]`` (one per layer).
        groups: G lists of the layers each group moves.
        step: the push λ along each boundary.
        strength: ``[L]`` per-layer scale ``s_l``.
    """
    num_layers = strength.shape[0]
    if boundaries.ndim == 2:
        boundaries = np.repeat(boundaries[:, None], num_layers, axis=1)
    masks = np.zeros((len(groups), num_layers))
    for g, layers in enumerate(groups):
        masks[g, list(layers)] = 1.0
    scale = step * masks * strength[None]  # [G, L]
    return scale[:, None, :, None] * boundaries[None]


def _check_inputs(generator, wp: np.ndarray, boundaries: np.ndarray,
                  batch_size: int, step: float) -> None:
    num_layers = int(generator.num_layers)
    if wp.ndim != 3 or wp.shape[0] == 0 or wp.shape[1] != num_layers:
        raise RescoreError(
            f'wp must be [K, {num_layers}, d] codes with K >= 1 (the '
            f"generator's {num_layers} layers), got {list(wp.shape)}")
    dim = wp.shape[2]
    shapes_ok = (boundaries.ndim == 2 and boundaries.shape[1] == dim) or (
        boundaries.ndim == 3 and boundaries.shape[1:] == (num_layers, dim))
    if not shapes_ok or boundaries.shape[0] == 0:
        raise RescoreError(
            f'boundaries must be [B, {dim}] or [B, {num_layers}, {dim}] '
            f'to match wp, got {list(boundaries.shape)}')
    if not np.all(np.isfinite(boundaries)) or not np.all(np.isfinite(wp)):
        raise RescoreError('wp and boundaries must be finite (no NaN/inf)')
    if int(batch_size) < 1:
        raise RescoreError(f'batch_size must be >= 1, got {batch_size}')
    if not math.isfinite(step):
        raise RescoreError(f'step must be finite, got {step}')


def _scores(generator, scorer, codes: Tensor, noise_mode: str,
            num_names: int) -> Tensor:
    images = generator.synthesize(codes, space='wp', noise_mode=noise_mode)
    scores = scorer(images)
    if scores.ndim != 2 or scores.shape != (codes.shape[0], num_names):
        raise RescoreError(
            f'the scorer must return [N, {num_names}] scores (one per name '
            f'in scorer.names), got {list(scores.shape)}')
    return scores.to(torch.float64)


def rescore(generator: nn.Module,
            scorer: nn.Module,
            wp: Array,
            boundaries: Array,
            step: float = 2.0,
            layer_groups: Optional[Sequence] = None,
            strength=None,
            clip_negative: bool = True,
            noise_mode: str = 'const',
            batch_size: int = 64,
            progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Re-score K codes pushed along B boundaries, globally and per layer.

    Args:
        generator: a ``BaseGenerator`` with ``num_layers`` and
            ``synthesize(codes, space='wp', noise_mode)``.
        scorer: module ``[N, 3, H, W]`` images -> ``[N, S]`` scores, with
            ``names`` (S semantic names).
        wp: ``[K, L, d]`` codes as rendered (already truncated).
        boundaries: ``[B, d]`` directions applied to every selected layer,
            or ``[B, L, d]`` one direction per layer.
        step: λ, the single push along each boundary.
        layer_groups: None for each layer alone, else a list of layer specs
            (lists of ints or strings like ``'6-11'``); the all-layer group
            always comes first.
        strength: None (1), a float or ``[L]`` per-layer scale ``s_l`` (see
            ``layer_strength``: ψ on truncated layers).
        clip_negative: average ``max(Δ, 0)`` (HiGAN) instead of ``Δ``.
        noise_mode: the generator's noise mode; 'const' keeps it
            deterministic.
        batch_size: codes per batch; each group's B edits of a batch go to
            the generator together (``batch_size * B`` images).
        progress: ``progress(done, total)`` after each generator call,
            counting images; total = ``K * (1 + G * B)``.

    Returns:
        dict with numpy float64 ``delta_pos``, ``delta_mean`` and
        ``delta_abs`` ``[G, B, S]``,
        ``groups`` (G layer lists, first = all layers), ``names`` (S),
        ``step``, ``strength`` (``[L]`` list) and ``num_samples`` K.
    """
    wp_np = (wp.detach().cpu().numpy() if isinstance(wp, Tensor)
             else np.asarray(wp))
    bnd = (boundaries.detach().cpu().numpy()
           if isinstance(boundaries, Tensor) else np.asarray(boundaries))
    bnd = bnd.astype(np.float64)
    _check_inputs(generator, wp_np, bnd, batch_size, float(step))
    num_codes, num_layers, dim = wp_np.shape
    names = list(scorer.names)
    strength_vec = _strength_vector(strength, num_layers)
    groups = _groups(layer_groups, num_layers)
    device = _device_of(generator)
    offsets = torch.from_numpy(
        edit_offsets(bnd, groups, float(step), strength_vec)).to(
            device, torch.float32)  # [G, B, L, d]
    num_groups, num_bnd = offsets.shape[:2]
    total = num_codes * (1 + num_groups * num_bnd)
    sum_pos = torch.zeros(num_groups, num_bnd, len(names), dtype=torch.float64)
    sum_all = torch.zeros_like(sum_pos)
    sum_abs = torch.zeros_like(sum_pos)
    done = 0
    codes_all = torch.as_tensor(wp_np, dtype=torch.float32)
    with _EvalMode(generator, scorer), torch.inference_mode():
        for start in range(0, num_codes, int(batch_size)):
            codes = codes_all[start:start + int(batch_size)].to(device)
            count = codes.shape[0]
            base = _scores(generator, scorer, codes, noise_mode, len(names))
            done += count
            if progress is not None:
                progress(done, total)
            for g in range(num_groups):
                # [n, 1, L, d] + [1, B, L, d] -> n * B codes, code-major.
                edited = (codes[:, None] + offsets[g][None]).reshape(
                    count * num_bnd, num_layers, dim)
                scores = _scores(generator, scorer, edited, noise_mode,
                                 len(names)).reshape(count, num_bnd, -1)
                diff = (scores - base[:, None]).cpu()
                sum_pos[g] += diff.clamp_min(0).sum(0)
                sum_all[g] += diff.sum(0)
                sum_abs[g] += diff.abs().sum(0)
                done += count * num_bnd
                if progress is not None:
                    progress(done, total)
    delta_mean = (sum_all / num_codes).numpy()
    delta_pos = (sum_pos / num_codes).numpy() if clip_negative else delta_mean
    return dict(delta_pos=delta_pos, delta_mean=delta_mean.copy(),
                delta_abs=(sum_abs / num_codes).numpy(),
                groups=groups, names=names, step=float(step),
                strength=strength_vec.tolist(), num_samples=num_codes)

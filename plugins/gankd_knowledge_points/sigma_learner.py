"""Learn, for many images at once, how much Gaussian noise each input unit
tolerates before a layer's feature changes (spec §2.2, official-code
schedule of §2.7).

For image x the perturbed input is ``x + up(sigma) * eps``, eps ~ N(0, I),
and sigma minimises

    Loss_i(sigma) = mean_eps ||r(f(x')) - r(f(x))||^2 / s_f^2
                    - lambda_H * mean_units H_i(sigma)

with ``r`` the ReLU (optional), ``||.||^2`` the mean over feature elements
and noise samples, and ``s_f^2`` the same distance at ``sigma0``. B images
with K noise samples each run as ONE forward of ``B * K`` inputs; the total
loss is the sum of per-image losses, so each image's gradient (and with the
element-wise SGD/Adam its trajectory) is what it would be alone.

Schedule of the official code, per image: clamp sigma in place, record
(sigma, mean entropy, loss), step; after the update of iteration
``escalation_iter`` (59: the 60th update) an image whose highest recorded
mean entropy exceeds H* stops (that update is never recorded), the others
continue with ``lambda_H * escalation_factor`` (once). The returned sigma is
the recorded iterate chosen by the snapshot rule; ties go to the first.
Unlike the official code, snapshots are copies (on CPU its snapshots alias
the live parameter, spec §2.7).
"""
from typing import Callable, Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from gankd_knowledge_points.entropy import mean_entropy, unit_entropy
from gankd_knowledge_points.errors import KnowledgePointsError
from gankd_knowledge_points.settings import SigmaConfig

__all__ = ['learn_sigma', 'noise_generators', 'sigma_shape',
           'upsample_sigma']

FeatureFn = Callable[[Tensor], Tensor]


def noise_generators(indices: Sequence[int], seed: int,
                     device) -> List[torch.Generator]:
    """One noise stream per image, fixed by ``(seed, index)``."""
    return [torch.Generator(device=device).manual_seed(
        seed * 1_000_003 + int(i)) for i in indices]


def sigma_shape(cfg: SigmaConfig, channels: int, height: int,
                width: int) -> tuple:
    """``(C_sigma, h, w)`` of one image's sigma."""
    grid = (height, width) if cfg.grid is None else (cfg.grid, cfg.grid)
    return (1 if cfg.share_channels else channels, ) + grid


def upsample_sigma(sigma: Tensor, size) -> Tensor:
    """``[B, C_sigma, h, w]`` -> ``[B, C_sigma, H, W]``, nearest."""
    if tuple(sigma.shape[-2:]) == tuple(size):
        return sigma
    return F.interpolate(sigma, size=tuple(size), mode='nearest')


def _draw(generators, rows, shape, like: Tensor) -> Tensor:
    """``[len(rows), *shape]`` noise, row r from ``generators[r]``."""
    return torch.stack([
        torch.randn(shape, generator=generators[r], device=like.device,
                    dtype=like.dtype) for r in rows])


def _distance(feature_fn: FeatureFn, relu: bool, inputs: Tensor,
              noise: Tensor, sigma: Tensor, clean: Tensor) -> Tensor:
    """Per-image mean squared feature change ``[B]``.

    ``inputs`` ``[B, C, H, W]``, ``noise`` ``[B, K, C, H, W]``, ``sigma``
    ``[B, C_sigma, h, w]``, ``clean`` ``[B, ...]`` the (rectified) clean
    feature."""
    b, k = noise.shape[:2]
    scale = upsample_sigma(sigma, inputs.shape[-2:]).unsqueeze(1)
    noisy = (inputs.unsqueeze(1) + scale * noise).flatten(0, 1)  # [B*K,...]
    feature = feature_fn(noisy)
    if relu:
        feature = F.relu(feature)
    feature = feature.reshape(b, k, -1)
    return (feature - clean.reshape(b, 1, -1)).pow(2).flatten(1).mean(1)


def learn_sigma(feature_fn: FeatureFn, inputs: Tensor, cfg: SigmaConfig,
                indices: Optional[Sequence[int]] = None,
                relu: bool = True) -> Dict[str, Tensor]:
    """Learn sigma for each image of ``inputs``, ``cfg.images_per_batch``
    images per forward.

    Args:
        feature_fn: ``[N, C, H, W] -> [N, ...]`` the frozen network up to
            the diagnosed layer (pre-activation); differentiable in its
            input.
        inputs: ``[B, C, H, W]`` what the network consumes (after its data
            preprocessor).
        cfg: the settings.
        indices: ``[B]`` the images' stable ids for their noise streams
            (default ``range(B)``).
        relu: rectify both features before comparing them (code).

    Returns:
        dict of tensors on the CPU: ``sigma`` ``[B, C_sigma, h, w]`` (the
        chosen iterate), ``entropy`` (its per-unit H, same shape),
        ``mean_entropy`` ``[B]``, ``chosen_iter`` ``[B]``, ``last_iter``
        ``[B]`` (the last iteration run), ``lambda_h`` ``[B]`` (final),
        ``sigma_f2`` ``[B]``, ``valid`` ``[B]`` (``s_f^2 > 0``; invalid
        images are not optimised: NaN sigma, iterations -1), and the traces
        ``entropy_trace``, ``loss_trace``, ``feature_loss_trace``
        ``[T, B]`` (NaN where an image did not run).
    """
    if inputs.dim() != 4:
        raise KnowledgePointsError(
            f'inputs must be [B, C, H, W], got {list(inputs.shape)}')
    indices = list(range(len(inputs))) if indices is None else list(indices)
    if len(indices) != len(inputs):
        raise KnowledgePointsError(
            f'{len(indices)} indices for {len(inputs)} images')
    parts = [_learn_chunk(feature_fn, inputs[i:i + cfg.images_per_batch],
                          cfg, indices[i:i + cfg.images_per_batch], relu)
             for i in range(0, len(inputs), cfg.images_per_batch)]
    return {key: torch.cat([p[key] for p in parts],
                           dim=1 if key.endswith('_trace') else 0)
            for key in parts[0]}


def _learn_chunk(feature_fn, inputs, cfg, indices, relu):
    inputs = inputs.detach()
    b, c, h, w = inputs.shape
    k, steps = cfg.noise_batch, cfg.iterations
    gens = noise_generators(indices, cfg.seed, inputs.device)
    rows = list(range(b))
    shape = sigma_shape(cfg, c, h, w)
    with torch.no_grad():
        clean = feature_fn(inputs)
        clean = (F.relu(clean) if relu else clean).detach()
        start = inputs.new_full((b, ) + shape, cfg.sigma0)
        sigma_f2 = _distance(feature_fn, relu, inputs,
                             _draw(gens, rows, (k, c, h, w), inputs),
                             start, clean)
    valid = sigma_f2 > 0
    sigma = torch.nn.Parameter(inputs.new_full((b, ) + shape, cfg.init))
    optimizer = getattr(torch.optim, cfg.optimizer)([sigma], lr=cfg.lr)
    lam = inputs.new_full((b, ), cfg.lambda_h)
    nan = float('nan')
    traces = {name: inputs.new_full((steps, b), nan) for name in
              ('entropy_trace', 'loss_trace', 'feature_loss_trace')}
    best = inputs.new_full((b, ) + shape, nan)
    best_key = inputs.new_full((b, ), float('inf'))
    chosen = torch.full((b, ), -1, dtype=torch.long)
    last = torch.full((b, ), -1, dtype=torch.long)
    active = [r for r in rows if valid[r]]
    for step in range(steps):
        if not active:
            break
        idx = torch.tensor(active, device=inputs.device)
        with torch.no_grad():
            sigma.clamp_(*cfg.clamp)
        current = sigma[idx]
        entropy = mean_entropy(current)
        feature_loss = _distance(
            feature_fn, relu, inputs[idx],
            _draw(gens, active, (k, c, h, w), inputs), current,
            clean[idx]) / sigma_f2[idx]
        loss = feature_loss - lam[idx] * entropy
        with torch.no_grad():
            traces['entropy_trace'][step, idx] = entropy
            traces['loss_trace'][step, idx] = loss
            traces['feature_loss_trace'][step, idx] = feature_loss
            key = {'closest_to_target':
                   (entropy - cfg.target_entropy).abs(),
                   'min_loss': loss,
                   'last': torch.full_like(loss, -float('inf'))
                   }[cfg.snapshot]
            # strict < keeps the first of equal candidates (ties -> first)
            better = (key < best_key[idx]) | (cfg.snapshot == 'last')
            won = idx[better]
            best[won] = current.detach()[better]
            best_key[won] = key[better]
            chosen[won.cpu()] = step
            last[idx.cpu()] = step
        optimizer.zero_grad(set_to_none=True)
        loss.sum().backward()
        optimizer.step()
        if step == cfg.escalation_iter:
            peak = traces['entropy_trace'][:step + 1, idx].amax(0)
            reached = peak > cfg.target_entropy
            lam[idx[~reached]] *= cfg.escalation_factor
            active = [r for r, done in zip(active, reached.tolist())
                      if not done]
    result = dict(sigma=best, entropy=unit_entropy(best),
                  mean_entropy=mean_entropy(best), chosen_iter=chosen,
                  last_iter=last, lambda_h=lam, sigma_f2=sigma_f2,
                  valid=valid, **traces)
    return {key: value.detach().cpu() for key, value in result.items()}

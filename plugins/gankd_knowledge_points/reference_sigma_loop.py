"""A plain per-image version of the sigma learner (one image, its K noise
samples, one SGD step at a time), written from spec §2.2/§2.7 as the
official code runs it: the reference implementation that the batched
learner (``sigma_learner.learn_sigma``) is tested against
(tests/plugins/gankd_knowledge_points) and timed against
(tools/analysis/benchmark_sigma_learner.py). Not used by the analysis."""
import math

import torch
import torch.nn.functional as F

__all__ = ['reference_sigma']


def reference_sigma(feature_fn, image, cfg, index, relu=True):
    """``image`` ``[C, H, W]``; returns (sigma ``[C_s, h, w]``, chosen
    iteration, entropy trace list, final lambda)."""
    c, h, w = image.shape
    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + index)
    grid = (h, w) if cfg.grid is None else (cfg.grid, cfg.grid)
    cs = 1 if cfg.share_channels else c
    k = cfg.noise_batch

    def perturb(sigma, noise):
        up = sigma[None]
        if tuple(grid) != (h, w):
            up = F.interpolate(up, size=(h, w), mode='nearest')
        return image[None] + up * noise

    def feat(x):
        out = feature_fn(x)
        return F.relu(out) if relu else out

    with torch.no_grad():
        clean = feat(image[None])
        noise = torch.randn((k, c, h, w), generator=gen)
        sf2 = ((feat(perturb(torch.full((cs, ) + grid, cfg.sigma0), noise))
                - clean) ** 2).mean()
    sigma = torch.nn.Parameter(torch.full((cs, ) + grid, cfg.init))
    opt = torch.optim.SGD([sigma], lr=cfg.lr)
    lam = cfg.lambda_h
    trace, snaps = [], []
    for step in range(cfg.iterations):
        with torch.no_grad():
            sigma.clamp_(*cfg.clamp)
        noise = torch.randn((k, c, h, w), generator=gen)
        entropy = torch.log(sigma).mean() + 0.5 * math.log(
            2 * math.pi * math.e)
        loss = ((feat(perturb(sigma, noise)) - clean) ** 2).mean() / sf2 \
            - lam * entropy
        trace.append(float(entropy.detach()))
        snaps.append(sigma.detach().clone())
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == cfg.escalation_iter:
            if max(trace) > cfg.target_entropy:
                break
            lam *= cfg.escalation_factor
    gaps = [abs(t - cfg.target_entropy) for t in trace]
    best = gaps.index(min(gaps))  # first of equal gaps
    return snaps[best], best, trace, lam

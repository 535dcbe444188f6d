"""Deterministic sampling from a generator: one seed per image.

Each image's ``z`` comes from its own seeded CPU generator, so an image
depends only on its seed: not on the batch it is in, the number of
processes, the device or the global random state. Validation seeds image
``i`` of the dataset with ``seed + sample_idx``; the sample-grid hook uses
``seed + 0 .. seed + n - 1``.
"""
from typing import Optional, Sequence

import torch
from torch import Tensor

from gankd.kinds import BaseGenerator

__all__ = ['seeded_latents', 'generate_images']


def seeded_latents(z_dim: int, seeds: Sequence[int],
                   device: Optional[torch.device] = None) -> Tensor:
    """``[len(seeds), z_dim]`` standard normal codes, row ``i`` drawn from
    ``torch.Generator().manual_seed(seeds[i])`` on the CPU (CPU draws are
    the same on every machine; CUDA draws are not)."""
    rows = [
        torch.randn(z_dim, generator=torch.Generator().manual_seed(int(s)))
        for s in seeds
    ]
    z = torch.stack(rows) if rows else torch.empty(0, z_dim)
    return z.to(device) if device is not None else z


def generate_images(generator: BaseGenerator, seeds: Sequence[int],
                    truncation_psi: Optional[float] = None,
                    truncation_layers: Optional[int] = None,
                    noise_mode: str = 'const',
                    batch_size: int = 64) -> Tensor:
    """Images ``[len(seeds), 3, H, W]`` in ``[-1, 1]`` for ``seeds``.

    Runs in inference mode with the generator in eval mode (restored
    afterwards), in batches of ``batch_size`` to bound memory.
    """
    device = next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    try:
        with torch.inference_mode():
            images = []
            for start in range(0, len(seeds), batch_size):
                z = seeded_latents(generator.z_dim,
                                   seeds[start:start + batch_size], device)
                images.append(generator(
                    z, truncation_psi=truncation_psi,
                    truncation_layers=truncation_layers,
                    noise_mode=noise_mode)['image'])
    finally:
        generator.train(was_training)
    return torch.cat(images)

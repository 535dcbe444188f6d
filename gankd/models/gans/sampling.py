"""Sampling from a generator: seeded images for evaluation and grids,
training batches with style mixing.

Each image's ``z`` comes from its own seeded CPU generator, so an image
depends only on its seed: not on the batch it is in, the number of
processes, the device or the global random state. Validation seeds image
``i`` of the dataset with ``seed + sample_idx``; the sample-grid hook uses
``seed + 0 .. seed + n - 1``.
"""
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor

from gankd.kinds import BaseGenerator

__all__ = ['seeded_latents', 'generate_images', 'synthesize_for_training']


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


def synthesize_for_training(generator: BaseGenerator, z: Tensor,
                            mix_z: Optional[Tensor] = None, cutoff: int = 0,
                            noise_mode: str = 'random',
                            codes_grad: bool = False
                            ) -> Dict[str, Optional[Tensor]]:
    """A training batch: ``image`` ``[N, 3, H, W]`` and, for generators
    with them, ``w`` ``[N, w_dim]`` and the synthesised ``wp``
    ``[N, L, w_dim]``.

    Args:
        generator: the plain generator (see
            :func:`~gankd.models.gans.wrapped_call.call_through_wrapper`
            to run this inside its DDP wrapper).
        z: ``[N, z_dim]`` latents.
        mix_z: ``[N, z_dim]`` second latents for style mixing: layers from
            ``cutoff`` on take their codes.
        cutoff: first layer of ``mix_z``'s codes.
        noise_mode: ``'random'`` for training.
        codes_grad: make ``wp`` differentiable even with a frozen mapping
            (the path length needs d image / d wp).
    """
    if 'wp' not in generator.latent_spaces:
        return dict(image=generator(z, noise_mode=noise_mode)['image'],
                    w=None, wp=None)
    mapped = generator.mapping(z)
    wp = mapped['wp']
    if mix_z is not None:
        mixed = generator.mapping(mix_z)['wp']
        wp = torch.cat([wp[:, :cutoff], mixed[:, cutoff:]], dim=1)
    if codes_grad and not wp.requires_grad:
        wp = wp.detach().requires_grad_(True)
    image = generator.synthesize(wp, space='wp', noise_mode=noise_mode)
    return dict(image=image, w=mapped['w'], wp=wp)

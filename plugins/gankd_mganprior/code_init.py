"""Where an mGANprior inversion starts: the composition layer that an int
or a name selects, and each image's initial codes (spec §2.1, §2.5, §2.6).
"""
from typing import List, Union

import torch
from torch import Tensor

from gankd.errors import UserError
from gankd.kinds import BaseGenerator

__all__ = ['MultiCodeError', 'Z_INITS', 'is_style_based', 'resolve_layer',
           'initial_codes']

#: Initialisations of the N codes.
Z_INITS = ('gaussian', 'zeros', 'mean_w')


class MultiCodeError(UserError):
    """An option of the multi-code inverter that cannot be used."""


def is_style_based(generator: BaseGenerator) -> bool:
    """Whether the codes live in wp (per-layer codes) rather than in z."""
    return 'wp' in getattr(generator, 'latent_spaces', ('z', ))


def resolve_layer(generator: BaseGenerator, layer: Union[int, str]) -> str:
    """The name of the composition layer.

    Args:
        generator: any gankd generator with ``layer_names()``.
        layer: a name from ``layer_names()``, or ℓ >= 1 counting the
            generator's layers from the input (spec §2.5: position ℓ - 1
            of ``layer_names()``; PGGAN ℓ = 1, 2 are its 4x4 convs).

    Raises:
        MultiCodeError: ℓ out of range. An unknown name raises the
            generator's ``UnknownLayerError`` (it lists the layers).
    """
    names = generator.layer_names()
    if isinstance(layer, bool) or not isinstance(layer, (int, str)):
        raise MultiCodeError(f'layer={layer!r}: give a layer name or an int '
                             f'in [1, {len(names)}]')
    if isinstance(layer, int):
        if not 1 <= layer <= len(names):
            raise MultiCodeError(
                f'layer={layer}: {type(generator).__name__} has '
                f'{len(names)} layers; give an int in [1, {len(names)}] '
                f"(1 = '{names[0]}') or a name")
        return names[layer - 1]
    generator.layer_index(layer)  # raises, listing the layers
    return layer


def initial_codes(generator: BaseGenerator, num_codes: int, z_init: str,
                  streams: List[torch.Generator]) -> Tensor:
    """The N starting codes of each image.

    Args:
        generator: the frozen generator.
        num_codes: N.
        z_init: ``'gaussian'`` (z ~ N(0, I), image i drawing from
            ``streams[i]``), ``'zeros'`` (z = 0) or ``'mean_w'`` (the average
            w; style-based generators only). Style-based generators map
            the z codes to wp (no truncation).
        streams: one random generator per image.

    Returns:
        ``[B, N, z_dim]`` (z generators) or ``[B, N, L, w_dim]``, on the
        generator's device, detached. The draws are made on the CPU, so
        they do not depend on the device.
    """
    if z_init not in Z_INITS:
        raise MultiCodeError(f"z_init='{z_init}': use one of {Z_INITS}")
    batch = len(streams)
    style = is_style_based(generator)
    if z_init == 'mean_w':
        if not style:
            raise MultiCodeError(
                f"z_init='mean_w' needs a w space; {type(generator).__name__}"
                " has only z: use z_init='gaussian' or 'zeros'")
        return generator.mean_wp(batch * num_codes).unflatten(
            0, (batch, num_codes))
    if z_init == 'gaussian':
        z = torch.stack([generator.sample_z(num_codes, generator=stream)
                         for stream in streams])
    else:
        z = torch.zeros(batch, num_codes, generator.z_dim)
    z = z.to(generator.device)
    if not style:
        return z
    with torch.no_grad():  # all B * N codes mapped as one batch
        wp = generator.mapping(z.flatten(0, 1))['wp']
    return wp.detach().unflatten(0, (batch, num_codes))

"""Converter 'genforce-pggan': genforce PGGAN checkpoints -> gankd.

gankd's :class:`~gankd_pggan.pggan_generator.PGGANGenerator` uses genforce's
key names, so conversion is a strict check, not a re-layout: pick the
generator out of the container, strip DDP's ``module.`` prefix, infer the
architecture from the weights (or take the fixture's ``kwargs``), build that
generator's expected keys and shapes and compare.

A conditional PGGAN (``label_size > 0``) is refused: its generator's first
layer reads ``[z, one-hot label]``, so its weights have exactly the shapes
of an unconditional generator with a wider z and would otherwise be read
as one (see :func:`conditional_label_size` for how it is detected, and the
plugin README for why it is not supported).
"""
import re
from typing import Dict, Mapping, Optional, Tuple

import torch

from gankd.utils.converters import (GENFORCE_CONTAINERS,
                                    CheckpointConverter, ConversionError,
                                    check_state_dict, key_shape,
                                    meta_state_shapes, solve_fmaps_base,
                                    unwrap_state_dict)

__all__ = [
    'unwrap_genforce', 'infer_pggan_kwargs', 'conditional_label_size',
    'convert_genforce_pggan', 'matches_genforce_pggan', 'GENFORCE_PGGAN'
]


def unwrap_genforce(checkpoint) -> Tuple[Dict[str, torch.Tensor],
                                         Optional[dict]]:
    """The generator state dict (and constructor kwargs, when known).

    Accepts a genforce zoo container (``generator_smooth`` preferred over
    ``generator``), a dict with ``state_dict`` (optionally ``kwargs``, as
    the parity fixtures have), or a bare state dict; strips ``module.``.
    """
    state = unwrap_state_dict(checkpoint)
    kwargs = None
    if not any(key in checkpoint for key in GENFORCE_CONTAINERS[:2]):
        kwargs = checkpoint.get('kwargs')
    return state, kwargs


def infer_pggan_kwargs(state: Mapping[str, torch.Tensor]) -> dict:
    """PGGANGenerator kwargs that give ``state``'s shapes.

    Resolution from the number of toRGB layers, ``z`` size from ``layer0``,
    widths from the second conv of every block (never transposed), and
    ``fmaps_base``/``fmaps_max`` solved from those widths.
    """
    blocks = 0
    while f'output{blocks}.weight' in state:
        blocks += 1
    if blocks == 0:
        raise ConversionError("missing key 'output0.weight' (no toRGB "
                              'layer: not a PGGAN generator)')
    first = key_shape(state, 'layer0.weight')
    if len(first) != 4:
        raise ConversionError(f"key 'layer0.weight': shape {first}, expected "
                              '[C, z_dim, 4, 4]')
    widths = []
    for block in range(blocks):
        shape = key_shape(state, f'layer{2 * block + 1}.weight')
        if len(shape) != 4:
            raise ConversionError(f"key 'layer{2 * block + 1}.weight': shape "
                                  f'{shape}, expected [C, C, 3, 3]')
        widths.append(shape[0])
    resolution = 4 << (blocks - 1)
    fmaps_max = widths[0]
    fmaps_base = solve_fmaps_base(
        {4 << block: width for block, width in enumerate(widths)}, fmaps_max)
    # Fused upsampling convs are stored [in, out, 3, 3]: visible wherever
    # the width changes (elsewhere both layouts have the same shape).
    fused = False
    for block in range(1, blocks):
        if widths[block - 1] != widths[block]:
            fused = key_shape(state, f'layer{2 * block}.weight')[:2] == (
                widths[block - 1], widths[block])
            break
    return dict(resolution=resolution, z_space_dim=first[1],
                image_channels=key_shape(state, 'output0.weight')[0],
                fused_scale=fused, fmaps_base=fmaps_base, fmaps_max=fmaps_max)


def _last_dense_rows(discriminator: Mapping) -> Optional[int]:
    """Output width of a genforce PGGAN discriminator's last layer (the
    2-D ``layer{N}.weight`` with the highest N): ``1 + label_size``."""
    dense = {}
    for key, value in discriminator.items():
        match = re.fullmatch(r'(?:module\.)?layer(\d+)\.weight', key)
        if match and torch.is_tensor(value) and value.ndim == 2:
            dense[int(match.group(1))] = value.shape[0]
    return dense[max(dense)] if dense else None


def conditional_label_size(checkpoint, state: Mapping[str, torch.Tensor]
                           ) -> Tuple[int, str]:
    """``(label_size, where it was read)``; ``(0, '')`` when nothing says
    the generator is conditional.

    Read from, in turn: the checkpoint's ``kwargs['label_size']``; the
    width of ``layer0``'s input beyond ``kwargs['z_space_dim']``; the zoo
    container's discriminator, whose last dense layer has ``1 +
    label_size`` outputs (genforce's conditional discriminator scores
    realness and the labels). A bare generator state dict carries no such
    information: ``[z, label]`` inputs look like a wider z.
    """
    if not isinstance(checkpoint, Mapping):
        return 0, ''
    kwargs = checkpoint.get('kwargs')
    if isinstance(kwargs, Mapping):
        if kwargs.get('label_size'):
            return int(kwargs['label_size']), "the checkpoint's kwargs"
        z_dim = kwargs.get('z_space_dim')
        if isinstance(z_dim, int) and 'layer0.weight' in state:
            width = state['layer0.weight'].shape[1]
            if width > z_dim:
                return width - z_dim, (
                    f"layer0's input width {width} > kwargs z_space_dim "
                    f'{z_dim}')
    discriminator = checkpoint.get('discriminator')
    if isinstance(discriminator, Mapping):
        rows = _last_dense_rows(discriminator)
        if rows is not None and rows > 1:
            return rows - 1, f"the discriminator's {rows} outputs"
    return 0, ''


def expected_shapes(kwargs: dict) -> Dict[str, torch.Size]:
    """Key -> shape of the generator built from ``kwargs`` (no memory)."""
    from .pggan_generator import PGGANGenerator
    return meta_state_shapes(PGGANGenerator, kwargs)


def convert_genforce_pggan(checkpoint) -> Dict[str, torch.Tensor]:
    """genforce PGGAN checkpoint -> PGGANGenerator state dict.

    Raises:
        ConversionError: naming the missing, unexpected or misshapen key,
            or a conditional PGGAN (naming its label_size).
    """
    state, kwargs = unwrap_genforce(checkpoint)
    label_size, source = conditional_label_size(checkpoint, state)
    if label_size:
        raise ConversionError(
            f'conditional PGGAN (label_size={label_size}, from {source}) is '
            'not supported: gankd generators take no labels, and reading it '
            'as unconditional would take the labels for extra z inputs')
    check_state_dict(state, expected_shapes(kwargs or
                                            infer_pggan_kwargs(state)))
    return state


def matches_genforce_pggan(checkpoint) -> bool:
    """True for a genforce PGGAN generator (bare or in a container)."""
    try:
        state, _ = unwrap_genforce(checkpoint)
    except ConversionError:
        return False
    return ('layer0.weight' in state and 'output0.weight' in state
            and 'input0.weight' not in state
            and not any(k.startswith(('synthesis.', 'mapping.'))
                        for k in state)
            and state['layer0.weight'].ndim == 4
            and tuple(state['layer0.weight'].shape[2:]) == (4, 4))


GENFORCE_PGGAN = CheckpointConverter(
    name='genforce-pggan',
    convert=convert_genforce_pggan,
    matches=matches_genforce_pggan,
    description='genforce PGGAN generator (zoo container, fixture or bare '
    'state dict) -> PGGANGenerator; strict key/shape check')

"""Official StyleGAN2 checkpoints -> gankd ``StyleGAN2Generator`` state dicts.

* ``genforce-stylegan2``: genforce's format (its model-zoo container
  ``{generator, discriminator, generator_smooth}``, a dict with
  ``state_dict``, or a bare state dict). The key names already are gankd's,
  so conversion is a strict check (plus ``module.`` stripping).
* ``rosinality-stylegan2``: rosinality/stylegan2-pytorch checkpoints
  (``g_ema`` / ``g``), re-laid out; see :mod:`gankd_stylegan.rosinality`.

Both infer the architecture from the tensors
(:func:`infer_stylegan2_kwargs`) and compare every key and shape with a
generator built from it, so a missing, extra or misshapen key is named.
"""
from typing import Dict, Mapping

import torch
from torch import Tensor

from gankd.utils.converters import (CheckpointConverter, ConversionError,
                                    check_state_dict, key_shape,
                                    meta_state_shapes, solve_fmaps_base,
                                    unwrap_state_dict)

__all__ = [
    'GENFORCE_STYLEGAN2', 'ROSINALITY_STYLEGAN2', 'convert_genforce_stylegan2',
    'infer_stylegan2_kwargs', 'expected_shapes'
]

def _count(state: Mapping[str, Tensor], pattern: str, start: int = 0) -> int:
    """How many consecutive indices from ``start`` ``pattern`` has in
    ``state`` (stray higher indices are then reported as unexpected)."""
    count = 0
    while pattern.format(start + count) in state:
        count += 1
    return count


def infer_stylegan2_kwargs(state: Mapping[str, Tensor]) -> dict:
    """StyleGAN2Generator constructor arguments from a genforce-layout
    state dict (resolution, widths, mapping depth, repeat_w, architecture).

    Raises:
        ConversionError: naming the key it needed and did not find.
    """
    last = _count(state, 'synthesis.layer{}.weight') - 1
    if last < 0:
        raise ConversionError("missing key 'synthesis.layer0.weight': not a "
                              'StyleGAN2 generator')
    num_layers = last + 2
    if num_layers % 2 or num_layers < 4:
        raise ConversionError(f"last layer 'synthesis.layer{last}' does not "
                              'end a resolution block')
    num_blocks = num_layers // 2
    resolution = 4 << (num_blocks - 1)
    channels = {4 << k: key_shape(state, f'synthesis.layer{2 * k}.weight')[0]
                for k in range(num_blocks)}
    mapping_layers = _count(state, 'mapping.dense{}.weight')
    if mapping_layers == 0:
        raise ConversionError("missing key 'mapping.dense0.weight'")
    z_dim = key_shape(state, 'mapping.dense0.weight')[1]
    w_dim = key_shape(state, 'synthesis.layer0.style.weight')[1]
    hidden = key_shape(state, 'mapping.dense0.weight')[0]
    w_avg = key_shape(state, 'truncation.w_avg')
    skip = num_blocks > 1 and 'synthesis.output0.weight' in state
    return dict(
        resolution=resolution, z_space_dim=z_dim, w_space_dim=w_dim,
        mapping_layers=mapping_layers,
        mapping_fmaps=hidden if mapping_layers > 1 else w_dim,
        repeat_w=w_avg == (w_dim, ),
        image_channels=key_shape(
            state, f'synthesis.output{num_blocks - 1}.weight')[0],
        architecture='skip' if skip else 'origin',
        fmaps_max=channels[4],
        fmaps_base=solve_fmaps_base(channels, channels[4]))


def expected_shapes(kwargs: dict) -> Dict[str, torch.Size]:
    """Key -> shape of a StyleGAN2Generator built from ``kwargs`` (on the
    meta device: nothing is allocated)."""
    from gankd_stylegan.stylegan2_generator import StyleGAN2Generator
    return meta_state_shapes(StyleGAN2Generator, kwargs)


def convert_genforce_stylegan2(checkpoint) -> Dict[str, Tensor]:
    """genforce StyleGAN2 checkpoint -> gankd generator state dict."""
    state = unwrap_state_dict(checkpoint)
    kwargs = infer_stylegan2_kwargs(state)
    check_state_dict(state, expected_shapes(kwargs))
    return state


def _matches_genforce(checkpoint) -> bool:
    try:
        state = unwrap_state_dict(checkpoint)
    except ConversionError:
        return False
    return ('synthesis.early_layer.const' in state
            and 'synthesis.layer0.style.weight' in state
            and 'mapping.dense0.weight' in state)


def _convert_rosinality(checkpoint):
    from gankd_stylegan.rosinality import convert_rosinality_stylegan2
    return convert_rosinality_stylegan2(checkpoint)


def _matches_rosinality(checkpoint):
    from gankd_stylegan.rosinality import matches_rosinality_stylegan2
    return matches_rosinality_stylegan2(checkpoint)


GENFORCE_STYLEGAN2 = CheckpointConverter(
    name='genforce-stylegan2', convert=convert_genforce_stylegan2,
    matches=_matches_genforce,
    description='genforce StyleGAN2 generator (zoo container, '
    '{state_dict: ...} or bare; generator_smooth preferred)')

ROSINALITY_STYLEGAN2 = CheckpointConverter(
    name='rosinality-stylegan2', convert=_convert_rosinality,
    matches=_matches_rosinality,
    description='rosinality/stylegan2-pytorch generator (g_ema preferred, '
    'then g); key re-layout, modulation bias - 1, up-conv kernels flipped')

"""Converter 'genforce-stylegan': genforce StyleGAN (v1) checkpoints -> gankd.

:class:`~gankd_stylegan.stylegan_generator.StyleGANGenerator` uses genforce's
key names, so conversion is a strict check: pick the generator out of the
container (``generator_smooth`` > ``generator``, or ``state_dict``), strip
``module.``, infer the architecture from the tensors, build that generator's
key/shape table and compare, naming any missing, extra or misshapen key.
"""
from typing import Dict, Mapping

import torch
from torch import Tensor

from gankd.utils.converters import (CheckpointConverter, ConversionError,
                                    check_state_dict, key_shape,
                                    meta_state_shapes, solve_fmaps_base,
                                    unwrap_state_dict)

__all__ = [
    'GENFORCE_STYLEGAN', 'convert_genforce_stylegan',
    'infer_stylegan_kwargs', 'matches_genforce_stylegan'
]


def infer_stylegan_kwargs(state: Mapping[str, Tensor]) -> dict:
    """StyleGANGenerator kwargs that give ``state``'s shapes (resolution,
    widths, mapping, repeat_w, const input, noise type).

    ``fused_scale``, ``mapping_lr_mul`` and ``use_wscale`` change no shape
    and keep their defaults; give them in the model config.
    """
    layers = [int(k.split('.')[1][len('layer'):]) for k in state
              if k.startswith('synthesis.layer') and k.endswith('.bias')
              and k.count('.') == 2]
    if not layers:
        raise ConversionError("missing key 'synthesis.layer0.bias': not a "
                              'StyleGAN generator')
    num_layers = max(layers) + 1
    if num_layers % 2:
        raise ConversionError(f"last layer 'synthesis.layer{num_layers - 1}'"
                              ' does not end a resolution block')
    num_blocks = num_layers // 2

    widths = {4 << k: key_shape(state, f'synthesis.layer{2 * k + 1}.weight')[0]
              for k in range(num_blocks)}
    fmaps_max = widths[4]
    fmaps_base = solve_fmaps_base(widths, fmaps_max)
    mapping_layers = sum(1 for k in state if k.startswith('mapping.dense')
                         and k.endswith('.weight'))
    z_dim = key_shape(state, 'mapping.dense0.weight')[1]
    w_dim = key_shape(state, 'synthesis.layer0.style.weight')[1]
    noise = key_shape(state, 'synthesis.layer0.apply_noise.noise')
    return dict(
        resolution=4 << (num_blocks - 1), z_space_dim=z_dim,
        w_space_dim=w_dim, mapping_layers=mapping_layers,
        mapping_fmaps=(key_shape(state, 'mapping.dense0.weight')[0]
                       if mapping_layers > 1 else w_dim),
        repeat_w=key_shape(state, 'truncation.w_avg') == (w_dim, ),
        image_channels=key_shape(state, 'synthesis.output0.weight')[0],
        const_input='synthesis.layer0.const' in state,
        noise_type='spatial' if noise[1] == 1 else 'channel',
        fmaps_base=fmaps_base, fmaps_max=fmaps_max)


def _expected_shapes(kwargs: dict) -> Dict[str, torch.Size]:
    from gankd_stylegan.stylegan_generator import StyleGANGenerator
    return meta_state_shapes(StyleGANGenerator, kwargs)


def convert_genforce_stylegan(checkpoint) -> Dict[str, Tensor]:
    """genforce StyleGAN checkpoint -> StyleGANGenerator state dict.

    Raises:
        ConversionError: naming the missing, unexpected or misshapen key.
    """
    state = unwrap_state_dict(checkpoint)
    check_state_dict(state, _expected_shapes(infer_stylegan_kwargs(state)))
    return state


def matches_genforce_stylegan(checkpoint) -> bool:
    """True for a genforce StyleGAN (v1) generator, bare or contained."""
    try:
        state = unwrap_state_dict(checkpoint)
    except ConversionError:
        return False
    return ('mapping.dense0.weight' in state
            and 'synthesis.layer0.apply_noise.weight' in state
            and 'synthesis.layer0.style.weight' in state)


GENFORCE_STYLEGAN = CheckpointConverter(
    name='genforce-stylegan', convert=convert_genforce_stylegan,
    matches=matches_genforce_stylegan,
    description='genforce StyleGAN (v1) generator (zoo container, '
    '{state_dict: ...} or bare; generator_smooth preferred); strict check')

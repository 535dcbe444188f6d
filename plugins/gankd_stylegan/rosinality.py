"""rosinality/stylegan2-pytorch generator checkpoints -> gankd (genforce keys).

Key scheme (generator ``g_ema``, else ``g``; resolution R, blocks
K = 1 .. log2(R) - 2 beyond 4x4):

=================================  =====================================
rosinality                         gankd / genforce
=================================  =====================================
``style.{i+1}.weight/bias``        ``mapping.dense{i}.*`` (same values)
``input.input``                    ``synthesis.early_layer.const``
``conv1.*``                        ``synthesis.layer0.*``
``convs.{k}.*``                    ``synthesis.layer{k+1}.*``
``to_rgb1.*`` / ``to_rgbs.{i}.*``  ``synthesis.output0.*`` / ``output{i+1}.*``
``noises.noise_{j}``               ``synthesis.layer{j}.noise``
``latent_avg`` (top level)         ``truncation.w_avg``
=================================  =====================================

Within a layer: ``conv.weight`` ``[1, out, in, k, k]`` -> ``weight``
(squeezed; **spatially flipped** for the upsampling convs ``convs.{2i}``,
whose transposed conv rosinality runs without the flip genforce applies);
``conv.modulation.weight`` -> ``style.weight``; ``conv.modulation.bias``
**minus 1** -> ``style.bias`` (rosinality stores the +1, genforce adds it at
run time); ``noise.weight`` ``[1]`` -> ``noise_strength`` ``[]``;
``activate.bias`` -> ``bias``; toRGB ``bias`` ``[1, 3, 1, 1]`` -> ``[3]``;
``conv.blur.kernel`` ``[4, 4]`` -> ``filter.kernel`` ``[1, 1, 4, 4]``;
the identical ``to_rgbs.{i}.upsample.kernel`` -> ``synthesis.upsample.kernel``.
Kernels are flipped too (rosinality convolves, gankd correlates; the
[1, 3, 3, 1] kernels are symmetric). Without ``latent_avg`` (training
checkpoints), ``w_avg`` is the mean mapping output of 4096 normal z drawn
with seed 0, as rosinality's ``mean_latent(4096)``.
"""
from typing import Dict, Mapping

import torch
from torch import Tensor

from gankd.utils.converters import (ConversionError, check_state_dict,
                                    key_shape, solve_fmaps_base,
                                    unwrap_state_dict)
from gankd_stylegan.converters import _count, expected_shapes

__all__ = ['convert_rosinality_stylegan2', 'matches_rosinality_stylegan2',
           'rosinality_key_map']

W_AVG_SAMPLES = 4096


def _generator_state(checkpoint) -> Dict[str, Tensor]:
    return unwrap_state_dict(checkpoint, ('g_ema', 'g'))


def matches_rosinality_stylegan2(checkpoint) -> bool:
    try:
        state = _generator_state(checkpoint)
    except ConversionError:
        return False
    return 'input.input' in state and 'conv1.conv.modulation.weight' in state


def _infer_kwargs(state: Mapping[str, Tensor]) -> dict:
    num_rgbs = _count(state, 'to_rgbs.{}.conv.weight')
    num_blocks = num_rgbs + 1
    channels = {4: key_shape(state, 'conv1.conv.weight')[1]}
    for i in range(num_rgbs):
        channels[8 << i] = key_shape(state, f'convs.{2 * i}.conv.weight')[1]
    mapping_layers = _count(state, 'style.{}.weight', start=1)
    if mapping_layers == 0:
        raise ConversionError("missing key 'style.1.weight'")
    dense = key_shape(state, 'style.1.weight')
    fmaps_max = max(channels.values())
    return dict(resolution=4 << (num_blocks - 1), z_space_dim=dense[1],
                w_space_dim=key_shape(state, 'conv1.conv.modulation.weight')[1],
                mapping_layers=mapping_layers, mapping_fmaps=dense[0],
                image_channels=key_shape(state, 'to_rgb1.conv.weight')[1],
                architecture='skip', fmaps_max=fmaps_max,
                fmaps_base=solve_fmaps_base(channels, fmaps_max))


def rosinality_key_map(num_layers: int, mapping_layers: int) -> dict:
    """rosinality key -> (gankd key, kind), kind naming the value change."""
    table = {f'style.{i + 1}.{p}': (f'mapping.dense{i}.{p}', 'same')
             for i in range(mapping_layers) for p in ('weight', 'bias')}
    table['input.input'] = ('synthesis.early_layer.const', 'same')
    for n in range(num_layers - 1):  # genforce layer n
        src = 'conv1' if n == 0 else f'convs.{n - 1}'
        dst = f'synthesis.layer{n}'
        up = n % 2 == 1
        table[f'{src}.conv.weight'] = (f'{dst}.weight',
                                       'squeeze_flip' if up else 'squeeze')
        table[f'{src}.conv.modulation.weight'] = (f'{dst}.style.weight',
                                                  'same')
        table[f'{src}.conv.modulation.bias'] = (f'{dst}.style.bias',
                                                'minus_one')
        table[f'{src}.noise.weight'] = (f'{dst}.noise_strength', 'scalar')
        table[f'{src}.activate.bias'] = (f'{dst}.bias', 'same')
        table[f'noises.noise_{n}'] = (f'{dst}.noise', 'same')
        if up:
            table[f'{src}.conv.blur.kernel'] = (f'{dst}.filter.kernel',
                                                'kernel')
    for k in range(num_layers // 2):
        src = 'to_rgb1' if k == 0 else f'to_rgbs.{k - 1}'
        dst = f'synthesis.output{k}'
        table[f'{src}.conv.weight'] = (f'{dst}.weight', 'squeeze')
        table[f'{src}.conv.modulation.weight'] = (f'{dst}.style.weight',
                                                  'same')
        table[f'{src}.conv.modulation.bias'] = (f'{dst}.style.bias',
                                                'minus_one')
        table[f'{src}.bias'] = (f'{dst}.bias', 'flatten')
        if k > 0:
            table[f'{src}.upsample.kernel'] = ('synthesis.upsample.kernel',
                                               'kernel')
    return table


def _ros_shape(kind: str, shape: torch.Size) -> tuple:
    """Shape rosinality stores for a gankd tensor of ``shape``."""
    if kind in ('squeeze', 'squeeze_flip'):
        return (1, *shape)
    if kind == 'scalar':
        return (1, )
    if kind == 'flatten':
        return (1, shape[0], 1, 1)
    if kind == 'kernel':
        return tuple(shape[-2:])
    return tuple(shape)


def _convert_value(kind: str, value: Tensor) -> Tensor:
    if kind == 'squeeze':
        return value[0]
    if kind == 'squeeze_flip':
        return value[0].flip((-2, -1))
    if kind == 'minus_one':
        return value - 1
    if kind == 'scalar':
        return value.reshape(())
    if kind == 'flatten':
        return value.flatten()
    if kind == 'kernel':
        return value.flip((-2, -1))[None, None]
    return value


def _mean_w(state: Dict[str, Tensor], kwargs: dict) -> Tensor:
    from gankd_stylegan.mapping_network import MappingNetwork
    mapping = MappingNetwork(kwargs['z_space_dim'], kwargs['mapping_fmaps'],
                             kwargs['w_space_dim'], kwargs['mapping_layers'])
    mapping.load_state_dict({k[len('mapping.'):]: v for k, v in state.items()
                             if k.startswith('mapping.')})
    z = torch.randn(W_AVG_SAMPLES, kwargs['z_space_dim'],
                    generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return mapping(z).mean(dim=0)


def convert_rosinality_stylegan2(checkpoint) -> Dict[str, Tensor]:
    """rosinality checkpoint (``g_ema`` > ``g``, or a bare generator state
    dict) -> gankd StyleGAN2Generator state dict."""
    state = _generator_state(checkpoint)
    kwargs = _infer_kwargs(state)
    gen_shapes = expected_shapes(kwargs)
    num_layers = 2 * kwargs['resolution'].bit_length() - 4
    table = rosinality_key_map(num_layers, kwargs['mapping_layers'])
    check_state_dict(state, {src: _ros_shape(kind, gen_shapes[dst])
                             for src, (dst, kind) in table.items()})
    out: Dict[str, Tensor] = {}
    for src, (dst, kind) in table.items():
        value = _convert_value(kind, state[src])
        if dst in out and not torch.equal(out[dst], value):
            raise ConversionError(f"key '{src}': differs from the other "
                                  f"kernels that map to '{dst}'")
        out[dst] = value
    latent_avg = (checkpoint.get('latent_avg')
                  if isinstance(checkpoint, Mapping) else None)
    if latent_avg is not None:
        if tuple(latent_avg.shape) != (kwargs['w_space_dim'], ):
            raise ConversionError(
                f"key 'latent_avg': shape {tuple(latent_avg.shape)}, "
                f"expected ({kwargs['w_space_dim']},)")
        out['truncation.w_avg'] = latent_avg.reshape(-1)
    else:
        out['truncation.w_avg'] = _mean_w(out, kwargs)
    check_state_dict(out, gen_shapes)
    return out

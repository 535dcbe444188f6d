"""PGGAN beyond the fixture: other resolutions and widths, the layer
interface, fused vs plain resampling, level of detail, use_wscale, errors."""
import math

import pytest
import torch
import torch.nn.functional as F

from gankd.kinds import build_generator
from gankd.registry import MODELS
from gankd_pggan.genforce_converter import (convert_genforce_pggan,
                                            infer_pggan_kwargs)
from gankd_pggan.pggan_discriminator import PGGANDiscriminator
from gankd_pggan.pggan_generator import PGGANGenerator

CONFIGS = [  # resolution, z dim, fmaps_base, fmaps_max
    (8, 8, 64, 16),
    (16, 12, 128, 8),
    (64, 16, 256, 32),
]


def nf(res, base, cap):
    return min(base // res, cap)


def expected_generator_shapes(res, z, base, cap, channels=3):
    """The README's key table, written out independently of the model."""
    shapes = {'lod': ()}
    for block in range(int(math.log2(res)) - 1):
        r = 4 << block
        if block == 0:
            shapes['layer0.weight'] = (nf(4, base, cap), z, 4, 4)
        else:
            shapes[f'layer{2 * block}.weight'] = (
                nf(r, base, cap), nf(r // 2, base, cap), 3, 3)
        shapes[f'layer{2 * block}.bias'] = (nf(r, base, cap), )
        shapes[f'layer{2 * block + 1}.weight'] = (nf(r, base, cap), ) * 2 + (
            3, 3)
        shapes[f'layer{2 * block + 1}.bias'] = (nf(r, base, cap), )
        shapes[f'output{block}.weight'] = (channels, nf(r, base, cap), 1, 1)
        shapes[f'output{block}.bias'] = (channels, )
    return shapes


def seeded(model, seed=0):
    """Random values in every parameter (biases included) for tests."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=gen) * 0.5)
    return model.eval()


@pytest.mark.parametrize('res, z, base, cap', CONFIGS)
def test_other_configurations(res, z, base, cap):
    model = seeded(PGGANGenerator(res, z_space_dim=z, fmaps_base=base,
                                  fmaps_max=cap))
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == expected_generator_shapes(res, z, base, cap)
    layers = model.layer_names()
    assert layers == [f'layer{i}' for i in range(2 * int(math.log2(res)) - 2)]
    codes = model.sample_z(4, torch.Generator().manual_seed(1))
    with torch.no_grad():
        image = model.synthesize(codes)
        for index, layer in enumerate(layers):
            r = 4 << (index // 2)
            feature = model.forward_to(codes, layer)['feature']
            assert feature.shape == (4, nf(r, base, cap), r, r)
    assert image.shape == (4, 3, res, res) and image.abs().max() > 0
    # The converter infers exactly this architecture back from the weights.
    inferred = infer_pggan_kwargs(model.state_dict())
    assert inferred == dict(resolution=res, z_space_dim=z, image_channels=3,
                            fused_scale=False, fmaps_base=inferred[
                                'fmaps_base'], fmaps_max=cap)
    rebuilt = PGGANGenerator(**inferred)
    rebuilt.load_state_dict(convert_genforce_pggan(model.state_dict()))
    with torch.no_grad():
        assert torch.equal(rebuilt.eval().synthesize(codes), image)

    disc = seeded(PGGANDiscriminator(res, fmaps_base=base, fmaps_max=cap,
                                     minibatch_std_group_size=4))
    last = 2 * (int(math.log2(res)) - 2)
    d_shapes = {k: tuple(v.shape) for k, v in disc.state_dict().items()}
    assert d_shapes[f'layer{last}.weight'] == (nf(4, base, cap),
                                               nf(4, base, cap) + 1, 3, 3)
    assert d_shapes[f'layer{last + 1}.weight'] == (nf(2, base, cap),
                                                   nf(4, base, cap) * 16)
    assert d_shapes[f'layer{last + 2}.weight'] == (1, nf(2, base, cap))
    assert d_shapes['input0.weight'] == (nf(res, base, cap), 3, 1, 1)
    with torch.no_grad():
        assert disc(image).shape == (4, 1)


def test_forward_from_forward_to_is_synthesize_at_every_layer():
    model = seeded(PGGANGenerator(32, z_space_dim=16, fmaps_base=128,
                                  fmaps_max=16))
    codes = torch.randn(3, 16, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        image = model.synthesize(codes)
        for layer in model.layer_names():
            state = model.forward_to(codes, layer)
            assert set(state) == {'feature'}
            assert torch.allclose(model.forward_from(state, codes, layer),
                                  image, atol=1e-6), layer


def test_fused_upsampling_equals_upsample_then_flipped_conv():
    plain = seeded(PGGANGenerator(32, z_space_dim=8, fmaps_base=64,
                                  fmaps_max=8))
    fused = PGGANGenerator(32, z_space_dim=8, fmaps_base=64, fmaps_max=8,
                           fused_scale=True).eval()
    state = plain.state_dict()
    for block in range(1, 4):
        key = f'layer{2 * block}.weight'
        # genforce keeps fused kernels as [in, out, k, k]; the transposed
        # conv of the shift-summed kernel is the plain path with the 3x3
        # kernel flipped in both axes.
        state[key] = state[key].flip(2, 3).transpose(0, 1)
    fused.load_state_dict(state)
    assert fused.layer4.weight.shape == (8, 4, 3, 3)  # [in, out] at 16x16
    assert infer_pggan_kwargs(fused.state_dict())['fused_scale'] is True
    codes = torch.randn(2, 8, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert torch.allclose(fused.synthesize(codes),
                              plain.synthesize(codes), atol=1e-5)


def test_fused_downsampling_is_one_strided_conv_before_the_activation():
    # Official PGGAN: the plain path pools after the lrelu, the fused one is
    # a stride-2 conv (= conv then pool) followed by the lrelu.
    plain = seeded(PGGANDiscriminator(32, fmaps_base=64, fmaps_max=8,
                                      minibatch_std_group_size=2))
    fused = PGGANDiscriminator(32, fmaps_base=64, fmaps_max=8,
                               fused_scale=True,
                               minibatch_std_group_size=2).eval()
    fused.load_state_dict(plain.state_dict())
    x = torch.randn(4, 2, 32, 32, generator=torch.Generator().manual_seed(4))
    layer = plain.layer1
    conv = F.conv2d(x, layer.weight * layer.weight_scale, layer.bias,
                    padding=1)
    with torch.no_grad():
        assert torch.allclose(plain.layer1(x),
                              F.avg_pool2d(F.leaky_relu(conv, 0.2), 2),
                              atol=1e-6)
        assert torch.allclose(fused.layer1(x),
                              F.leaky_relu(F.avg_pool2d(conv, 2), 0.2),
                              atol=1e-5)
        assert fused(torch.randn(4, 3, 32, 32)).shape == (4, 1)


def test_level_of_detail_blends_resolutions():
    model = seeded(PGGANGenerator(16, z_space_dim=8, fmaps_base=64,
                                  fmaps_max=8))
    codes = torch.randn(2, 8, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        low = model.output1(model.forward_to(codes, 'layer3')['feature'])
        high = model.synthesize(codes)
        model.lod.fill_(1.0)  # the 8x8 model, nearest-upsampled
        assert torch.allclose(model.synthesize(codes),
                              F.interpolate(low, scale_factor=2), atol=1e-6)
        model.lod.fill_(0.25)  # 16x16 faded in at 0.75
        blend = 0.75 * high + 0.25 * F.interpolate(low, scale_factor=2)
        assert torch.allclose(model.synthesize(codes), blend, atol=1e-5)
        with pytest.raises(ValueError, match='lod 0'):
            model.forward_to(codes, 'layer1')

    disc = seeded(PGGANDiscriminator(16, fmaps_base=64, fmaps_max=8,
                                     minibatch_std_group_size=2))
    images = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        x = disc.input1(F.avg_pool2d(images, 2))
        for index in range(2, 6):
            x = getattr(disc, f'layer{index}')(x)
        disc.lod.fill_(1.0)  # the 8x8 discriminator on pooled images
        assert torch.allclose(disc(images), disc.layer6(x), atol=1e-6)


def test_use_wscale_false_stores_the_scaled_weights():
    scaled = seeded(PGGANGenerator(16, z_space_dim=8, fmaps_base=64,
                                   fmaps_max=8))
    baked = PGGANGenerator(16, z_space_dim=8, fmaps_base=64, fmaps_max=8,
                           use_wscale=False).eval()
    state = {}
    for key, value in scaled.state_dict().items():
        if key.endswith('.weight'):
            value = value * scaled.get_submodule(key[:-7]).weight_scale
        state[key] = value
    baked.load_state_dict(state)
    codes = torch.randn(2, 8)
    with torch.no_grad():
        assert torch.allclose(baked.synthesize(codes),
                              scaled.synthesize(codes), atol=1e-5)


def test_registered_as_a_generator_and_bad_arguments():
    model = build_generator(dict(type='PGGANGenerator', resolution=8,
                                 z_space_dim=4, fmaps_base=32, fmaps_max=4))
    assert isinstance(model, PGGANGenerator) and model.num_layers == 1
    assert model.latent_spaces == ('z', ) and model.w_dim is None
    assert MODELS.get('PGGANDiscriminator') is PGGANDiscriminator
    assert model.mapping(torch.randn(1, 4)) == dict(w=None, wp=None)
    with pytest.raises(ValueError, match='no w space'):
        model.truncate(torch.randn(1, 4), 0.7, 1)
    with pytest.raises(NotImplementedError, match='label_size'):
        PGGANGenerator(8, label_size=2)
    with pytest.raises(NotImplementedError, match='label_size'):
        PGGANDiscriminator(8, label_size=2)
    with pytest.raises(ValueError, match='fused_scale'):
        PGGANGenerator(8, fused_scale='auto')
    with pytest.raises(ValueError, match='power of two'):
        PGGANGenerator(24)
    with pytest.raises(ValueError, match="'z' space"):
        model.synthesize(torch.randn(1, 4), space='w')
    with pytest.raises(ValueError, match=r'\[N, 4\]'):
        model.synthesize(torch.randn(1, 5))
    with pytest.raises(KeyError, match='layer9'):
        model.forward_to(torch.randn(1, 4), 'layer9')

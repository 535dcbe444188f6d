"""StyleGAN2Generator beyond the fixture: any resolution and width the
reference accepts, the BaseGenerator contract, and independent checks of
the modulated convolution, skip image, noise modes and truncation."""
import math

import pytest
import torch
import torch.nn.functional as F

from gankd.kinds import BaseGenerator
from gankd.models.layers import fir_kernel, upfirdn2d
from gankd_stylegan.stylegan2_generator import StyleGAN2Generator
from gankd.models.layers import ModulatedConv2d

SMALL = dict(z_space_dim=16, w_space_dim=12, mapping_layers=2,
             mapping_fmaps=20, fmaps_base=512, fmaps_max=16)


def make(resolution=16, seed=0, **kwargs):
    torch.manual_seed(seed)
    model = StyleGAN2Generator(resolution, **dict(SMALL, **kwargs)).eval()
    with torch.no_grad():  # non-zero noise strengths, biases, w_avg
        for name, param in model.named_parameters():
            if name.endswith(('noise_strength', 'bias')):
                param.normal_(0, 0.3)
        model.truncation.w_avg.normal_()
    return model


def genforce_shapes(res, z, w, hidden, n_map, base, fmax, arch='skip'):
    """Key -> shape from the fixture README's key table, for any size."""
    nf = lambda r: min(base // r, fmax)  # noqa: E731
    shapes = {'truncation.w_avg': (w, ),
              'synthesis.early_layer.const': (1, nf(4), 4, 4)}
    for i in range(n_map):
        out = w if i == n_map - 1 else hidden
        shapes[f'mapping.dense{i}.weight'] = (out, z if i == 0 else hidden)
        shapes[f'mapping.dense{i}.bias'] = (out, )
    num_layers = 2 * int(math.log2(res)) - 2
    for n in range(num_layers - 1):
        r = 4 * 2**((n + 1) // 2)
        c_in = nf(r // 2) if n % 2 else nf(r)
        prefix = f'synthesis.layer{n}'
        shapes.update({
            f'{prefix}.weight': (nf(r), c_in, 3, 3),
            f'{prefix}.bias': (nf(r), ),
            f'{prefix}.style.weight': (c_in, w),
            f'{prefix}.style.bias': (c_in, ),
            f'{prefix}.noise_strength': (),
            f'{prefix}.noise': (1, 1, r, r)})
        if n % 2:
            shapes[f'{prefix}.filter.kernel'] = (1, 1, 4, 4)
    blocks = num_layers // 2
    for k in range(blocks):
        if arch == 'skip' or k == blocks - 1:
            r = 4 << k
            shapes.update({f'synthesis.output{k}.weight': (3, nf(r), 1, 1),
                           f'synthesis.output{k}.bias': (3, ),
                           f'synthesis.output{k}.style.weight': (nf(r), w),
                           f'synthesis.output{k}.style.bias': (nf(r), )})
    if arch == 'skip':
        shapes['synthesis.upsample.kernel'] = (1, 1, 4, 4)
    return shapes


@pytest.mark.parametrize('res', [8, 32, 128, 256])
@pytest.mark.parametrize('arch', ['skip', 'origin'])
def test_any_resolution_shapes_layers_and_keys(res, arch):
    kwargs = dict(SMALL, fmaps_base=1024, fmaps_max=16, architecture=arch)
    model = StyleGAN2Generator(res, **kwargs).eval()
    assert isinstance(model, BaseGenerator)
    assert model.num_layers == 2 * int(math.log2(res)) - 2
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert ours == genforce_shapes(res, 16, 12, 20, 2, 1024, 16, arch)
    names = model.layer_names()
    assert names[0] == 'synthesis.early_layer'
    assert names[1:] == [f'synthesis.layer{i}'
                         for i in range(model.num_layers - 1)]
    modules = dict(model.named_modules())
    assert all(name in modules for name in names)
    with torch.no_grad():
        out = model(model.sample_z(2))
    assert out['image'].shape == (2, 3, res, res)
    assert out['wp'].shape == (2, model.num_layers, 12)
    assert torch.isfinite(out['image']).all()


@pytest.mark.parametrize('arch', ['skip', 'origin'])
def test_forward_from_forward_to_equals_synthesize_for_every_layer(arch):
    model = make(32, architecture=arch)
    wp = torch.randn(2, model.num_layers, 12)  # a different code per layer
    with torch.no_grad():
        full = model.synthesize(wp)
        for layer in model.layer_names():
            state = model.forward_to(wp, layer)
            again = model.forward_from(state, wp, layer)
            assert torch.allclose(again, full, atol=1e-5), layer
        z = model.sample_z(2)
        for space, codes in (('z', z), ('w', model.mapping(z)['w'])):
            state = model.forward_to(codes, 'synthesis.layer4', space=space)
            image = model.forward_from(state, codes, 'synthesis.layer4',
                                       space=space, noise_mode='const')
            assert torch.allclose(image, model.synthesize(codes, space),
                                  atol=1e-5)


def test_forward_to_state_carries_the_running_skip_image():
    model = make(32)
    wp = torch.randn(2, model.num_layers, 12)
    with torch.no_grad():
        assert set(model.forward_to(wp, 'synthesis.layer0')) == {'feature'}
        state = model.forward_to(wp, 'synthesis.layer2')
        # after layer 2 (8x8): 4x4 image of toRGB0, toRGB1 not yet applied
        assert state['feature'].shape == (2, 16, 8, 8)
        assert state['image'].shape == (2, 3, 4, 4)
        rgb0 = model.synthesis.output0(
            model.forward_to(wp, 'synthesis.layer0')['feature'], wp[:, 1])
        assert torch.allclose(state['image'], rgb0)
        # editing the feature reaches its own block's toRGB
        edited = dict(state, feature=state['feature'] * 0)
        assert not torch.allclose(model.forward_from(edited, wp,
                                                     'synthesis.layer2'),
                                  model.synthesize(wp))


def test_skip_image_is_sum_of_upsampled_torgb_outputs():
    model = make(64)
    outputs = {}
    for k in range(5):
        getattr(model.synthesis, f'output{k}').register_forward_hook(
            lambda m, a, out, k=k: outputs.__setitem__(k, out))
    wp = torch.randn(2, model.num_layers, 12)
    with torch.no_grad():
        image = model.synthesize(wp)
    kernel = fir_kernel([1, 3, 3, 1], 4)  # zero insertion + FIR, pad 2/1
    expected = outputs[0]
    for k in range(1, 5):
        expected = outputs[k] + upfirdn2d(expected, kernel, up=2,
                                          pad=(2, 1, 2, 1))
    assert torch.allclose(image, expected, atol=1e-5)


def test_origin_outputs_only_the_last_torgb():
    model = make(32, architecture='origin')
    assert not hasattr(model.synthesis, 'output0')
    wp = torch.randn(2, model.num_layers, 12)
    with torch.no_grad():
        feature = model.forward_to(wp, model.layer_names()[-1])['feature']
        expected = model.synthesis.output3(feature, wp[:, -1])
        assert torch.allclose(model.synthesize(wp), expected, atol=1e-6)
    tanh = make(32, architecture='origin', final_tanh=True)
    with torch.no_grad():
        assert torch.allclose(tanh.synthesize(wp), torch.tanh(expected),
                              atol=1e-6)


def naive_modulated_conv(layer, x, w):
    """Per-sample loop: modulate, demodulate, [zero-insert + correlate,
    FIR], noise, bias, lrelu * sqrt(2)."""
    outs = []
    fan_in = layer.in_channels * layer.kernel_size**2
    for n in range(x.shape[0]):
        style = F.linear(w[n], layer.style.weight / math.sqrt(w.shape[1]),
                         layer.style.bias) + 1
        weight = layer.weight / math.sqrt(fan_in) * style[None, :, None, None]
        if layer.demodulate:
            norm = weight.square().sum(dim=(1, 2, 3), keepdim=True)
            weight = weight / (norm + 1e-8).sqrt()
        xn = x[n:n + 1]
        if layer.up:
            h, wd = xn.shape[2:]
            z = torch.zeros(1, xn.shape[1], 2 * h - 1, 2 * wd - 1,
                            dtype=x.dtype)
            z[:, :, ::2, ::2] = xn
            y = F.conv2d(F.pad(z, (2, 2, 2, 2)), weight)
            y = upfirdn2d(y, fir_kernel([1, 3, 3, 1], 4), pad=(1, 1, 1, 1))
        else:
            y = F.conv2d(xn, weight, padding=layer.kernel_size // 2)
        if layer.add_noise:
            y = y + layer.noise * layer.noise_strength
        y = y + layer.bias.view(1, -1, 1, 1)
        if layer.activate:
            y = F.leaky_relu(y, 0.2) * math.sqrt(2)
        outs.append(y)
    return torch.cat(outs)


@pytest.mark.parametrize('up', [False, True])
@pytest.mark.parametrize('fused', [True, False])
@pytest.mark.parametrize('demodulate', [True, False])
def test_modulated_conv_matches_per_sample_loop(up, fused, demodulate):
    torch.manual_seed(3)
    layer = ModulatedConv2d(5, 7, 8, w_dim=6, up=up, demodulate=demodulate,
                            fused_modulate=fused).double()
    with torch.no_grad():
        for p in (layer.bias, layer.noise_strength, layer.style.bias):
            p.normal_()
    x = torch.randn(3, 5, 4 if up else 8, 4 if up else 8,
                    dtype=torch.float64)
    w = torch.randn(3, 6, dtype=torch.float64)
    with torch.no_grad():
        got = layer(x, w, noise_mode='const')
        want = naive_modulated_conv(layer, x, w)
    assert torch.allclose(got, want, atol=1e-10)


@pytest.mark.parametrize('arch', ['skip', 'origin'])
def test_fused_and_unfused_modulation_agree(arch):
    fused = make(64, architecture=arch)
    unfused = StyleGAN2Generator(64, **dict(SMALL, architecture=arch,
                                            fused_modulate=False)).eval()
    unfused.load_state_dict(fused.state_dict())
    wp = torch.randn(3, fused.num_layers, 12)
    with torch.no_grad():
        a, b = fused.synthesize(wp), unfused.synthesize(wp)
    assert torch.allclose(a, b, atol=1e-4 * max(1, a.abs().max().item()))


def test_float64_and_float32_agree():
    model = make(64)
    z = model.sample_z(2)
    with torch.no_grad():
        single = model(z)['image']
        double = model.double()(z.double())['image']
    bound = 1e-4 * max(1.0, double.abs().max().item())
    assert (single.double() - double).abs().max().item() <= bound


def test_noise_modes():
    model = make(32)
    wp = torch.randn(2, model.num_layers, 12)
    with torch.no_grad():
        const = model.synthesize(wp, noise_mode='const')
        assert torch.equal(const, model.synthesize(wp, noise_mode='const'))
        random1 = model.synthesize(wp, noise_mode='random')
        random2 = model.synthesize(wp, noise_mode='random')
        assert not torch.allclose(random1, random2)
        assert not torch.allclose(random1, const)
        none = model.synthesize(wp, noise_mode='none')
        for name, param in model.named_parameters():
            if name.endswith('noise_strength'):
                param.zero_()
        assert torch.allclose(none, model.synthesize(wp, 'wp', 'const'))
        assert torch.allclose(none, model.synthesize(wp, 'wp', 'random'))
    with pytest.raises(ValueError, match='noise_mode'):
        model.synthesize(wp, noise_mode='fresh')


def test_truncation_hand_checked():
    model = make(16)  # L = 6
    avg = torch.linspace(-1, 1, 12)
    model.truncation.w_avg.copy_(avg)
    z = model.sample_z(3)
    with torch.no_grad():
        w = model.mapping(z)['w']
        wp = model.mapping(z, truncation_psi=0.5, truncation_layers=4)['wp']
    assert torch.allclose(wp[:, :4], (avg + 0.5 * (w - avg))[:, None]
                          .expand(-1, 4, -1), atol=1e-6)
    assert torch.allclose(wp[:, 4:], w[:, None].expand(-1, 2, -1))
    for psi, layers in ((None, 4), (1.0, 4), (0.5, 0), (0.5, None)):
        untouched = model.mapping(z, psi, layers)['wp']
        assert torch.equal(untouched, w[:, None].expand(-1, 6, -1))
    # truncate() is the same map for given w or wp codes (edits keep it).
    assert torch.equal(model.truncate(w, 0.5, 4), wp)
    assert torch.equal(model.truncate(w[:, None].expand(-1, 6, -1), 0.5, 4),
                       wp)


def test_update_w_avg_running_mean():
    model = make(16)
    model.truncation.w_avg.fill_(2.0)
    w = torch.stack([torch.full((12, ), 1.0), torch.full((12, ), 3.0)])
    model.update_w_avg(w, momentum=0.9)  # 0.9 * 2 + 0.1 * 2 = 2
    assert torch.allclose(model.truncation.w_avg, torch.full((12, ), 2.0))
    model.update_w_avg(torch.zeros(4, 12), momentum=0.75)
    assert torch.allclose(model.truncation.w_avg, torch.full((12, ), 1.5))


def test_repeat_w_false_emits_one_code_per_layer():
    model = make(16, repeat_w=False)
    assert model.truncation.w_avg.shape == (6 * 12, )
    z = model.sample_z(2)
    with torch.no_grad():
        out = model(z)
        assert out['w'].shape == (2, 72)
        assert torch.equal(out['wp'], out['w'].reshape(2, 6, 12))
        assert torch.allclose(model.synthesize(out['w'], 'w'), out['image'])


@pytest.mark.parametrize('fused', [True, False])
def test_path_length_regulariser_backward(fused):
    # gradients w.r.t. wp with create_graph, then backward to the weights
    model = make(16, fused_modulate=fused).train()
    wp = model.mapping(model.sample_z(2))['wp']
    image = model.synthesize(wp, noise_mode='random')
    y = torch.randn_like(image) / 16
    (grad, ) = torch.autograd.grad((image * y).sum(), wp, create_graph=True)
    grad.square().sum(2).mean(1).sqrt().mean().backward()
    for name in ('synthesis.layer1.weight', 'synthesis.layer0.style.weight',
                 'mapping.dense0.weight', 'synthesis.early_layer.const'):
        param = dict(model.named_parameters())[name]
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_weight_gradients_agree_between_fused_and_unfused():
    grads = []
    for fused in (True, False):
        model = make(16, fused_modulate=fused)
        model.synthesize(torch.ones(2, 6, 12) * 0.3).square().mean().backward()
        grads.append(model.synthesis.layer1.weight.grad)
    assert torch.allclose(grads[0], grads[1], rtol=1e-4, atol=1e-6)


def test_bad_arguments_are_named():
    with pytest.raises(NotImplementedError, match='resnet'):
        StyleGAN2Generator(16, architecture='resnet')
    with pytest.raises(NotImplementedError, match='label_size'):
        StyleGAN2Generator(16, label_size=10)
    with pytest.raises(ValueError, match='power of two'):
        StyleGAN2Generator(48)
    model = make(16)
    with pytest.raises(ValueError, match='synthesis.layer2'):
        model.forward_to(torch.zeros(1, 6, 12), 'synthesis.layer9')
    with pytest.raises(ValueError, match=r'\[N, 6, 12\]'):
        model.synthesize(torch.zeros(1, 5, 12))
    with pytest.raises(ValueError, match='space'):
        model.synthesize(torch.zeros(1, 6, 12), space='y')

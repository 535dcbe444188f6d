"""StyleGAN2Discriminator beyond the fixture: every architecture at several
resolutions (keys from the README table), minibatch-stddev coupling, and
R1-style double backward."""
import math

import pytest
import torch

from gankd_stylegan.stylegan2_discriminator import StyleGAN2Discriminator


def genforce_d_shapes(res, base, fmax, arch, mbstd=1):
    nf = lambda r: min(base // r, fmax)  # noqa: E731
    shapes = {}
    blocks = int(math.log2(res)) - 1
    for k in range(blocks):
        r = res >> k
        if k == 0 or arch == 'skip':
            shapes[f'input{k}.weight'] = (nf(r), 3, 1, 1)
            shapes[f'input{k}.bias'] = (nf(r), )
        if k < blocks - 1:
            shapes[f'layer{2 * k}.weight'] = (nf(r), nf(r), 3, 3)
            shapes[f'layer{2 * k + 1}.weight'] = (nf(r // 2), nf(r), 3, 3)
            shapes[f'layer{2 * k + 1}.filter.kernel'] = (1, 1, 4, 4)
            if arch == 'resnet':
                shapes[f'skip_layer{k}.weight'] = (nf(r // 2), nf(r), 1, 1)
                shapes[f'skip_layer{k}.filter.kernel'] = (1, 1, 4, 4)
        else:
            shapes[f'layer{2 * k}.weight'] = (nf(4), nf(4) + mbstd, 3, 3)
            shapes[f'layer{2 * k + 1}.weight'] = (nf(2), nf(4) * 16)
            shapes[f'layer{2 * k + 2}.weight'] = (1, nf(2))
            shapes[f'layer{2 * k + 2}.bias'] = (1, )
        shapes[f'layer{2 * k}.bias'] = (shapes[f'layer{2 * k}.weight'][0], )
        shapes[f'layer{2 * k + 1}.bias'] = (
            shapes[f'layer{2 * k + 1}.weight'][0], )
    if arch == 'skip':
        shapes['downsample.kernel'] = (1, 1, 4, 4)
    return shapes


@pytest.mark.parametrize('res', [8, 32, 128])
@pytest.mark.parametrize('arch', ['resnet', 'skip', 'origin'])
def test_architectures_shapes_and_keys(res, arch):
    torch.manual_seed(0)
    disc = StyleGAN2Discriminator(res, architecture=arch, fmaps_base=512,
                                  fmaps_max=16).eval()
    ours = {k: tuple(v.shape) for k, v in disc.state_dict().items()}
    assert ours == genforce_d_shapes(res, 512, 16, arch)
    with torch.no_grad():
        score = disc(torch.randn(4, 3, res, res))
    assert score.shape == (4, 1) and torch.isfinite(score).all()


def test_fir_kernels_sum_to_one():
    disc = StyleGAN2Discriminator(16, architecture='skip', fmaps_base=256,
                                  fmaps_max=8)
    for name, buf in disc.named_buffers():
        assert buf.sum().item() == pytest.approx(1.0), name


def test_minibatch_stddev_couples_samples_of_a_group():
    x = torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    y = x.clone()
    y[1] += 1.0
    scores = {}
    for group in (4, 2, 0):
        torch.manual_seed(1)
        disc = StyleGAN2Discriminator(16, fmaps_base=256, fmaps_max=8,
                                      minibatch_std_group_size=group).eval()
        with torch.no_grad():
            scores[group] = (disc(x), disc(y))
    # one group of 4: every score sees sample 1
    assert not torch.allclose(scores[4][0][0], scores[4][1][0])
    # groups of 2 split as [G, N / G]: members (0, 2) and (1, 3)
    assert torch.equal(scores[2][0][0], scores[2][1][0])
    assert torch.equal(scores[2][0][2], scores[2][1][2])
    assert not torch.allclose(scores[2][0][3], scores[2][1][3])
    # disabled: samples are independent
    assert torch.equal(scores[0][0][0], scores[0][1][0])
    with pytest.raises(ValueError, match='divisible'):
        StyleGAN2Discriminator(16, fmaps_base=256, fmaps_max=8)(
            torch.randn(6, 3, 16, 16))


def test_r1_double_backward():
    torch.manual_seed(2)
    disc = StyleGAN2Discriminator(16, fmaps_base=256, fmaps_max=8)
    images = torch.randn(4, 3, 16, 16, requires_grad=True)
    (grad, ) = torch.autograd.grad(disc(images).sum(), images,
                                   create_graph=True)
    grad.square().sum(dim=(1, 2, 3)).mean().backward()
    for name, param in disc.named_parameters():
        if name == 'layer6.bias':  # the output bias does not move the grad
            continue
        assert param.grad is not None and torch.isfinite(param.grad).all()
        if name.endswith('weight'):
            assert param.grad.abs().sum() > 0, name


def test_bad_input_is_named():
    disc = StyleGAN2Discriminator(16, fmaps_base=256, fmaps_max=8)
    with pytest.raises(ValueError, match=r'\[N, 3, 16, 16\]'):
        disc(torch.zeros(2, 3, 32, 32))
    with pytest.raises(NotImplementedError, match='label_size'):
        StyleGAN2Discriminator(16, label_size=3)
    with pytest.raises(ValueError, match='architecture'):
        StyleGAN2Discriminator(16, architecture='dense')

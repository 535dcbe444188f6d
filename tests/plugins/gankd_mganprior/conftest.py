"""Tiny random generators for the mGANprior tests: a PGGAN (z only) and a
StyleGAN2 (skip architecture, non-zero noise strengths, biases and w_avg),
both 16 x 16 with six layers, as fixtures (pytest imports test modules
with ``--import-mode=importlib``: no sibling imports)."""
import pytest
import torch

from gankd_pggan.pggan_generator import PGGANGenerator
from gankd_stylegan.stylegan2_generator import StyleGAN2Generator


def _pggan(seed: int = 0) -> PGGANGenerator:
    model = PGGANGenerator(16, z_space_dim=8, fmaps_base=64, fmaps_max=8)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=gen) * 0.5)
    return model.eval()


def _stylegan2(seed: int = 0) -> StyleGAN2Generator:
    torch.manual_seed(seed)
    model = StyleGAN2Generator(16, z_space_dim=8, w_space_dim=8,
                               mapping_layers=2, mapping_fmaps=8,
                               fmaps_base=128, fmaps_max=8)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith(('noise_strength', 'bias')):
                param.normal_(0, 0.3)
        model.truncation.w_avg.normal_()
    return model.eval()


@pytest.fixture(params=['pggan', 'stylegan2'])
def generator(request):
    """Each tiny generator in turn."""
    return _pggan() if request.param == 'pggan' else _stylegan2()


@pytest.fixture
def pggan():
    return _pggan()


@pytest.fixture
def stylegan2():
    return _stylegan2()

"""Tiny generators for the generate/convert tool tests, and where the
genforce parity fixtures are.

Nothing is registered at import time: in-process tests use the
``temp_register`` fixture; subprocess tests import a one-line module that
calls :func:`register` (through the config's ``custom_imports``).
"""
import os

import pytest
import torch
from torch import nn

from gankd.kinds import BaseGenerator

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))


class ToyStyleGenerator(BaseGenerator):
    """z [N, Z] -> w [N, W] (one linear + lrelu) -> wp [N, L, W]; synthesis
    starts from a 2x2 constant, doubles the size after layer 0, scales the
    channels by ``1 + affine(wp[:, l])`` and adds noise; a 1x1 toRGB,
    no tanh (so images leave [-1, 1] and clipping is exercised)."""

    latent_spaces = ('z', 'w', 'wp')

    def __init__(self, z_dim=4, w_dim=4, channels=4, num_layers=3):
        super().__init__()
        self.z_dim, self.w_dim, self.num_layers = z_dim, w_dim, num_layers
        self.resolution = 2 * 2**(num_layers - 1)
        self.dense = nn.Linear(z_dim, w_dim)
        self.truncation = nn.Module()
        self.truncation.register_buffer('w_avg', torch.randn(w_dim) * 0.3)
        self.const = nn.Parameter(torch.randn(1, channels, 2, 2))
        self.styles = nn.ModuleList(
            nn.Linear(w_dim, channels) for _ in range(num_layers))
        for i in range(num_layers):
            size = 2 * 2**i
            self.register_buffer(f'noise{i}', torch.randn(1, 1, size, size))
        self.to_rgb = nn.Conv2d(channels, 3, 1)

    def layer_names(self):
        return [f'styles.{i}' for i in range(self.num_layers)]

    def mapping(self, z, truncation_psi=None, truncation_layers=None):
        w = nn.functional.leaky_relu(self.dense(z), 0.2)
        wp = w[:, None].repeat(1, self.num_layers, 1)
        if truncation_psi is not None and truncation_layers:
            avg = self.truncation.w_avg
            head = avg + truncation_psi * (wp[:, :truncation_layers] - avg)
            wp = torch.cat([head, wp[:, truncation_layers:]], 1)
        return dict(w=w, wp=wp)

    def synthesize(self, codes, space='wp', noise_mode='const'):
        if space == 'z':
            codes = self.mapping(codes)['wp']
        elif space == 'w':
            codes = codes[:, None].repeat(1, self.num_layers, 1)
        x = self.const.repeat(len(codes), 1, 1, 1)
        for i, style in enumerate(self.styles):
            if i:
                x = nn.functional.interpolate(x, scale_factor=2)
            x = x * (1 + style(codes[:, i]))[:, :, None, None]
            noise = getattr(self, f'noise{i}')
            if noise_mode == 'random':
                noise = torch.randn_like(x[:, :1])
            if noise_mode != 'none':
                x = x + 0.5 * noise
        return self.to_rgb(x)

    def forward(self, z, truncation_psi=None, truncation_layers=None,
                noise_mode='const'):
        codes = self.mapping(z, truncation_psi, truncation_layers)
        return dict(codes, image=self.synthesize(codes['wp'], 'wp',
                                                 noise_mode))


class ToyZGenerator(BaseGenerator):
    """Only z (as PGGAN): a linear layer to a 3x4x4 image."""

    def __init__(self, z_dim=4):
        super().__init__()
        self.z_dim, self.resolution = z_dim, 4
        self.dense = nn.Linear(z_dim, 3 * 16)

    def synthesize(self, codes, space='z', noise_mode='const'):
        assert space == 'z'
        return self.dense(codes).view(-1, 3, 4, 4)

    def forward(self, z, truncation_psi=None, truncation_layers=None,
                noise_mode='const'):
        return dict(image=self.synthesize(z))


def register():
    """Register both toys for a subprocess (its config imports this)."""
    from gankd.registry import MODELS
    for cls in (ToyStyleGenerator, ToyZGenerator):
        MODELS.register_module(module=cls, force=True)


def write_config(path, model: dict, imports=False) -> str:
    """A config file holding ``model``; with ``imports`` it registers the
    toys when loaded (for subprocesses; PYTHONPATH must hold this folder)."""
    lines = [f'model = {model!r}']
    if imports:
        lines.append("custom_imports = dict(imports="
                     "['toy_generators_plugin'])")
    path = str(path)
    with open(path, 'w') as file:
        file.write('\n'.join(lines) + '\n')
    return path


def subprocess_env(tmp_path) -> dict:
    """Env for tools run as subprocesses that need the toys registered."""
    (tmp_path / 'toy_generators_plugin.py').write_text(
        'from toy_generators import register\nregister()\n')
    return dict(PYTHONPATH=os.pathsep.join(
        [HERE, str(tmp_path), os.environ.get('PYTHONPATH', '')]))


def parity_fixture(name: str) -> dict:
    """Load ``genforce/<name>.pth`` from ``GANKD_PARITY_FIXTURES`` (default
    ``../shared/fixtures``), or skip saying where it was looked for."""
    root = os.environ.get('GANKD_PARITY_FIXTURES',
                          os.path.join(REPO, '..', 'shared', 'fixtures'))
    path = os.path.join(root, 'genforce', f'{name}.pth')
    if not os.path.isfile(path):
        pytest.skip(f'parity fixture {path} absent (set '
                    'GANKD_PARITY_FIXTURES to the folder holding genforce/)')
    return torch.load(path, weights_only=True)


def require_component(name: str, converter: str = None) -> None:
    """Skip unless the generator class (and converter) are installed."""
    from gankd.registry import MODELS, find_type
    from gankd.utils.converters import converters
    if find_type(MODELS, name) is None:
        pytest.skip(f'{name} is not registered (its plugin is not '
                    'installed or does not provide it yet)')
    if converter is not None and converter not in converters():
        pytest.skip(f"converter '{converter}' is not installed")

"""Toy generator and discriminators for GAN training tests (not a test
module; conftest.py and the distributed worker load it by path).

ToyGenerator follows the BaseGenerator contract with z, w and wp spaces:
``image = tanh(const + sum_l wp[:, l] @ style[l] + noise_strength * noise)``
on a 3x4x4 image, so its Jacobians are easy to write by hand.
"""
import torch
from torch import nn

from gankd.kinds import BaseGenerator


class _Truncation(nn.Module):

    def __init__(self, w_dim):
        super().__init__()
        self.register_buffer('w_avg', torch.zeros(w_dim))


class ToyGenerator(BaseGenerator):
    latent_spaces = ('z', 'w', 'wp')

    def __init__(self, z_dim=4, w_dim=4, num_layers=3, resolution=4):
        super().__init__()
        self.z_dim, self.w_dim = z_dim, w_dim
        self.num_layers, self.resolution = num_layers, resolution
        pixels = 3 * resolution * resolution
        self.mapping_fc = nn.Linear(z_dim, w_dim)
        self.style = nn.Parameter(torch.randn(num_layers, w_dim, pixels) * 0.3)
        self.const = nn.Parameter(torch.randn(3, resolution, resolution) * 0.1)
        self.noise_strength = nn.Parameter(torch.tensor(0.1))
        self.register_buffer('noise', torch.randn(1, 3, resolution,
                                                  resolution))
        self.truncation = _Truncation(w_dim)
        self.w_avg_updates = []

    def mapping(self, z, truncation_psi=None, truncation_layers=None):
        w = self.mapping_fc(z)
        wp = w[:, None].repeat(1, self.num_layers, 1)
        if truncation_psi is not None:
            layers = truncation_layers or self.num_layers
            avg = self.truncation.w_avg
            wp = torch.cat([avg + truncation_psi * (wp[:, :layers] - avg),
                            wp[:, layers:]], dim=1)
        return dict(w=w, wp=wp)

    def synthesize(self, codes, space='wp', noise_mode='const'):
        if space == 'z':
            codes = self.mapping(codes)['wp']
        elif space == 'w':
            codes = codes[:, None].repeat(1, self.num_layers, 1)
        n, r = codes.shape[0], self.resolution
        x = torch.einsum('nld,ldp->np', codes, self.style).view(n, 3, r, r)
        x = x + self.const
        if noise_mode == 'random':
            x = x + self.noise_strength * torch.randn_like(x)
        elif noise_mode == 'const':
            x = x + self.noise_strength * self.noise
        return torch.tanh(x)

    def forward(self, z, truncation_psi=None, truncation_layers=None,
                noise_mode='const'):
        mapped = self.mapping(z, truncation_psi, truncation_layers)
        return dict(image=self.synthesize(mapped['wp'], 'wp', noise_mode),
                    **mapped)

    def layer_names(self):
        return ['style']

    @torch.no_grad()
    def update_w_avg(self, w, momentum=0.995):
        self.w_avg_updates.append(w.clone())
        self.truncation.w_avg.copy_(
            w.mean(0).lerp(self.truncation.w_avg, momentum))


class ToyZOnlyGenerator(BaseGenerator):
    """A generator without w (like PGGAN): z -> image."""

    def __init__(self, z_dim=4, resolution=4):
        super().__init__()
        self.z_dim, self.resolution = z_dim, resolution
        self.fc = nn.Linear(z_dim, 3 * resolution * resolution)

    def forward(self, z, truncation_psi=None, truncation_layers=None,
                noise_mode='const'):
        r = self.resolution
        return dict(image=torch.tanh(self.fc(z)).view(-1, 3, r, r))


class LinearDiscriminator(nn.Module):
    """``D(x) = x.flatten() @ v + b``: ``grad_x D = v`` for every image."""

    def __init__(self, resolution=4):
        super().__init__()
        self.fc = nn.Linear(3 * resolution * resolution, 1)

    def forward(self, images):
        return self.fc(images.flatten(1))


class MLPDiscriminator(nn.Module):
    """A non-linear D (input gradients differ per image)."""

    def __init__(self, resolution=4, hidden=8):
        super().__init__()
        self.fc1 = nn.Linear(3 * resolution * resolution, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, images):
        return self.fc2(torch.tanh(self.fc1(images.flatten(1))))

"""A hand-made layer-wise generator and its analytic scorer (higan.md §6).

Shared test helper (not a test file): the HiGAN and probe tests load it with
:func:`load_toy_module` in ``conftest.py``. Six per-layer codes of 16-d
render 32 x 32 images whose three channels each carry one semantic:

* layers 0-1 -> layout: the height of a horizon, a soft step in red;
* layers 2-3 -> object: the radius of a centred blob in green;
* layers 4-5 -> colour: a uniform blue level (hue / brightness).
Every score grows with its semantic's value. Semantic ``k`` reads
``s_k = sum_{l in owner(k)} u_l . wp_l / sqrt(2)`` with random unit vectors
``u_l`` (``a_l``, ``b_l``, ``c_l`` of the spec), plus a
small ``leak`` of one non-owning layer so layer-wise tests see a non-zero
(but < 10 %) response off the owning layers. Since ``w = z`` and wp repeats
w, the true W-space direction of semantic k is the unit vector along
``sum_{l in owner(k)} u_l`` (plus the leak term, see :meth:`true_direction`).

:class:`ToyScorer` recovers the quantities from the image analytically,
plus a ``constant`` semantic (ignores the image) and a ``distractor``
(deterministic but pseudo-random in the image, unrelated to any code).
"""
import math
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor, nn

from gankd.kinds import BaseGenerator

__all__ = ['ToyLayeredGenerator', 'ToyScorer', 'OWNERS', 'LEAKS',
           'SEMANTICS']

#: Layers owning each encoded semantic.
OWNERS = {'layout': (0, 1), 'object': (2, 3), 'colour': (4, 5)}
#: The non-owning layer leaking into each semantic (scaled by ``leak``).
LEAKS = {'layout': 3, 'object': 5, 'colour': 0}
#: Every semantic of :class:`ToyScorer`, in its output order.
SEMANTICS = ('layout', 'object', 'colour', 'constant', 'distractor')


class ToyLayeredGenerator(BaseGenerator):
    """L = 6 codes of 16-d -> ``[N, 3, 32, 32]`` images in [-1, 1].

    Args:
        seed: seed of the random unit vectors and of ``w_avg``.
        leak: weight of the leaking non-owning layer in each semantic.
        w_avg_scale: size of the (random) ``w_avg`` used by truncation, so
            truncation is not a plain scaling.
    """

    z_dim = 16
    w_dim = 16
    num_layers = 6
    resolution = 32
    latent_spaces = ('z', 'w', 'wp')

    def __init__(self, seed: int = 0, leak: float = 0.03,
                 w_avg_scale: float = 0.3):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        units = torch.randn(self.num_layers, self.w_dim, generator=gen)
        self.register_buffer('units', units / units.norm(dim=1, keepdim=True))
        self.register_buffer(
            'w_avg', w_avg_scale * torch.randn(self.w_dim, generator=gen))
        self.leak = float(leak)
        ys = torch.arange(self.resolution, dtype=torch.float32)
        self.register_buffer('ys', ys)
        # Test hook: the batch size of every synthesize call.
        self.calls = []

    # -- latents -----------------------------------------------------------
    def mapping(self, z: Tensor, truncation_psi: Optional[float] = None,
                truncation_layers: Optional[int] = None) -> Dict[str, Tensor]:
        w = z.to(torch.float32)  # w = z: the mapping is the identity
        return dict(w=w, wp=self.truncate(w, truncation_psi,
                                          truncation_layers))

    def truncate(self, codes: Tensor, truncation_psi: Optional[float] = None,
                 truncation_layers: Optional[int] = None) -> Tensor:
        wp = self._to_wp(codes, 'wp' if codes.ndim == 3 else 'w')
        if truncation_psi is None or truncation_psi >= 1.0 \
                or not truncation_layers:
            return wp.clone()
        coefs = torch.ones(1, self.num_layers, 1, dtype=wp.dtype)
        coefs[:, :truncation_layers] = truncation_psi
        return self.w_avg + (wp - self.w_avg) * coefs

    def _to_wp(self, codes: Tensor, space: str) -> Tensor:
        if space not in self.latent_spaces:
            raise ValueError(f"space must be one of {self.latent_spaces}, "
                             f"got '{space}'")
        if space == 'wp':
            if codes.shape[1:] != (self.num_layers, self.w_dim):
                raise ValueError(f'wp must be [N, 6, 16], got '
                                 f'{list(codes.shape)}')
            return codes
        return codes[:, None].expand(-1, self.num_layers, -1)

    def semantic_values(self, wp: Tensor) -> Dict[str, Tensor]:
        """The pre-activation ``s_k`` ``[N]`` of each encoded semantic."""
        proj = (wp * self.units).sum(-1)  # [N, L]: u_l . wp_l
        values = {}
        for name, owners in OWNERS.items():
            value = proj[:, list(owners)].sum(1) / math.sqrt(len(owners))
            values[name] = value + self.leak * proj[:, LEAKS[name]]
        return values

    def true_direction(self, name: str) -> Tensor:
        """Unit W-space direction ``[w_dim]`` along which ``s_name`` grows
        (for codes whose layers all equal w)."""
        owners = OWNERS[name]
        direction = self.units[list(owners)].sum(0) / math.sqrt(len(owners))
        direction = direction + self.leak * self.units[LEAKS[name]]
        return direction / direction.norm()

    # -- synthesis ---------------------------------------------------------
    def synthesize(self, codes: Tensor, space: str = 'wp',
                   noise_mode: str = 'const') -> Tensor:
        self.check_noise_mode(noise_mode)
        if space == 'z':
            codes = self.mapping(codes)['w']
            space = 'w'
        wp = self._to_wp(codes.to(torch.float32), space)
        self.calls.append(int(wp.shape[0]))
        values = self.semantic_values(wp)
        res = self.resolution
        # Layout: horizon row in [8, 24] (higher s = higher horizon = smaller
        # row index), soft step from -1 (sky) to 1 (ground).
        horizon = res / 2 - res / 4 * torch.tanh(values['layout'])
        red = torch.tanh((self.ys[None, :] - horizon[:, None]) / 1.5)
        red = red[:, :, None].expand(-1, res, res)
        # Object: centred Gaussian blob of radius in [3, 8].
        radius = 5.5 + 2.5 * torch.tanh(values['object'])
        dist2 = (self.ys[:, None] - (res - 1) / 2)**2 + (
            self.ys[None, :] - (res - 1) / 2)**2
        green = 2 * torch.exp(-dist2[None] / (2 * radius[:, None, None]**2))
        green = green - 1
        # Colour: uniform blue level in (-0.9, 0.9).
        blue = (0.9 * torch.tanh(values['colour']))[:, None, None].expand(
            -1, res, res)
        return torch.stack([red, green, blue], dim=1)

    def forward(self, z: Tensor, truncation_psi: Optional[float] = None,
                truncation_layers: Optional[int] = None,
                noise_mode: str = 'const') -> Dict[str, Tensor]:
        latents = self.mapping(z, truncation_psi, truncation_layers)
        image = self.synthesize(latents['wp'], 'wp', noise_mode)
        return dict(image=image, **latents)

    def layer_names(self):
        return [f'synthesis.layer{i}' for i in range(self.num_layers)]


class ToyScorer(nn.Module):
    """Analytic predictors of the toy images: ``[N, 3, 32, 32]`` -> ``[N, S]``.

    * ``layout``: the horizon height, from the row estimated as the soft
      arg-max of the red channel's vertical gradient;
    * ``object``: mean green (grows with the blob radius);
    * ``colour``: mean blue;
    * ``constant``: 0.5 whatever the image;
    * ``distractor``: ``sin`` of a large multiple of the image sum, a
      deterministic pseudo-random number unrelated to the codes' semantics.

    Args:
        names: subset (and order) of :data:`SEMANTICS` to output.
    """

    def __init__(self, names: Sequence[str] = SEMANTICS):
        super().__init__()
        unknown = set(names) - set(SEMANTICS)
        if unknown:
            raise ValueError(f'unknown toy semantics {sorted(unknown)}')
        self.names = tuple(names)
        self.calls = []

    def forward(self, images: Tensor) -> Tensor:
        self.calls.append(int(images.shape[0]))
        images = images.to(torch.float64)
        red = images[:, 0].mean(2)  # [N, H]: rows
        grad = (red[:, 1:] - red[:, :-1]).clamp_min(0)
        rows = torch.arange(grad.shape[1], dtype=grad.dtype) + 0.5
        horizon = (grad * rows).sum(1) / grad.sum(1).clamp_min(1e-12)
        scores = {
            'layout': (16.0 - horizon) / 8.0,
            'object': images[:, 1].mean((1, 2)) * 4.0,
            'colour': images[:, 2].mean((1, 2)) * 2.0,
            'constant': torch.full_like(horizon, 0.5),
            'distractor': torch.sin(images.sum((1, 2, 3)) * 997.0),
        }
        return torch.stack([scores[n] for n in self.names],
                           dim=1).to(torch.float32)

"""The latent-space half of the style-based generators (StyleGAN and
StyleGAN2 share it): mapping z -> w -> per-layer wp with truncation, codes
of any space to wp, and the running w average."""
from typing import Dict, Optional

from torch import Tensor

from gankd_stylegan.mapping_network import MappingNetwork

__all__ = ['StyleLatentsMixin']


class StyleLatentsMixin:
    """For generators with submodules ``mapping`` (a
    :class:`~gankd_stylegan.mapping_network.MappingNetwork`) and
    ``truncation`` (a ``TruncationModule``) and attributes ``num_layers``,
    ``w_dim``."""

    # The BaseGenerator method ``mapping`` shadows the attribute lookup of
    # the submodule registered under the same name (its state-dict prefix
    # must stay ``mapping.``); the network itself is ``mapping_network``.
    @property
    def mapping_network(self) -> MappingNetwork:
        return self._modules['mapping']

    def mapping(self, z: Tensor, truncation_psi: Optional[float] = None,
                truncation_layers: Optional[int] = None
                ) -> Dict[str, Tensor]:
        """z ``[N, z_dim]`` -> dict(w ``[N, w_dim]``, wp ``[N, L, w_dim]``
        truncated: ``w_avg + psi * (wp - w_avg)`` on layers
        ``< truncation_layers``)."""
        w = self.mapping_network(z)
        return dict(w=w, wp=self.truncation(w, truncation_psi,
                                            truncation_layers))

    def truncate(self, codes: Tensor, truncation_psi: Optional[float] = None,
                 truncation_layers: Optional[int] = None) -> Tensor:
        """w ``[N, w_dim]`` or wp ``[N, L, w_dim]`` -> truncated wp, as
        :meth:`mapping` truncates (psi None: just the per-layer codes)."""
        return self.truncation(codes, truncation_psi, truncation_layers)

    def to_wp(self, codes: Tensor, space: str = 'wp') -> Tensor:
        """Codes of ``space`` -> wp ``[N, L, w_dim]`` (z: no truncation)."""
        if space == 'z':
            return self.truncation.to_wp(self.mapping_network(codes))
        if space in ('w', 'wp'):
            if space == 'wp' and codes.ndim != 3:
                raise ValueError(f'wp codes must be [N, {self.num_layers}, '
                                 f'{self.w_dim}], got {list(codes.shape)}')
            return self.truncation.to_wp(codes)
        raise ValueError(f"space must be 'z', 'w' or 'wp', got '{space}'")

    def update_w_avg(self, w: Tensor, momentum: float = 0.995) -> None:
        """Running mean of w for truncation (call with the batch's w)."""
        self.truncation.update_w_avg(w, momentum)

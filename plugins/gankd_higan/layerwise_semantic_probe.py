"""HiGAN's probe: boundaries per semantic (InterFaceGAN's), then layer-wise
re-scoring to find which layers control each semantic, and edits
restricted to those layers."""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from torch import Tensor


from gankd.utils.progress import ProgressLine
from gankd.utils.layer_specs import format_layers, parse_layers
from gankd_higan.layer_selection import select_layers
from gankd_higan.rescoring import rescore
from gankd_interfacegan.errors import ProbeError
from gankd_interfacegan.linear_boundary_probe import LinearBoundaryProbe

__all__ = ['LayerwiseSemanticProbe']


class LayerwiseSemanticProbe(LinearBoundaryProbe):
    """Which layers of a layer-wise generator control which semantics.

    Boundaries are fitted as :class:`LinearBoundaryProbe` does (default in
    w, as HiGAN's released ones). :meth:`rescore` pushes fresh truncated
    codes by ``step`` along each boundary on all layers, then on each layer
    (or layer group) alone, and measures the mean positive score change of
    every semantic; :meth:`select` keeps, per semantic, the layers whose
    change reaches ``select_ratio`` of its peak; :meth:`manipulate` edits
    only those layers.

    Args:
        levels (dict, optional): semantic -> abstraction level (e.g.
            ``'layout'``, ``'object'``, ``'attribute'``, ``'colour'``), used
            to group the heat map and the report.
        step (float): λ, the re-scoring push (HiGAN: 2.0).
        layer_groups (list, optional): layer specs re-scored together
            (``['0-1', '2-3']``); default each layer alone.
        strength_policy (str): ``'truncation'`` scales edits by ψ on
            truncated layers so that they equal edits of the un-truncated w;
            ``'uniform'`` does not.
        clip_negative (bool): average ``max(Δ, 0)`` (HiGAN) or ``Δ``.
        select_ratio (float): layers kept per semantic, relative to its
            peak layer-wise change.
        **kwargs: :class:`LinearBoundaryProbe` arguments (``spaces``
            defaults to ``('w',)``).
    """

    def __init__(self, *args, levels: Optional[Dict[str, str]] = None,
                 step: float = 2.0, layer_groups: Optional[list] = None,
                 strength_policy: str = 'truncation',
                 clip_negative: bool = True, select_ratio: float = 0.5,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if 'wp' not in self.generator.latent_spaces:
            raise ProbeError(
                f'{type(self.generator).__name__} has no per-layer codes '
                f"(latent spaces: {', '.join(self.generator.latent_spaces)})"
                ': layer-wise probing needs a style-based generator')
        self.levels = dict(levels or {})
        self.step = float(step)
        self.layer_groups = layer_groups
        self.clip_negative = clip_negative
        self.select_ratio = float(select_ratio)
        self.strength = self.layer_strength(strength_policy)

    def run(self, work_dir: str, **options) -> dict:
        """Fit w boundaries, re-score them layer by layer and write the
        report (see :mod:`gankd_higan.hierarchy_report`)."""
        from gankd_higan.hierarchy_report import run_hierarchy_probe
        return run_hierarchy_probe(self, work_dir, **options)

    def sample_wp(self, num: int, seed: Optional[int] = None) -> Tensor:
        """``[num, L, w_dim]`` truncated codes as rendered."""
        z = self.sample_z(num, seed)
        return torch.cat([self.to_wp(z[i:i + self.batch_size], 'z').cpu()
                          for i in range(0, num, self.batch_size)])

    def rescore(self, boundaries: Dict[str, np.ndarray], num_samples: int,
                seed: Optional[int] = None, progress: bool = True) -> dict:
        """Layer-wise re-scoring of w-space ``boundaries`` (name ->
        ``[1, w_dim]``) on ``num_samples`` fresh codes.

        Returns:
            dict: :func:`gankd_higan.rescoring.rescore`'s output (arrays
            ``[G, B, S]``, G = 1 + groups, B boundaries, S scored
            semantics) plus ``boundaries`` (B names), ``layerwise``
            ``[G - 1, B]`` (each boundary's change of its own semantic per
            group), ``global`` ``[B]`` and ``layers`` (chosen layers per
            boundary, as a string like ``'0-2'``).
        """
        names = list(boundaries)
        missing = [n for n in names if n not in self.names]
        if missing:
            raise ProbeError(f'boundaries {missing} have no score; scored: '
                             f"{', '.join(self.names)}")
        directions = np.concatenate(
            [np.asarray(boundaries[n], np.float64).reshape(1, -1)
             for n in names])
        wp = self.sample_wp(num_samples, seed)
        lines = []  # rescore reports its total: the line is made then

        def report(done: int, total: int) -> None:
            if not lines:
                lines.append(ProgressLine('probe: re-scoring', total,
                                          enabled=progress,
                                          min_total=self.batch_size))
            lines[0].update(done - lines[0].done)

        result = rescore(
            self.generator, self.predictor, wp, directions, step=self.step,
            layer_groups=self.layer_groups, strength=self.strength,
            clip_negative=self.clip_negative, noise_mode=self.noise_mode,
            batch_size=self.batch_size,
            progress=report)
        own = [self.names.index(n) for n in names]
        delta = result['delta_pos']
        result['boundaries'] = names
        result['global'] = delta[0, range(len(names)), own]
        result['layerwise'] = delta[1:, range(len(names)), own]
        result['layers'] = {
            name: format_layers(self._chosen(result, b))
            for b, name in enumerate(names)}
        return result

    def _chosen(self, result: dict, b: int) -> list:
        """Layers of the groups whose change reaches the ratio of the
        peak (a group contributes all its layers)."""
        keep = select_layers(result['layerwise'][:, b], self.select_ratio)
        groups = result['groups'][1:]
        return sorted({layer for g in keep for layer in groups[g]})

    def manipulate(self, wp: Tensor, boundary, distances: Sequence[float],
                   layers=None) -> Tensor:
        """Edit truncated codes ``wp`` ``[N, L, d]`` along a w-space
        ``boundary`` on ``layers`` only (spec string, list or None = all),
        scaled by the truncation strength -> ``[N, T, L, d]``."""
        layers = parse_layers(layers, self.generator.num_layers)
        return self.edit(wp, torch.as_tensor(np.asarray(boundary)).float(),
                         distances, mode='relative', layers=layers,
                         strength=self.strength)

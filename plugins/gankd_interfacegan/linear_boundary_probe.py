"""InterFaceGAN's probe: sample codes, render and score them, fit linear
boundaries in z, w or per-layer wp, and move codes along them."""
import copy
import itertools
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from gankd.kinds import BaseProbe
from gankd.registry import MODELS, scope_config_types
from gankd.utils.frozen_generator import build_frozen_generator
from gankd.utils.layer_specs import layer_strength
from gankd.utils.progress import ProgressLine
from gankd_interfacegan.boundary_io import load_boundary
from gankd_interfacegan.boundary_ops import (edit_codes, project_boundary,
                                             renormalize_z)
from gankd_interfacegan.boundary_search import (train_boundary,
                                                train_layerwise_boundaries)
from gankd_interfacegan.errors import ProbeError

__all__ = ['LinearBoundaryProbe']


class LinearBoundaryProbe(BaseProbe):
    """Linear semantic boundaries of a frozen generator (InterFaceGAN).

    Codes ``z ~ N(0, I)`` (rescaled to norm ``sqrt(z_dim)`` with
    ``renormalize_z``, the official pre-processing) are mapped to ``w`` and
    rendered with the truncation given here; the predictor scores every
    image; for each semantic the top and bottom ``num_or_ratio`` samples
    train a linear SVM whose unit normal is the boundary (positive side =
    higher score). Boundaries in ``'w'`` are fitted on the un-truncated w,
    as the official ones are; ``'wp'`` fits one boundary per layer on the
    truncated per-layer codes.

    Args:
        generator (dict | nn.Module): see :func:`build_frozen_generator`.
        predictor (dict | nn.Module | None): an attribute scorer (e.g.
            ``dict(type='AttributeScorer', config=..., checkpoint=...,
            semantics=...)``): images ``[N, 3, H, W]`` in ``[-1, 1]`` ->
            scores ``[N, S]``, with ``names`` (S semantic names). None
            for editing with given boundaries only (no fitting).
        spaces (Sequence[str]): spaces to fit boundaries in, among the
            generator's ``latent_spaces``.
        num_or_ratio (float): samples kept per side (ratio <= 1 or count).
        split (float): train share of each side; the rest validates.
        svm (dict, optional): ``sklearn.svm.SVC`` arguments (default linear,
            C = 1).
        invalid_value (float, optional): a score that marks unscored rows.
        truncation_psi (float, optional): truncation when rendering.
        truncation_layers (int, optional): layers truncated (default all).
        renormalize_z (bool): rescale sampled z to norm ``sqrt(z_dim)``.
        noise_mode (str): the generator's noise when rendering.
        batch_size (int): images per generator/predictor batch.
        seed (int): default sampling seed.
    """

    def __init__(self, generator, predictor=None,
                 spaces: Sequence[str] = ('w', ),
                 num_or_ratio: float = 0.02, split: float = 0.7,
                 svm: Optional[dict] = None,
                 invalid_value: Optional[float] = None,
                 truncation_psi: Optional[float] = None,
                 truncation_layers: Optional[int] = None,
                 renormalize_z: bool = True, noise_mode: str = 'const',
                 batch_size: int = 64, seed: int = 0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        self.generator = build_frozen_generator(generator)
        if predictor is not None and not isinstance(predictor, nn.Module):
            predictor = MODELS.build(scope_config_types(
                copy.deepcopy(dict(predictor))))
        self.predictor = predictor
        self.freeze('generator', *(['predictor'] if predictor is not None
                                   else []))
        available = tuple(self.generator.latent_spaces)
        bad = [s for s in spaces if s not in available]
        if bad or not spaces:
            raise ProbeError(
                f'spaces={list(spaces)}: {type(self.generator).__name__} has '
                f"the latent spaces {', '.join(available)}")
        self.generator.check_noise_mode(noise_mode)
        self.spaces = tuple(spaces)
        self.search = dict(num_or_ratio=num_or_ratio, split=split, svm=svm,
                           invalid_value=invalid_value)
        self.truncation_psi = truncation_psi
        self.truncation_layers = (self.generator.num_layers
                                  if truncation_layers is None else
                                  truncation_layers)
        self.renormalize_z = renormalize_z
        self.noise_mode = noise_mode
        self.batch_size = int(batch_size)
        self.seed = seed

    @property
    def names(self) -> tuple:
        """The semantics the predictor scores, in score-column order."""
        if self.predictor is None:
            raise ProbeError(
                'this probe has no predictor (model.predictor=None): it can '
                'edit with given boundaries but not score or fit; give an '
                "attribute scorer, e.g. dict(type='AttributeScorer', "
                'config=..., checkpoint=...)')
        return tuple(self.predictor.names)

    @property
    def device(self) -> torch.device:
        tensor = next(itertools.chain(self.generator.parameters(),
                                      self.generator.buffers()), None)
        return torch.device('cpu') if tensor is None else tensor.device

    # -- codes and images ------------------------------------------------
    def sample_z(self, num: int, seed: Optional[int] = None) -> Tensor:
        """``[num, z_dim]`` codes, the same for the same seed."""
        rng = torch.Generator().manual_seed(self.seed if seed is None
                                            else int(seed))
        z = self.generator.sample_z(num, generator=rng)
        return renormalize_z(z) if self.renormalize_z else z

    @torch.inference_mode()
    def to_wp(self, codes: Tensor, space: str) -> Tensor:
        """Codes of ``space`` -> what the generator renders: truncated wp
        for z and w (w-space edits keep the truncation), wp as given, or
        z itself for generators without w."""
        codes = codes.to(self.device)
        if 'w' not in self.generator.latent_spaces:
            return codes
        if space == 'z':
            return self.generator.mapping(codes, self.truncation_psi,
                                          self.truncation_layers)['wp']
        if space == 'w':
            return self.generator.truncate(codes, self.truncation_psi,
                                           self.truncation_layers)
        return codes

    def layer_strength(self, policy: str = 'truncation') -> Tensor:
        """Per-layer scale ``[L]`` of wp edits: ``'truncation'`` gives psi
        on the truncated layers, so moving truncated codes by ``t * s_l * n``
        equals moving the un-truncated w by ``t * n``; ``'uniform'`` ones."""
        return torch.from_numpy(layer_strength(
            self.generator.num_layers, self.truncation_psi,
            self.truncation_layers, policy)).float()

    @torch.inference_mode()
    def render(self, codes: Tensor, space: str) -> Tensor:
        """Images ``[N, 3, H, W]`` in ``[-1, 1]`` of one batch of codes."""
        wp = self.to_wp(codes, space)
        render_space = 'wp' if 'w' in self.generator.latent_spaces else 'z'
        return self.generator.synthesize(wp, space=render_space,
                                         noise_mode=self.noise_mode)

    @torch.inference_mode()
    def score_codes(self, codes: Tensor, space: str,
                    progress: Optional[ProgressLine] = None) -> Tensor:
        """Scores ``[N, S]`` (CPU float32) of codes ``[N, ...]`` rendered
        and scored in batches; the images are never kept."""
        out = []
        for start in range(0, len(codes), self.batch_size):
            batch = codes[start:start + self.batch_size]
            out.append(self.predictor(self.render(batch, space)).float()
                       .cpu())
            if progress is not None:
                progress.update(len(batch))
        return torch.cat(out) if out else torch.zeros(0, len(self.names))

    @torch.inference_mode()
    def sample(self, num_samples: int, seed: Optional[int] = None,
               progress: bool = True) -> Dict[str, np.ndarray]:
        """Sample, render and score ``num_samples`` codes.

        Returns:
            dict: ``z`` ``[M, z_dim]``, ``w`` ``[M, w_dim]`` (generators with
            w; un-truncated) and ``scores`` ``[M, S]``, all float32 numpy,
            plus ``names`` (S strings).
        """
        z = self.sample_z(num_samples, seed)
        line = ProgressLine('probe: sampling and scoring', num_samples,
                            unit='codes', enabled=progress,
                            min_total=self.batch_size)
        has_w = 'w' in self.generator.latent_spaces
        codes, space = (self.to_w(z), 'w') if has_w else (z, 'z')
        scores = self.score_codes(codes, space, progress=line)
        out = dict(z=z.numpy(), scores=scores.numpy(),
                   names=np.array(self.names))
        if has_w:
            out['w'] = codes.numpy()
        return out

    def codes_of(self, samples: Dict[str, np.ndarray], space: str
                 ) -> np.ndarray:
        """The codes of ``space`` in ``samples`` (wp: truncated w)."""
        if space == 'wp':
            w = torch.from_numpy(samples['w'])
            return self.to_wp(w, 'w').cpu().numpy()
        return samples[space]

    # -- boundaries --------------------------------------------------------
    def fit(self, samples: Dict[str, np.ndarray],
            semantics: Optional[Sequence[str]] = None,
            spaces: Optional[Sequence[str]] = None) -> dict:
        """Boundaries from :meth:`sample`'s output.

        Returns:
            dict: ``{space: {semantic: BoundaryFit}}``; for ``'wp'`` a list
            of one ``BoundaryFit`` per layer.
        """
        names = [str(n) for n in samples['names']]
        semantics = list(semantics or names)
        unknown = [s for s in semantics if s not in names]
        if unknown:
            raise ProbeError(f'semantics {unknown} were not scored; scored: '
                             f"{', '.join(names)}")
        fits = {}
        for space in spaces or self.spaces:
            codes = self.codes_of(samples, space)
            fit = (train_layerwise_boundaries if space == 'wp' else
                   train_boundary)
            fits[space] = {
                name: fit(codes, samples['scores'][:, names.index(name)],
                          seed=self.seed, **self.search)
                for name in semantics}
        return fits

    def run(self, work_dir: str, **options) -> dict:
        """Sample, fit, save boundaries, evaluate edits and write the
        report (see :mod:`gankd_interfacegan.boundary_report`)."""
        from gankd_interfacegan.boundary_report import run_boundary_probe
        return run_boundary_probe(self, work_dir, **options)

    def load_boundary(self, path: str):
        """``(normal Tensor [1, d] or [1, L, d], meta dict)`` of a boundary
        file (official or HiGAN layout)."""
        normal, meta = load_boundary(path)
        return torch.from_numpy(np.asarray(normal, np.float32)), meta

    def project(self, primal: Tensor, conditions: Sequence[Tensor]
                ) -> Tensor:
        """``primal`` ``[1, d]`` minus its components along
        ``conditions``, unit norm (InterFaceGAN's conditional boundary)."""
        normal = project_boundary(np.asarray(primal, np.float64),
                                  *[np.asarray(c, np.float64)
                                    for c in conditions])
        return torch.from_numpy(np.asarray(normal, np.float32))

    @torch.inference_mode()
    def codes_for_seeds(self, seeds: Sequence[int], space: str) -> Tensor:
        """One code per seed (z drawn alone from that seed, renormalised
        as sampled): z, un-truncated w, or truncated wp as rendered."""
        z = torch.cat([self.sample_z(1, seed) for seed in seeds])
        if space == 'z':
            return z
        if space not in self.generator.latent_spaces:
            raise ProbeError(
                f"space '{space}': {type(self.generator).__name__} has "
                f"{', '.join(self.generator.latent_spaces)}")
        if space == 'w':
            return self.to_w(z)
        return self.to_wp(z, 'z').cpu()

    @torch.inference_mode()
    def to_w(self, z: Tensor) -> Tensor:
        """Un-truncated w ``[N, w_dim]`` (CPU) of z ``[N, z_dim]``, mapped in
        batches."""
        return torch.cat([
            self.generator.mapping(z[i:i + self.batch_size].to(
                self.device))['w'].cpu()
            for i in range(0, len(z), self.batch_size)])

    def edit(self, codes: Tensor, boundary: Tensor,
             strengths: Sequence[float], mode: str = 'relative',
             layers: Optional[Sequence[int]] = None,
             strength=None) -> Tensor:
        """Move ``codes`` ``[N, ...]`` along ``boundary``: ``[N, S, ...]``
        for the S distances ``strengths`` (see
        :func:`gankd_interfacegan.boundary_ops.edit_codes`)."""
        return edit_codes(codes, boundary, strengths, mode=mode,
                          layers=layers, strength=strength)

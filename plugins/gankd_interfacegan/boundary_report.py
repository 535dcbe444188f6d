"""``LinearBoundaryProbe.run``: InterFaceGAN's whole job for one generator.

Under ``work_dir`` it writes::

    samples.npz                      sampled codes and scores (reused)
    boundaries/<space>/<name>.npy    one unit normal per semantic, official
                                     layout [1, d] ([1, L, d] for wp)
    boundaries/<space>/<name>_c_<cond>[_<cond>].npy   conditional ones
    report.json, report.md           accuracies, cosines, edit figures
    score_vs_distance_<space>.png    mean scores along every boundary
    cosine_<space>.png               boundary cosine matrix
"""
import io
import json
import os
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from gankd.utils.checkpoint import atomic_write_bytes
from gankd_interfacegan.boundary_io import save_boundary
from gankd_interfacegan.boundary_ops import cosine_matrix, project_boundary
from gankd_interfacegan.edit_evaluation import (change_matrix, edit_scores,
                                                flip_rate, score_curves)
from gankd_interfacegan.errors import ProbeError
from gankd_interfacegan.plots import plot_heatmap, plot_score_curves
from gankd_interfacegan.report_markdown import boundary_report_markdown

__all__ = ['load_or_sample', 'conditional_name', 'condition_pairs',
           'evaluate_edits', 'write_json', 'run_boundary_probe']

DEFAULT_EVALUATION = dict(num_samples=500, seed=1,
                          distances=(-3, -2, -1, 0, 1, 2, 3), distance=3.0)


def write_json(obj, path: str) -> None:
    atomic_write_bytes(json.dumps(obj, indent=1).encode(), path)


def load_or_sample(probe, work_dir: str, num_samples: int, seed: int,
                   cache_key: str = '', progress: bool = True) -> dict:
    """Samples of ``probe.sample``, cached in ``work_dir/samples.npz`` and
    reused when number, seed, semantics and ``cache_key`` (the caller's
    digest of the model config) all match."""
    path = os.path.join(work_dir, 'samples.npz')
    key = json.dumps([int(num_samples), int(seed), list(probe.names),
                      cache_key])
    if os.path.isfile(path):
        with np.load(path, allow_pickle=False) as cached:
            if str(cached['key']) == key:
                print(f'probe: reusing {num_samples} samples from {path}')
                return {k: cached[k] for k in cached.files if k != 'key'}
    start = time.perf_counter()
    samples = probe.sample(num_samples, seed=seed, progress=progress)
    samples['seconds'] = np.array(time.perf_counter() - start)
    buffer = io.BytesIO()
    np.savez(buffer, key=np.array(key), **samples)
    atomic_write_bytes(buffer.getvalue(), path)
    return samples


def conditional_name(primal: str, conditions: Sequence[str]) -> str:
    """The official file stem: ``age_c_gender_eyeglasses``."""
    return f"{primal}_c_{'_'.join(conditions)}"


def condition_pairs(conditions) -> List[Tuple[str, List[str]]]:
    """``(primal, [conditions])`` pairs from a dict primal -> name(s) or a
    list of pairs (several per primal)."""
    pairs = conditions.items() if isinstance(conditions, dict) else \
        (conditions or [])
    return [(primal, [conds] if isinstance(conds, str) else list(conds))
            for primal, conds in pairs]


def _conditionals(normals: Dict[str, np.ndarray], pairs) -> dict:
    """name -> (normal, primal, conditions) of the conditional boundaries
    (names like ``age_c_hair_color``: names may hold underscores, so the
    pairs are kept rather than parsed back)."""
    out = {}
    for primal, conds in pairs:
        missing = [n for n in [primal] + conds if n not in normals]
        if missing:
            raise ProbeError(f'conditions: no boundary for {missing}; '
                             f"fitted: {', '.join(normals)}")
        out[conditional_name(primal, conds)] = (project_boundary(
            normals[primal], *[normals[c] for c in conds]), primal, conds)
    return out


def evaluate_edits(probe, space: str, normals: Dict[str, np.ndarray],
                   num_samples: int, seed: int, distances: Sequence[float],
                   distance: float, derived: Optional[dict] = None,
                   progress: bool = True) -> dict:
    """Edit figures of z or w boundaries on fresh codes (see
    :mod:`gankd_interfacegan.edit_evaluation`); ``derived`` maps each
    conditional boundary to its ``(primal, conditions)``."""
    derived = derived or {}
    names = list(probe.names)
    z = probe.sample_z(num_samples, seed)
    codes = z if space == 'z' else probe.to_w(z)
    boundaries = list(normals)
    directions = torch.from_numpy(np.concatenate(
        [np.asarray(normals[b], np.float32).reshape(1, -1)
         for b in boundaries]))
    result = edit_scores(probe, codes, space, directions, distances,
                         progress=progress)
    scores, steps = result['scores'], result['distances']
    owner = [derived[b][0] if b in derived else b for b in boundaries]
    own = [names.index(o) for o in owner]
    # Changes in units of each semantic's score spread over the codes, so
    # that logits, log-odds and values of different scales compare.
    zero = int(np.flatnonzero(np.isclose(steps, 0.0))[0])
    score_std = np.maximum(scores[0, zero].std(axis=0), 1e-12)
    change = change_matrix(scores, steps, distance) / score_std
    out = dict(boundaries=boundaries, distances=steps.tolist(),
               spread=result['spread'].tolist(),
               curves=score_curves(scores).tolist(),
               flip_rate=dict(zip(boundaries,
                                  flip_rate(scores, steps, own,
                                            distance).tolist())),
               score_std=score_std.tolist(), change=change.tolist())
    # Entanglement: how much each boundary moves the other semantics,
    # relative to its own (only the plain boundaries of scored semantics).
    plain = [b for b, name in enumerate(boundaries)
             if name in names and name not in derived]
    leak = [change[b, s] / max(change[b, own[b]], 1e-12)
            for b in plain for s in range(len(names)) if s != own[b]
            and names[s] in boundaries]
    out['relative_side_change'] = float(np.mean(leak)) if leak else None
    conditioning = {}
    for b, name in enumerate(boundaries):
        if name not in derived:
            continue
        primal = boundaries.index(derived[name][0])
        for cond in derived[name][1]:
            c = names.index(cond)
            conditioning[f'{name}:{cond}'] = dict(
                condition_change_primal=float(change[primal, c]),
                condition_change_conditional=float(change[b, c]),
                reduction=float(1 - change[b, c] /
                                max(change[primal, c], 1e-12)),
                own_change_kept=float(change[b, own[b]] /
                                      max(change[primal, own[b]], 1e-12)))
    out['conditioning'] = conditioning
    out['owners'] = owner
    return out


def _space_entry(probe, work_dir: str, space: str, samples: dict,
                 semantics, conditions, evaluation, progress: bool) -> dict:
    """Fit one space's boundaries, save them (and the conditional ones),
    and measure cosines and edits; the space's part of the report."""
    start = time.perf_counter()
    fits = probe.fit(samples, semantics, spaces=[space])[space]
    fit_seconds = time.perf_counter() - start
    folder = os.path.join(work_dir, 'boundaries', space)
    os.makedirs(folder, exist_ok=True)
    entry, derived = dict(fit_seconds=fit_seconds), {}
    if space == 'wp':  # one fit per layer: [1, L, d]
        normals = {n: np.stack([f.normal[0] for f in layer_fits])[None]
                   for n, layer_fits in fits.items()}
        entry['fits'] = {n: [f.to_dict() for f in layer_fits]
                         for n, layer_fits in fits.items()}
    else:
        normals = {n: f.normal for n, f in fits.items()}
        entry['fits'] = {n: f.to_dict() for n, f in fits.items()}
        conditional = _conditionals(normals,
                                    condition_pairs(conditions))
        normals.update({n: c[0] for n, c in conditional.items()})
        derived = {n: c[1:] for n, c in conditional.items()}
        entry['conditions'] = {n: dict(primal=p, conditions=c)
                               for n, (p, c) in derived.items()}
    for name, normal in normals.items():
        save_boundary(os.path.join(folder, f'{name}.npy'), normal)
    plain = [n for n in normals if n not in derived]
    if space != 'wp':
        cos = cosine_matrix(np.concatenate([normals[n] for n in plain]))
        entry['cosine'] = dict(names=plain, matrix=cos.tolist())
        off = np.abs(cos - np.diag(np.diag(cos)))
        entry['max_abs_cosine'] = float(off.max()) if len(plain) > 1 \
            else 0.0
        plot_heatmap(cos, plain, plain,
                     os.path.join(work_dir, f'cosine_{space}.png'),
                     title=f'boundary cosines ({space})')
        if evaluation:
            entry['evaluation'] = evaluate_edits(
                probe, space, normals, derived=derived,
                progress=progress, **evaluation)
            plot_score_curves(
                entry['evaluation']['curves'],
                entry['evaluation']['distances'], list(normals),
                probe.names, entry['evaluation']['owners'],
                os.path.join(work_dir, f'score_vs_distance_{space}.png'),
                title=f'mean scores along the {space} boundaries')
    return entry


def run_boundary_probe(probe, work_dir: str, num_samples: int = 10000,
                       seed: Optional[int] = None, semantics=None,
                       conditions: Optional[dict] = None,
                       evaluation: Optional[dict] = DEFAULT_EVALUATION,
                       cache_key: str = '', progress: bool = True) -> dict:
    """Sample, fit, save and evaluate; returns the report (also written as
    ``report.json``). ``conditions``: primal -> condition name(s), or a
    list of ``(primal, conditions)`` pairs.
    ``evaluation``: None skips the edit figures."""
    seed = probe.seed if seed is None else int(seed)
    if evaluation:
        evaluation = {**DEFAULT_EVALUATION, **evaluation}
        needed = {0.0, evaluation['distance'], -evaluation['distance']}
        if not needed <= {float(t) for t in evaluation['distances']}:
            raise ProbeError(
                f"evaluation.distances {list(evaluation['distances'])} must "
                f'include 0 and +-distance ({evaluation["distance"]:g})')
    os.makedirs(work_dir, exist_ok=True)
    samples = load_or_sample(probe, work_dir, num_samples, seed, cache_key,
                             progress)
    report = dict(num_samples=int(num_samples), seed=seed,
                  names=list(probe.names),
                  sampling_seconds=float(samples['seconds']), spaces={})
    for space in probe.spaces:
        report['spaces'][space] = _space_entry(
            probe, work_dir, space, samples, semantics, conditions,
            evaluation, progress)
    write_json(report, os.path.join(work_dir, 'report.json'))
    atomic_write_bytes(boundary_report_markdown(
        report, 'InterFaceGAN boundaries').encode(),
        os.path.join(work_dir, 'report.md'))
    return report

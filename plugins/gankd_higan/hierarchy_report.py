"""``LayerwiseSemanticProbe.run``: HiGAN's whole job for one generator.

Under ``work_dir`` it writes::

    samples.npz                    sampled codes and scores (reused)
    boundaries/w/<name>.npy        one w boundary per semantic [1, d]
    boundaries/higan/<name>.npy    the same in HiGAN's dict layout, with
                                   meta_data manipulate_layers (the chosen
                                   layers) and type (the level)
    rescoring.npz                  delta_pos / delta_mean / delta_abs [G, B, S]
    layer_heatmap.png              layer x semantic re-scoring heat map
    rescoring_matrix.png           boundary x semantic changes (all layers)
    report.json, report.md
"""
import io
import os
import time
from typing import Optional

import numpy as np

from gankd.utils.checkpoint import atomic_write_bytes
from gankd_higan.heatmap import plot_layer_heatmap
from gankd_higan.rescoring import rescore
from gankd_interfacegan.boundary_io import save_boundary
from gankd_interfacegan.boundary_report import load_or_sample, write_json
from gankd_interfacegan.plots import plot_heatmap
from gankd_interfacegan.report_markdown import table

__all__ = ['run_hierarchy_probe', 'hierarchy_markdown']

DEFAULT_RESCORING = dict(num_samples=2000, seed=2, chosen_num_samples=500)


def run_hierarchy_probe(probe, work_dir: str, num_samples: int = 10000,
                        seed: Optional[int] = None, semantics=None,
                        rescoring: Optional[dict] = None,
                        cache_key: str = '', progress: bool = True) -> dict:
    """Fit w boundaries, re-score them layer by layer, choose each
    semantic's layers; returns the report (also ``report.json``)."""
    seed = probe.seed if seed is None else int(seed)
    rescoring = {**DEFAULT_RESCORING, **(rescoring or {})}
    os.makedirs(work_dir, exist_ok=True)
    samples = load_or_sample(probe, work_dir, num_samples, seed, cache_key,
                             progress)
    start = time.perf_counter()
    fits = probe.fit(samples, semantics, spaces=['w'])['w']
    fit_seconds = time.perf_counter() - start
    normals = {name: fit.normal for name, fit in fits.items()}
    start = time.perf_counter()
    result = probe.rescore(normals, rescoring['num_samples'],
                           rescoring['seed'], progress=progress)
    rescore_seconds = time.perf_counter() - start
    buffer = io.BytesIO()
    np.savez(buffer, delta_pos=result['delta_pos'],
             delta_mean=result['delta_mean'], delta_abs=result['delta_abs'],
             names=np.array(result['names']),
             boundaries=np.array(result['boundaries']))
    atomic_write_bytes(buffer.getvalue(),
                       os.path.join(work_dir, 'rescoring.npz'))
    for name, normal in normals.items():
        save_boundary(os.path.join(work_dir, 'boundaries', 'w',
                                   f'{name}.npy'), normal)
        meta = dict(manipulate_layers=result['layers'][name],
                    type=probe.levels.get(name, ''), space='w')
        save_boundary(os.path.join(work_dir, 'boundaries', 'higan',
                                   f'{name}.npy'), normal, meta, fmt='higan')
    names = result['boundaries']
    # Scores of different semantics (logits, log-odds, values) have
    # different scales: changes are reported in units of each semantic's
    # score spread over the probe samples as well.
    all_spread = samples['scores'].std(axis=0, dtype=np.float64)  # [S]
    spread = all_spread[[list(probe.names).index(n) for n in names]]
    layerwise = np.asarray(result['layerwise']) / spread
    # Every semantic's change along every boundary (all layers): what a
    # boundary moves besides its own semantic.
    plot_heatmap(result['delta_abs'][0] / all_spread, names, result['names'],
                 os.path.join(work_dir, 'rescoring_matrix.png'),
                 title='mean |score change| along each boundary (rows)',
                 cbar_label='score change / score spread')
    start = time.perf_counter()
    chosen = chosen_layer_edits(
        probe, normals, result['layers'], all_spread,
        rescoring['chosen_num_samples'], rescoring['seed'] + 1)
    chosen_seconds = time.perf_counter() - start
    plot_layer_heatmap(layerwise, names,
                       os.path.join(work_dir, 'layer_heatmap.png'),
                       levels=probe.levels,
                       title='layer-wise re-scoring (own semantic)',
                       cbar_label='score change / score spread')
    report = dict(
        num_samples=int(num_samples), seed=seed, names=list(probe.names),
        sampling_seconds=float(samples['seconds']),
        fit_seconds=fit_seconds, rescore_seconds=rescore_seconds,
        rescoring=dict(num_samples=int(rescoring['num_samples']),
                       chosen_num_samples=int(
                           rescoring['chosen_num_samples']),
                       seed=rescoring['seed'], step=probe.step,
                       strength=[round(float(s), 6) for s in probe.strength],
                       groups=result['groups']),
        levels=probe.levels,
        fits={n: f.to_dict() for n, f in fits.items()},
        score_spread=dict(zip(names, spread.tolist())),
        global_change=dict(zip(names, map(float, result['global']))),
        global_change_in_spreads=dict(zip(
            names, (np.asarray(result['global']) / spread).tolist())),
        global_matrix=dict(boundaries=names, names=result['names'],
                           delta_pos=result['delta_pos'][0].tolist(),
                           delta_abs=result['delta_abs'][0].tolist()),
        layerwise=dict(zip(names, layerwise.T.tolist())),
        peak_layer={n: int(np.argmax(layerwise[:, b]))
                    for b, n in enumerate(names)},
        layers=result['layers'], chosen_layer_edits=chosen,
        chosen_seconds=chosen_seconds)
    write_json(report, os.path.join(work_dir, 'report.json'))
    atomic_write_bytes(hierarchy_markdown(report).encode(),
                       os.path.join(work_dir, 'report.md'))
    return report


def chosen_layer_edits(probe, normals: dict, layers: dict,
                       spread: np.ndarray, num_samples: int,
                       seed: int) -> dict:
    """Edits on each semantic's chosen layers against edits on all layers:
    mean |score change| of its own semantic and of the others (each in its
    score spread ``spread`` ``[S]``, over all scored semantics), on
    ``num_samples`` fresh codes pushed by the re-scoring step.

    Returns:
        dict name -> own_all, own_chosen, side_all, side_chosen (side: mean
        over the other semantics), for semantics with chosen layers.
    """
    # Both pushes on the same codes: a paired comparison (the re-scoring's
    # own all-layer row was measured on other codes).
    wp = probe.sample_wp(num_samples, seed)
    names = list(probe.names)
    out = {}
    for name, normal in normals.items():
        if not layers[name]:
            continue
        result = rescore(
            probe.generator, probe.predictor, wp, np.asarray(normal),
            step=probe.step, layer_groups=[layers[name]],
            strength=probe.strength, noise_mode=probe.noise_mode,
            batch_size=probe.batch_size)
        change = result['delta_abs'][:, 0] / spread  # [2 groups, S]
        own = names.index(name)
        others = [s for s in range(len(names)) if s != own]
        out[name] = dict(
            own_all=float(change[0, own]), own_chosen=float(change[1, own]),
            side_all=float(change[0, others].mean()),
            side_chosen=float(change[1, others].mean()))
    return out


def hierarchy_markdown(report: dict) -> str:
    """The report's tables: fits, global ranking, layer-wise changes."""
    names = list(report['layerwise'])
    levels = report['levels']
    num_layers = len(next(iter(report['layerwise'].values())))
    fit_rows = [[n, levels.get(n, ''), f['val_acc'], f['remaining_acc']]
                for n, f in report['fits'].items()]
    ranking = sorted(names,
                     key=lambda n: -report['global_change_in_spreads'][n])
    rank_rows = [[n, levels.get(n, ''), report['global_change'][n],
                  report['global_change_in_spreads'][n],
                  report['peak_layer'][n], report['layers'][n] or '—']
                 for n in ranking]
    layer_rows = [[f'layer {i}'] + [report['layerwise'][n][i]
                                    for n in names]
                  for i in range(num_layers)]
    cfg = report['rescoring']
    return '\n'.join([
        '# HiGAN layer-wise semantic hierarchy\n',
        f"{report['num_samples']} samples (seed {report['seed']}) for the "
        f"w boundaries; re-scoring on {cfg['num_samples']} fresh codes "
        f"(seed {cfg['seed']}), step {cfg['step']:g}, per-layer strength "
        f"{cfg['strength']}. Times: sampling "
        f"{report['sampling_seconds']:.1f} s, fitting "
        f"{report['fit_seconds']:.1f} s, re-scoring "
        f"{report['rescore_seconds']:.1f} s, chosen-layer edits "
        f"{report['chosen_seconds']:.1f} s.\n",
        '## Boundaries (w)\n',
        table(['semantic', 'level', 'val acc', 'remaining acc'], fit_rows),
        '\n## Re-scoring: global change and chosen layers\n',
        'Mean positive change of each semantic\'s score when codes move '
        'along its own boundary on all layers (raw, and in units of the '
        'score spread over the samples); peak layer and chosen layers from '
        'the layer-wise re-scoring.\n',
        table(['semantic', 'level', 'global change',
               'global change (spreads)', 'peak layer', 'chosen layers'],
              rank_rows),
        '\n## Edits on the chosen layers\n',
        f"Mean |score change| along each boundary on "
        f"{cfg['chosen_num_samples']} fresh codes, in score spreads: the "
        'semantic itself and the mean of the other semantics, with the '
        "push on all layers and on the semantic's chosen layers only.\n",
        table(['semantic', 'chosen layers', 'own (all)', 'own (chosen)',
               'others (all)', 'others (chosen)'],
              [[n, report['layers'][n], c['own_all'], c['own_chosen'],
                c['side_all'], c['side_chosen']]
               for n, c in report['chosen_layer_edits'].items()]),
        '\n## Layer-wise change (own semantic, in score spreads)\n',
        table(['layer'] + names, layer_rows), ''])

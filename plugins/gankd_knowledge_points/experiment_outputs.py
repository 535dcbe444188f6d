"""Outputs of a knowledge-points experiment (all written atomically):

* per (network, seed, layer), in its folder: ``images.json`` (per image:
  id, label, valid, and per checkpoint N_fg, N_bg, mean entropy, s_f^2,
  chosen iteration), ``metrics.json`` (the probe's summary of the valid
  images) and ``entropy_maps_epoch_<e>.png`` (rows: input | sigma map |
  knowledge points over the input, red = foreground, blue = background);
* ``summary.md`` / ``summary.json``: per network and layer the metrics
  (mean and spread over seeds), then each comparison (S vs B on common
  images) per seed with whether each hypothesis holds;
* ``curves_<layer>.png``: mean N_fg over the path length P(c).
"""
import json
import os
from typing import List

import numpy as np

from gankd.utils.checkpoint import atomic_write_bytes
from gankd.utils.figures import save_figure
from gankd.utils.images import save_png
from gankd_knowledge_points.entropy import GAUSSIAN_ENTROPY_OFFSET
from gankd_knowledge_points.knowledge_metrics import (baseline_entropy,
                                                      knowledge_points)

__all__ = ['write_outputs', 'HYPOTHESES']

#: metric, direction in which S beats B (paper), summary path
HYPOTHESES = [('N_fg', '>', 'table'), ('N_bg', '<', 'table'),
              ('lambda', '>', 'table'), ('D_mean', '<', 'speed'),
              ('D_std', '<', 'speed'), ('rho', '>', 'rho')]


def _json(obj, path: str) -> None:
    atomic_write_bytes(json.dumps(obj, indent=1, default=float).encode(),
                       path)


def _value(metrics, name: str, where: str):
    if metrics is None:
        return None
    if where == 'rho':
        return metrics['rho']['fg']
    if where == 'speed':
        return metrics.get('speed', {}).get(name)
    return metrics['table'][name]


def write_outputs(out_dir: str, results: List[dict], comparisons: List[dict],
                  images: dict, grid_images: int) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for r in results:
        _per_image(r, images)
        _json(dict(layer=r['layer'], epochs=r['epochs'],
                   kept=[images['indices'][i] for i in r['kept']],
                   metrics=r['metrics']),
              os.path.join(r['folder'], 'metrics.json'))
        _grids(r, images, grid_images)
    layers = sorted({r['layer'] for r in results})
    for layer in layers:
        _curves([r for r in results if r['layer'] == layer],
                os.path.join(out_dir, f'curves_{layer}.png'), layer)
    summary = _summary(results, comparisons)
    _json(summary, os.path.join(out_dir, 'summary.json'))
    atomic_write_bytes(_markdown(summary).encode(),
                       os.path.join(out_dir, 'summary.md'))


def _per_image(r: dict, images: dict) -> None:
    m = r['metrics']
    kept = {i: k for k, i in enumerate(r['kept'])}
    rows = []
    for i, index in enumerate(images['indices']):
        row = dict(index=index, label=images['labels'][i],
                   valid=bool(r['valid'][i]),
                   mean_entropy=[float(v) for v in
                                 r['entropy'][:, i].flatten(1).mean(1)],
                   sigma_f2=r['sigma_f2'][:, i].tolist(),
                   chosen_iter=r['chosen_iter'][:, i].tolist())
        if i in kept and m is not None:
            row['N_fg'] = [c[kept[i]] for c in m['per_image']['N_fg']]
            row['N_bg'] = [c[kept[i]] for c in m['per_image']['N_bg']]
        rows.append(row)
    _json(dict(layer=r['layer'], epochs=r['epochs'], images=rows),
          os.path.join(r['folder'], 'images.json'))


def _colour(values: np.ndarray) -> np.ndarray:
    from matplotlib import colormaps
    finite = np.isfinite(values)
    lo, hi = (values[finite].min(), values[finite].max()) if \
        finite.any() else (0, 1)
    scaled = np.where(finite, (values - lo) / max(hi - lo, 1e-12), 0)
    return (colormaps['viridis'](scaled)[..., :3] * 255).astype(np.uint8)


def _grids(r: dict, images: dict, count: int) -> None:
    """One PNG per checkpoint: a row per image (valid ones first)."""
    order = r['kept'] + [i for i in range(len(images['indices']))
                         if i not in r['kept']]
    order = order[:count]
    if not order:
        return
    probe = r['probe']
    base = baseline_entropy(r['entropy'][:, r['kept']],
                            r['fg'][r['kept']],
                            probe.points_cfg.baseline) if r['kept'] else None
    rgb = images['rgb']
    size = rgb.shape[1]
    scale = max(1, 96 // size)
    for m, epoch in enumerate(r['epochs']):
        rows = []
        for i in order:
            ent = r['entropy'][m, i].numpy()
            up = lambda a: np.kron(a, np.ones((size // a.shape[0],  # noqa
                                               size // a.shape[1])))
            sigma = np.exp(ent - GAUSSIAN_ENTROPY_OFFSET)
            overlay = rgb[i].astype(np.float32) * 0.5
            if base is not None and base.shape[1] == 1:
                points = knowledge_points(
                    r['entropy'][m:m + 1, i:i + 1], base[m:m + 1],
                    probe.points_cfg.threshold)[0, 0].numpy()
                fg = r['fg'][i].numpy()
                overlay[up((points & fg).astype(float)) > 0] = (255, 0, 0)
                overlay[up((points & ~fg).astype(float)) > 0] = (0, 0, 255)
            tiles = [rgb[i], _colour(up(sigma)), overlay.astype(np.uint8)]
            rows.append(np.concatenate(
                [np.pad(t, ((1, 1), (1, 1), (0, 0)), constant_values=255)
                 for t in tiles], 1))
        grid = np.concatenate(rows, 0)
        grid = np.kron(grid, np.ones((scale, scale, 1), np.uint8))
        save_png(grid, os.path.join(r['folder'],
                                    f'entropy_maps_epoch_{epoch}.png'))


def _curves(results: List[dict], path: str, layer: str) -> None:
    from matplotlib.figure import Figure
    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot()
    for r in results:
        m = r['metrics']
        if m is None or r['distances'] is None:
            continue
        x = [float(np.sum(r['distances'][:e])) for e in r['epochs']]
        ax.plot(x, m['N_fg'], marker='o',
                label=f"{r['name']} seed {r['seed']}")
    ax.set_xlabel('path length P(c) of the layer weights')
    ax.set_ylabel('mean N_fg')
    ax.set_title(f'foreground knowledge points, {layer}')
    if ax.lines:
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def _summary(results: List[dict], comparisons: List[dict]) -> dict:
    networks = {}
    for r in results:
        key = f"{r['name']}|{r['layer']}"
        entry = networks.setdefault(key, dict(network=r['name'],
                                              layer=r['layer'], seeds={}))
        entry['seeds'][r['seed']] = dict(
            images=len(r['kept']),
            **{name: _value(r['metrics'], name, where)
               for name, _, where in HYPOTHESES})
    pairs = []
    for c in comparisons:
        row = dict(pair=c['pair'], seed=c['seed'], layer=c['layer'],
                   images=len(c['images']))
        for name, sign, where in HYPOTHESES:
            a, b = (_value(c[k], name, where) for k in ('a', 'b'))
            holds = None
            if a is not None and b is not None and np.isfinite(
                    a) and np.isfinite(b):
                holds = 'tie' if a == b else (
                    'yes' if (a > b if sign == '>' else a < b) else 'no')
            row[name] = dict(a=a, b=b, holds=holds)
        pairs.append(row)
    return dict(networks=list(networks.values()), comparisons=pairs)


def _fmt(values) -> str:
    values = [v for v in values if v is not None and np.isfinite(v)]
    if not values:
        return '-'
    if len(values) == 1:
        return f'{values[0]:.3g}'
    return f'{np.mean(values):.3g} ± {np.std(values):.2g}'


def _markdown(summary: dict) -> str:
    names = [n for n, _, _ in HYPOTHESES]
    lines = ['# Knowledge points: summary', '',
             '## Per network and layer (own valid images; mean ± std over '
             'seeds)', '',
             '| network | layer | seeds | images | ' + ' | '.join(
                 n if n != 'rho' else 'rho_fg' for n in names) + ' |',
             '|' + '---|' * (4 + len(names))]
    for e in summary['networks']:
        seeds = e['seeds'].values()
        lines.append(
            f"| {e['network']} | {e['layer']} | {len(e['seeds'])} | "
            f"{sum(s['images'] for s in seeds)} | " +
            ' | '.join(_fmt([s[n] for s in seeds]) for n in names) + ' |')
    lines += ['', '## Comparisons on common images (a vs b; paper: a has '
              'higher N_fg, lambda, rho and lower N_bg, D_mean, D_std)', '',
              '| a | b | layer | seed | images | ' + ' | '.join(names) +
              ' |', '|' + '---|' * (5 + len(names))]
    for c in summary['comparisons']:
        cells = []
        for n in names:
            v = c[n]
            mark = v['holds'] or '-'
            cells.append(f"{_fmt([v['a']])} vs {_fmt([v['b']])} ({mark})")
        lines.append(f"| {c['pair'][0]} | {c['pair'][1]} | {c['layer']} | "
                     f"{c['seed']} | {c['images']} | " + ' | '.join(cells) +
                     ' |')
    return '\n'.join(lines) + '\n'

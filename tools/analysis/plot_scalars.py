"""Plot scalars an mmengine run logged (``vis_data/scalars.json``).

Usage::

    python tools/analysis/plot_scalars.py WORK_DIR_OR_SCALARS_JSON \
        --keys fid/synthfaces gen.loss --out curve.png [--title ...]

``WORK_DIR`` may be a run's work dir: the newest ``*/vis_data/scalars.json``
under it is used (resumed runs log into a new timestamp folder; all of them
are read and merged by step). One panel per key, against the iteration
(``step``). The PNG is written atomically.
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from gankd.errors import report_user_errors  # noqa: E402
from gankd.utils.figures import save_figure  # noqa: E402
from gankd.utils.output_paths import check_output_paths  # noqa: E402


def scalar_files(path: str) -> List[str]:
    """``path`` itself if it is a file, else every run's scalars.json under
    the work dir ``path``, oldest first."""
    if osp.isfile(path):
        return [path]
    files = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise SystemExit(f'error: no */vis_data/scalars.json under {path}; '
                         'give a work dir of an mmengine run or the file')
    return files


def read_series(files: List[str],
                keys: List[str]) -> Dict[str, List[Tuple[int, float]]]:
    """key -> sorted [(step, value)]; later files win on equal steps."""
    series: Dict[str, Dict[int, float]] = {key: {} for key in keys}
    for file in files:
        with open(file) as handle:
            for line in handle:
                record = json.loads(line)
                for key in keys:
                    if key in record:
                        series[key][int(record['step'])] = float(record[key])
    missing = [key for key, points in series.items() if not points]
    if missing:
        raise SystemExit(f'error: {missing} not logged in {files[-1]}')
    return {key: sorted(points.items()) for key, points in series.items()}


def plot(series: Dict[str, List[Tuple[int, float]]], out: str,
         title: str = '') -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(series), figsize=(4 * len(series), 3),
                             squeeze=False)
    for ax, (key, points) in zip(axes[0], series.items()):
        steps, values = zip(*points)
        ax.plot(steps, values, marker='o' if len(points) < 30 else None)
        ax.set_xlabel('iteration')
        ax.set_title(key)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, out)
    plt.close(fig)


@report_user_errors
def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('path', help='work dir or scalars.json')
    parser.add_argument('--keys', nargs='+', required=True)
    parser.add_argument('--out', required=True, help='PNG to write')
    parser.add_argument('--title', default='')
    args = parser.parse_args(argv)
    check_output_paths(files={'--out': args.out})
    series = read_series(scalar_files(args.path), args.keys)
    plot(series, args.out, args.title)
    for key, points in series.items():
        print(f'{key}: ' + ', '.join(f'{s}:{v:.4g}' for s, v in points))
    print(f'wrote {os.path.abspath(args.out)}')


if __name__ == '__main__':
    main()

"""Score a trained restorer on its config's test split: PSNR, SSIM and a
perceptual distance, with other references and against its own input.

Usage::

    python tools/analysis/evaluate_restoration.py CONFIG CHECKPOINT \\
        --name ented --out results.json \\
        [--references paired other_identity] [--zero-reference] \\
        [--inputs bicubic bilinear] [--num-samples N]

Rows (means over the test images; see ``gankd/apis/restoration_eval.py``):

* ``NAME`` / ``NAME (other_identity)`` ...: the restorer with each
  reference mode of ``ReferencePairDataset`` (the first is the config's
  own when ``paired`` is listed first);
* ``NAME (zeroed reference)``: the same weights built with
  ``--zero-option`` (default ``model.reference=zero``: ENTED's switch that
  zeroes the reference's textures and tokens);
* ``input (bicubic)`` ...: the degraded input upsampled back with that
  interpolation (the config's pipeline uses bilinear).

The perceptual distance uses the feature net of the config's perceptual
loss (``model.losses.perceptual.net``) unless ``--perceptual-net CONFIG
CHECKPOINT`` (a classifier, as ``ClassifierFeatures``) or ``none``.
``--out`` is a JSON file of rows; rows of other names already in it are
kept, so one file can collect several models; the table of all its rows
is printed.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from gankd.config import CfgOptionsAction, load_config  # noqa: E402
from gankd.errors import report_user_errors  # noqa: E402

METRICS = (('psnr', 'PSNR (dB)', '{:.2f}'), ('ssim', 'SSIM', '{:.4f}'),
           ('perceptual', 'perceptual dist.', '{:.4f}'))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?',
                        help='restorer checkpoint (omit with --inputs only)')
    parser.add_argument('--name', help='row name (default: config stem)')
    parser.add_argument('--references', nargs='*', default=['paired'],
                        choices=['paired', 'same_identity',
                                 'other_identity'])
    parser.add_argument('--zero-reference', action='store_true',
                        help='also score the weights with the reference '
                        'zeroed (--zero-option)')
    parser.add_argument('--zero-option', default='model.reference=zero',
                        help='KEY=VALUE that builds the restorer without '
                        'its reference')
    parser.add_argument('--inputs', nargs='*', default=[],
                        choices=['nearest', 'bilinear', 'bicubic', 'area',
                                 'lanczos'],
                        help='also score the degraded input, upsampled '
                        'back with these interpolations')
    parser.add_argument('--perceptual-net', nargs='+',
                        metavar='CONFIG [CHECKPOINT] | none')
    parser.add_argument('--num-samples', type=int,
                        help='first N test samples (default: all)')
    parser.add_argument('--batch-size', type=int, default=50)
    parser.add_argument('--out', required=True, help='JSON file of rows '
                        '(created, or updated by row name)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys (model and data)')
    return parser


def feature_net(cfg, option):
    """The perceptual distance's feature net, or None."""
    from gankd.registry import MODELS, scope_config_types
    if option and option[0] == 'none':
        return None
    if option:
        net = dict(type='ClassifierFeatures', config=option[0],
                   checkpoint=option[1] if len(option) > 1 else None)
    else:
        net = cfg.model.get('losses', {}).get('perceptual', {}).get('net')
        if net is None:
            return None
        net = net.to_dict() if hasattr(net, 'to_dict') else dict(net)
    return MODELS.build(scope_config_types(net)).eval()


def table(rows: list) -> str:
    """The rows as a markdown table."""
    lines = ['| row | ' + ' | '.join(m[1] for m in METRICS) + ' | images |',
             '|---|' + '---|' * (len(METRICS) + 1)]
    for row in rows:
        cells = [m[2].format(row[m[0]]) if m[0] in row else '-'
                 for m in METRICS]
        lines.append(f"| {row['name']} | " + ' | '.join(cells) +
                     f" | {row['n']} |")
    return '\n'.join(lines)


def _save(path: str, new_rows: list) -> list:
    from gankd.utils.checkpoint import atomic_write_bytes
    rows = []
    if osp.isfile(path):
        with open(path) as f:
            rows = json.load(f)['rows']
    names = {row['name'] for row in new_rows}
    rows = [row for row in rows if row['name'] not in names] + new_rows
    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    atomic_write_bytes(json.dumps(dict(rows=rows), indent=2).encode(), path)
    return rows


@report_user_errors
def main(argv=None) -> list:
    from gankd.apis.restoration_eval import (RestorationEvalError,
                                             evaluate_input,
                                             evaluate_restorer)
    from gankd.apis.restore import load_restorer
    args = build_parser().parse_args(argv)
    if args.checkpoint is None and not args.inputs:
        raise RestorationEvalError('give a CHECKPOINT, or --inputs to score '
                                   'the degraded input only')
    cfg = load_config(args.config, args.cfg_options)
    net = feature_net(cfg, args.perceptual_net)
    name = args.name or osp.splitext(osp.basename(args.config))[0]
    common = dict(feature_net=net, batch_size=args.batch_size,
                  num_samples=args.num_samples)
    rows = []

    def add(row_name, scores, **extra):
        rows.append(dict(name=row_name, **scores, **extra))
        print(table(rows[-1:]).splitlines()[-1], flush=True)

    if args.checkpoint is not None:
        restorer, _ = load_restorer(args.config, args.checkpoint,
                                    args.cfg_options)
        for mode in args.references:
            label = name if mode == 'paired' else f'{name} ({mode})'
            add(label, evaluate_restorer(restorer, cfg, mode, **common),
                checkpoint=args.checkpoint, reference=mode)
        if args.zero_reference:
            key, _, value = args.zero_option.partition('=')
            options = dict(args.cfg_options or {}, **{key: value})
            zeroed, _ = load_restorer(args.config, args.checkpoint, options)
            add(f'{name} (zeroed reference)',
                evaluate_restorer(zeroed, cfg, args.references[0]
                                  if args.references else None, **common),
                checkpoint=args.checkpoint, reference='zero')
    for interpolation in args.inputs:
        add(f'input ({interpolation})',
            evaluate_input(cfg, interpolation, **common))
    all_rows = _save(args.out, rows)
    print(table(all_rows))
    return rows


if __name__ == '__main__':
    main()

"""``report.md``: the tables of a boundary probe's ``report.json``."""
from typing import List, Sequence

__all__ = ['table', 'boundary_report_markdown']


def table(header: Sequence[str], rows: List[Sequence]) -> str:
    """A markdown table; floats get 3 decimals, None a dash."""
    def cell(value):
        if value is None:
            return '—'
        return f'{value:.3f}' if isinstance(value, float) else str(value)
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(cell(v) for v in row) + ' |' for row in rows]
    return '\n'.join(lines)


def _fits(report: dict) -> str:
    spaces = report['spaces']
    header, names = ['semantic'], report['names']
    for space in spaces:
        header += ([f'{space} val (layer mean)'] if space == 'wp' else
                   [f'{space} val', f'{space} remaining'])
    rows = []
    for name in names:
        row = [name]
        for space, entry in spaces.items():
            fit = entry['fits'].get(name)
            if fit is None:
                row += [None] if space == 'wp' else [None, None]
            elif space == 'wp':
                row.append(sum(f['val_acc'] for f in fit) / len(fit))
            else:
                row += [fit['val_acc'], fit['remaining_acc']]
        rows.append(row)
    any_fit = next(iter(next(iter(spaces.values()))['fits'].values()))
    any_fit = any_fit[0] if isinstance(any_fit, list) else any_fit
    return (f"SVM accuracy: validation = held-out 30 % of the top and bottom "
            f"{any_fit['num_pos']} samples per side; remaining = the other "
            f"{any_fit['num_remaining']} samples, labelled by the score "
            f"midpoint.\n\n" + table(header, rows))


def _edits(report: dict) -> str:
    evaluated = {s: e['evaluation'] for s, e in report['spaces'].items()
                 if 'evaluation' in e}
    if not evaluated:
        return ''
    first = next(iter(evaluated.values()))
    distance = max(first['distances'])
    boundaries = first['boundaries']
    rows = [[b] + [ev['flip_rate'].get(b) for ev in evaluated.values()]
            for b in boundaries]
    out = [f'## Edits\n\nFlip rate: share of codes whose predicted attribute '
           f'(score > 0) flips when moved {distance:g} spreads towards the '
           f'other side of its boundary.\n',
           table(['boundary'] + [f'flip {s}' for s in evaluated], rows)]
    summary = [[s, report['spaces'][s].get('max_abs_cosine'),
                ev['relative_side_change']] for s, ev in evaluated.items()]
    out += ['\nEntanglement: largest |cosine| between two boundaries, and '
            'the mean change of the other semantics relative to the '
            "boundary's own semantic (changes in score spreads).\n",
            table(['space', 'max |cos|', 'relative side change'], summary)]
    cond_rows = [[space, key.split(':')[0], key.split(':')[1],
                  c['condition_change_primal'],
                  c['condition_change_conditional'], c['reduction'],
                  c['own_change_kept']]
                 for space, ev in evaluated.items()
                 for key, c in ev['conditioning'].items()]
    if cond_rows:
        out += ['\nConditioning: change of the condition (in its score '
                'spreads) along the primal and along the conditional '
                'boundary.\n',
                table(['space', 'conditional boundary', 'condition',
                       'change (primal)', 'change (conditional)',
                       'reduction', 'own change kept'], cond_rows)]
    return '\n'.join(out)


def _cosines(report: dict) -> str:
    out = []
    for space, entry in report['spaces'].items():
        if 'cosine' not in entry:
            continue
        names = entry['cosine']['names']
        rows = [[n] + list(r) for n, r in zip(names,
                                              entry['cosine']['matrix'])]
        out += [f'\nBoundary cosines in {space}:\n',
                table([''] + names, rows)]
    return '\n'.join(out)


def boundary_report_markdown(report: dict, title: str) -> str:
    """The report as markdown (fits, edits, cosines)."""
    parts = [f'# {title}\n',
             f"{report['num_samples']} samples (seed {report['seed']}), "
             f"sampled and scored in {report['sampling_seconds']:.1f} s.\n",
             '## Boundaries\n', _fits(report), '', _edits(report),
             _cosines(report)]
    return '\n'.join(p for p in parts if p is not None) + '\n'

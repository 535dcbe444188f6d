"""What ``gankd restore`` writes: ``restored/<name>.png``, the per-image
``records.csv`` (rewritten whole, atomically, after every batch) and the
``settings.json`` a re-run is checked against before it resumes."""
import csv
import io
import json
import os
from typing import Dict, List

from gankd.errors import UserError
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['COLUMNS', 'RestoreOutputError', 'read_records', 'write_records',
           'prepare_output']

COLUMNS = ('name', 'degraded', 'reference', 'psnr', 'ssim', 'seconds')
RECORDS, SETTINGS = 'records.csv', 'settings.json'


class RestoreOutputError(UserError):
    """``--out`` holds results made with other settings."""


def read_records(out_dir: str) -> Dict[str, dict]:
    """``records.csv`` as ``{name: row}`` (empty when absent)."""
    path = os.path.join(out_dir, RECORDS)
    if not os.path.isfile(path):
        return {}
    with open(path, newline='') as file:
        return {row['name']: row for row in csv.DictReader(file)}


def write_records(out_dir: str, rows: Dict[str, dict]) -> None:
    """All rows, sorted by name, replacing the file atomically."""
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows[name] for name in sorted(rows))
    atomic_write_bytes(text.getvalue().encode(),
                       os.path.join(out_dir, RECORDS))


def prepare_output(out_dir: str, settings: dict, force: bool) -> List[str]:
    """Record ``settings`` (plain JSON data) in ``out_dir``; resume when
    they equal the recorded ones. Results made with other (or unknown)
    settings are refused, or removed with ``force``.

    Returns:
        the names whose results were removed.
    """
    settings = json.loads(json.dumps(settings, sort_keys=True, default=str))
    path = os.path.join(out_dir, SETTINGS)
    names = sorted(read_records(out_dir))
    recorded = None
    if os.path.isfile(path):
        try:
            with open(path) as file:
                recorded = json.load(file)
        except ValueError:
            recorded = None
    stale = bool(names) and recorded != settings
    if stale and not force:
        what = [key for key in sorted(set(settings) | set(recorded or {}))
                if (recorded or {}).get(key) != settings.get(key)]
        raise RestoreOutputError(
            f"--out {out_dir}: holds {len(names)} results made with other "
            f"settings ({', '.join(what)} differ); give --force to replace "
            'them, or another --out')
    removed = names if stale else []
    for name in removed:
        png = os.path.join(out_dir, 'restored', f'{name}.png')
        if os.path.isfile(png):
            os.remove(png)
    if removed:
        os.remove(os.path.join(out_dir, RECORDS))
    if recorded != settings:
        atomic_write_bytes(
            (json.dumps(settings, indent=1, sort_keys=True) + '\n').encode(),
            path)
    return removed

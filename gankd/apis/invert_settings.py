"""The settings a ``gankd invert`` output folder was made with, recorded in
its ``settings.json`` so that a re-run resumes only when it would give the
same results.

Recorded and compared (:func:`run_settings`): the merged model config
(after ``--cfg-options`` and ``--num-iters``; the inverter's seed and every
option live there), the task, the degradation config (a mask file by the
sha256 of its content, so a moved file is the same mask), whether inputs
are degraded first (``--degrade``) and the generator's identity (class,
resolution, a hash of its weights). The config path is recorded for the
reader but not compared: the same model from another file gives the same
results. Batch size and device are not settings (a batch gives what single
runs give).

:func:`prepare_output` applies the rule: a folder without results takes
the new settings; one whose settings match resumes; one whose settings
differ, or that holds results without settings (an earlier gankd), is
refused with one line naming what differs, unless ``--force``, which
removes the earlier results and records the new settings.
"""
import json
import os
from typing import Any, List, Optional, Tuple

from gankd.apis.invert_outputs import read_rows
from gankd.errors import UserError
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['SETTINGS_FILE', 'OutputSettingsError', 'run_settings',
           'differences', 'prepare_output']

SETTINGS_FILE = 'settings.json'
#: recorded for the reader, not compared
NOT_COMPARED = ('config', )
#: the files one image's results consist of (besides its metrics row)
RESULT_FILES = ('codes/{}.pt', 'restored/{}.png', 'reconstruction/{}.png')


class OutputSettingsError(UserError):
    """``--out`` holds results of other (or unknown) settings."""


def _plain(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples become lists), so recorded
    and new settings compare equal when they are."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def run_settings(config: str, model_cfg: dict, task: str,
                 degradation_cfg: Optional[dict], degrade: bool,
                 generator_identity: dict) -> dict:
    """The settings of a run, as plain JSON data (see the module
    docstring)."""
    from gankd.utils.model_index import sha256sum
    degradation = dict(degradation_cfg or {})
    mask = degradation.get('mask')
    if isinstance(mask, str) and os.path.isfile(mask):
        degradation['mask'] = f'sha256:{sha256sum(mask)}'
    return _plain(dict(config=config, model=model_cfg, task=task,
                       degradation=degradation, degrade=bool(degrade),
                       generator=generator_identity))


def _show(value: Any) -> str:
    text = 'absent' if value is None else repr(value)
    return text if len(text) <= 40 else text[:37] + '...'


def differences(old: Any, new: Any, field: str = '') -> List[str]:
    """``'field: old -> new'`` for each leaf that differs (dicts are
    compared key by key, anything else whole)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [line for key in sorted(set(old) | set(new))
                for line in differences(old.get(key), new.get(key),
                                        f'{field}.{key}' if field else key)]
    return [] if old == new else [f'{field}: {_show(old)} -> {_show(new)}']


def _earlier_results(out_dir: str) -> List[str]:
    """Names of the images with results in ``out_dir`` (a metrics row or
    a codes file)."""
    names = set(read_rows(os.path.join(out_dir, 'metrics.csv')))
    codes = os.path.join(out_dir, 'codes')
    if os.path.isdir(codes):
        names.update(name[:-3] for name in os.listdir(codes)
                     if name.endswith('.pt'))
    return sorted(names)


def _remove_results(out_dir: str, names: List[str]) -> None:
    """Only the files this command writes for those images, and the
    table: anything else in the folder stays."""
    if not names:
        return
    for name in names:
        for pattern in RESULT_FILES:
            path = os.path.join(out_dir, pattern.format(name))
            if os.path.isfile(path):
                os.remove(path)
    table = os.path.join(out_dir, 'metrics.csv')
    if os.path.isfile(table):
        os.remove(table)


def _recorded(path: str) -> Tuple[Optional[dict], Optional[str]]:
    """``(settings, None)``, or ``(None, why they are unknown)``."""
    if not os.path.isfile(path):
        return None, f'no {SETTINGS_FILE} (made by an earlier gankd invert?)'
    try:
        with open(path) as file:
            recorded = json.load(file)
    except (OSError, ValueError) as error:
        return None, (f'{SETTINGS_FILE} is not readable JSON '
                      f'({type(error).__name__})')
    if not isinstance(recorded, dict):
        return None, f'{SETTINGS_FILE} holds no settings'
    return recorded, None


def prepare_output(out_dir: str, settings: dict,
                   force: bool = False) -> List[str]:
    """Check ``out_dir`` against ``settings`` before anything is inverted,
    and record them (atomically) when the folder takes them.

    Returns:
        The names whose earlier results ``force`` removed (their settings
        differed or were unknown); empty otherwise.

    Raises:
        OutputSettingsError: the folder holds results of other or unknown
            settings and ``force`` is not set; one line naming the
            differing fields and the fix.
    """
    path = os.path.join(out_dir, SETTINGS_FILE)
    names = _earlier_results(out_dir)
    recorded, unknown = _recorded(path) if names else (None, None)
    problem = None
    if unknown:
        images = f"{len(names)} image{'s' if len(names) > 1 else ''}"
        problem = (f'holds results of {images} but {unknown}, so they '
                   'cannot be checked against these settings')
    elif names:
        lines = differences(
            {k: v for k, v in recorded.items() if k not in NOT_COMPARED},
            {k: v for k, v in settings.items() if k not in NOT_COMPARED})
        shown = '; '.join(lines[:3]) + (
            f'; and {len(lines) - 3} more' if len(lines) > 3 else '')
        if lines:
            problem = f'holds results made with other settings ({shown})'
    if problem and not force:
        raise OutputSettingsError(
            f'--out {out_dir}: {problem}; give --force to replace them with '
            'results of these settings, or another --out')
    removed = names if problem else []
    _remove_results(out_dir, removed)
    if force or recorded != settings:
        data = json.dumps(settings, indent=1, sort_keys=True) + '\n'
        atomic_write_bytes(data.encode(), path)
    return removed

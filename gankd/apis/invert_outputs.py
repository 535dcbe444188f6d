"""What ``gankd invert`` writes per image: its codes file, its metrics
and the ``metrics.csv`` table (rewritten whole, atomically)."""
from __future__ import annotations

import csv
import io
import os
from typing import TYPE_CHECKING, Dict, Tuple

if TYPE_CHECKING:  # annotations only: imported where used
    import numpy as np
    import torch

__all__ = ['COLUMNS', 'read_rows', 'write_rows', 'image_slice',
           'save_image_codes', 'image_metrics']

COLUMNS = ('name', 'task', 'psnr', 'ssim', 'loss', 'num_iters', 'seconds')
#: result entries that are not method extras
NOT_EXTRAS = ('codes', 'space', 'image', 'restored', 'loss', 'history')


def read_rows(path: str) -> Dict[str, dict]:
    """``metrics.csv`` as ``{name: row}`` (empty when absent)."""
    if not os.path.isfile(path):
        return {}
    with open(path, newline='') as file:
        return {row['name']: row for row in csv.DictReader(file)}


def write_rows(path: str, rows: Dict[str, dict]) -> None:
    """All rows, sorted by name, replacing the file atomically."""
    from gankd.utils.checkpoint import atomic_write_bytes
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows[name] for name in sorted(rows))
    atomic_write_bytes(text.getvalue().encode(), path)


def image_slice(value, i: int, batch: int):
    """Image ``i``'s part of a batch result entry: batch-first tensors
    become ``[1, ...]`` (on the CPU), lists and dicts (e.g. ``records``)
    are sliced inside, anything else is shared by the batch."""
    import torch
    if torch.is_tensor(value):
        return value[i:i + 1].cpu() if value.dim() and len(value) == batch \
            else value.cpu()
    if isinstance(value, (list, tuple)):
        return type(value)(image_slice(v, i, batch) for v in value)
    if isinstance(value, dict):
        return {k: image_slice(v, i, batch) for k, v in value.items()}
    return value


def save_image_codes(path: str, result: dict, i: int, info: dict) -> None:
    """Image ``i`` of an inverter's batch result as a ``.pt`` dict:
    ``codes [1, ...]``, ``space``, ``history [T]`` (its loss per
    iteration), ``info`` (the inverter's decoding info, the generator's
    identity, task, ...) and the method's
    extras (``alpha``, ``shared``, ``layer``, ...), sliced per image."""
    import torch

    from gankd.utils.checkpoint import atomic_write_bytes
    batch = len(result['codes'])
    extras = {key: image_slice(value, i, batch)
              for key, value in result.items() if key not in NOT_EXTRAS}
    history = result.get('history')
    if history is not None:
        extras['history'] = history[:, i].detach().cpu()
    buffer = io.BytesIO()
    torch.save(dict(codes=result['codes'][i:i + 1].detach().cpu(),
                    space=result['space'], **info, **extras), buffer)
    atomic_write_bytes(buffer.getvalue(), path)


def image_metrics(output: torch.Tensor,
                  target: torch.Tensor) -> Tuple[np.ndarray, np.ndarray]:
    """PSNR and SSIM ``[B]`` of two ``[-1, 1]`` batches, compared as the
    8-bit images the tool writes and reads; SSIM is nan for images below
    its 7x7 window (small super-resolution observations)."""
    import numpy as np

    from gankd.evaluation.image_quality import psnr, ssim
    from gankd.utils.images import to_uint8
    a, b = to_uint8(output.detach().cpu()), to_uint8(target.detach().cpu())
    if min(a.shape[-2:]) < 7:
        return psnr(a, b), np.full(len(a), np.nan)
    return psnr(a, b), ssim(a, b)

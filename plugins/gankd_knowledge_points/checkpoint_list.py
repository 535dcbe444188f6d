"""The checkpoint list C and the files that hold it."""
import os
import re
from typing import List, Sequence

from gankd_knowledge_points.errors import KnowledgePointsError

__all__ = ['OFFICIAL_EPOCHS', 'checkpoint_paths']

#: C of the official code for 150-epoch runs (spec §2.1).
OFFICIAL_EPOCHS = (0, 2, 5, 10, 15, 20, 25, 30, 40, 50, 70, 90, 110, 130,
                   150)


def checkpoint_paths(folder: str, epochs: Sequence[int],
                     filename_tmpl: str = 'snapshot_epoch_{}.pth'
                     ) -> List[str]:
    """The file of each epoch in ``epochs``, in that order.

    Raises:
        KnowledgePointsError: epochs not strictly increasing, or files
            missing; the message names the missing epochs and the epochs
            found in ``folder``.
    """
    epochs = [int(e) for e in epochs]
    if not epochs or any(b <= a for a, b in zip(epochs, epochs[1:])) \
            or epochs[0] < 0:
        raise KnowledgePointsError(
            f'checkpoint epochs must be increasing and >= 0, got {epochs}')
    paths = [os.path.join(folder, filename_tmpl.format(e)) for e in epochs]
    missing = [e for e, p in zip(epochs, paths) if not os.path.isfile(p)]
    if missing:
        pattern = re.escape(filename_tmpl).replace(r'\{\}', r'(\d+)')
        found = sorted(
            int(m.group(1)) for name in (
                os.listdir(folder) if os.path.isdir(folder) else [])
            for m in [re.fullmatch(pattern, name)] if m)
        raise KnowledgePointsError(
            f'{folder}: no {filename_tmpl.format("<epoch>")} for epochs '
            f'{missing} of the checkpoint list; found epochs '
            f'{found or "none"}. Train with CheckpointAtEpochsHook on this '
            'list or analyse the epochs that exist.')
    return paths

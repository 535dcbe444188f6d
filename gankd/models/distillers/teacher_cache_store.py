"""The files of a teacher cache: one memory-mapped ``.npy`` per recorded
output (one row per cache key) and a JSON manifest naming the key they were
computed for.

Layout of the cache folder::

    manifest.json      format, key (see cache_key), rows, files, complete
    out<k>_<j>.npy     leaf j of output k: [rows, *shape], the cache dtype
    out<k>.filled.npy  uint8 [rows]: 1 once row r of every leaf is on disk
    .lock              flock: shared while in use, exclusive to rebuild

Rows are written in place through the memory map; their ``filled`` flags
are published only by :meth:`TeacherCacheStore.sync`, after the data pages
were flushed, so a process killed mid-epoch leaves rows unflagged (they are
computed again), never flagged and unwritten. Processes writing the same
cache (DDP ranks) write disjoint bytes: their own rows and their own flags.
"""
import fcntl
import glob
import json
import os
from typing import Dict, List, Optional

import numpy as np

from gankd.models.distillers.cache_key import TeacherCacheError, plain_json
from gankd.utils.checkpoint import atomic_write_bytes

__all__ = ['TeacherCacheStore', 'FORMAT', 'MANIFEST']

FORMAT = 1
MANIFEST = 'manifest.json'
LOCK = '.lock'

# Key part -> what a user calls it, for the one line saying why.
PART_NAMES = {
    'teacher': 'teacher config', 'teacher_weights': 'teacher weights',
    'layers': 'recorded layers', 'pipeline': 'data pipeline',
    'augmentation': 'augmentation key', 'preprocessor': 'data preprocessor',
    'dataset': 'dataset', 'dtype': 'dtype', 'rows': 'number of rows',
    'format': 'cache format', 'files': 'cache files'}


class TeacherCacheStore:
    """Open (and if needed rebuild) the cache in ``directory`` for ``key``.

    Args:
        directory (str): The cache folder (created).
        key (dict): JSON data identifying what the rows hold; must have
            ``dtype`` (``'float32'``/``'float16'``) and ``layers``: name ->
            ``dict(shapes=[[...], ...], ...)``, one shape per leaf.
        rows (int): Number of cache keys (samples x augmentation variants).
        on_mismatch (str): ``'rebuild'`` (default) replaces a cache built
            for another key; ``'error'`` refuses with one line naming what
            differs.
        create (bool): Whether this process may build the files (rank 0 or
            a single process); others require a matching cache.

    Attributes:
        rebuilt_because (list[str] | None): The key parts that differed
            when the cache was (re)built by this call (``['absent']`` for a
            new one); None when an existing cache was opened.
    """

    def __init__(self, directory: str, key: dict, rows: int,
                 on_mismatch: str = 'rebuild', create: bool = True) -> None:
        self.directory = directory
        self.key = plain_json(key)
        self.rows = int(rows)
        self.dtype = np.dtype(self.key['dtype'])
        self.create = create
        self.rebuilt_because: Optional[List[str]] = None
        os.makedirs(directory, exist_ok=True)
        self._lock = open(os.path.join(directory, LOCK), 'a+')
        fcntl.flock(self._lock, fcntl.LOCK_SH)
        try:
            manifest = self._read_manifest()
            differ = self._differences(manifest)
            if differ:
                self._refuse_or_rebuild(manifest, differ, on_mismatch)
                manifest = self._read_manifest()
            self.manifest = manifest
            self._open_files()
        except BaseException:
            self._unlock()
            raise

    # -- opening ------------------------------------------------------------

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.directory, MANIFEST)

    def _read_manifest(self) -> Optional[dict]:
        try:
            with open(self.manifest_path) as file:
                return json.load(file)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise TeacherCacheError(
                f'teacher cache manifest {self.manifest_path} is unreadable '
                f'({error}); delete the folder or rebuild it.') from error

    def _layout(self) -> Dict[str, dict]:
        """name -> files of its leaves and of its flags, names sorted."""
        files = {}
        for k, name in enumerate(sorted(self.key['layers'])):
            shapes = self.key['layers'][name]['shapes']
            files[name] = dict(
                leaves=[f'out{k}_{j}.npy' for j in range(len(shapes))],
                filled=f'out{k}.filled.npy')
        return files

    def _differences(self, manifest: Optional[dict]) -> List[str]:
        if manifest is None:
            return ['absent']
        if manifest.get('format') != FORMAT:
            return ['format']
        old = manifest.get('key', {})
        differ = sorted(part for part in set(old) | set(self.key)
                        if old.get(part) != self.key.get(part))
        if manifest.get('rows') != self.rows:
            differ.append('rows')
        if not differ and not self._files_fit(manifest):
            differ.append('files')
        return differ

    def _files_fit(self, manifest: dict) -> bool:
        if manifest.get('files') != self._layout():
            return False
        for name, files in manifest['files'].items():
            shapes = self.key['layers'][name]['shapes']
            expected = [((self.rows, *shape), self.dtype)
                        for shape in shapes]
            expected.append(((self.rows, ), np.dtype(np.uint8)))
            for path, (shape, dtype) in zip(
                    files['leaves'] + [files['filled']], expected):
                try:
                    array = np.load(os.path.join(self.directory, path),
                                    mmap_mode='r')
                except (OSError, ValueError):
                    return False
                if array.shape != shape or array.dtype != dtype:
                    return False
        return True

    def _refuse_or_rebuild(self, manifest, differ: List[str],
                           on_mismatch: str) -> None:
        what = ', '.join(PART_NAMES.get(p, p) for p in differ)
        if manifest is not None and on_mismatch == 'error':
            raise TeacherCacheError(
                f'teacher cache {self.directory} was built for another '
                f'{what}; rebuild it (model.teacher_cache.on_mismatch='
                "'rebuild', or gankd build-teacher-cache --rebuild) or "
                'use another model.teacher_cache.dir.')
        if not self.create:
            raise TeacherCacheError(
                f'teacher cache {self.directory} does not match this run '
                f'({what}) after the first process built it; another run '
                'may be using the folder: give each run its own '
                'model.teacher_cache.dir.')
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TeacherCacheError(
                f'teacher cache {self.directory} is in use by another '
                f'process and holds another {what}; wait for it to finish '
                'or use another model.teacher_cache.dir.') from None
        try:
            self._rebuild()
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_SH)
        self.rebuilt_because = differ

    def _rebuild(self) -> None:
        # The manifest goes first: a crash from here on leaves a folder
        # without one, which the next open rebuilds.
        if os.path.exists(self.manifest_path):
            os.unlink(self.manifest_path)
        for path in glob.glob(os.path.join(self.directory, 'out*.npy')):
            os.unlink(path)
        layout = self._layout()
        for name, files in layout.items():
            shapes = self.key['layers'][name]['shapes']
            for path, shape in zip(files['leaves'], shapes):
                # Sparse on Linux: only rows written take disk space.
                np.lib.format.open_memmap(
                    os.path.join(self.directory, path), mode='w+',
                    dtype=self.dtype, shape=(self.rows, *shape))
            np.lib.format.open_memmap(
                os.path.join(self.directory, files['filled']), mode='w+',
                dtype=np.uint8, shape=(self.rows, ))
        self._write_manifest(dict(format=FORMAT, key=self.key, rows=self.rows,
                                  files=layout,
                                  complete={name: False for name in layout}))

    def _write_manifest(self, manifest: dict) -> None:
        atomic_write_bytes(json.dumps(manifest, indent=1, sort_keys=True)
                           .encode(), self.manifest_path)

    def _open_files(self) -> None:
        def load(path):
            return np.load(os.path.join(self.directory, path), mmap_mode='r+')

        self._leaves, self._flags, self._known, self._pending = {}, {}, {}, {}
        for name, files in self.manifest['files'].items():
            self._leaves[name] = [load(p) for p in files['leaves']]
            self._flags[name] = load(files['filled'])
            self._known[name] = np.asarray(self._flags[name]).astype(bool)
            self._pending[name] = []

    @property
    def state(self) -> str:
        """``'reused'``, ``'new'`` or ``'rebuilt (<what> changed)'``."""
        if self.rebuilt_because is None:
            return 'reused'
        if self.rebuilt_because == ['absent']:
            return 'new'
        return 'rebuilt ({} changed)'.format(', '.join(
            PART_NAMES.get(p, p) for p in self.rebuilt_because))

    # -- rows ---------------------------------------------------------------

    @property
    def names(self) -> List[str]:
        return sorted(self._leaves)

    def known(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Whether each of ``rows`` of ``name`` holds a stored output
        (flagged on disk, or written by this process)."""
        return self._known[name][rows]

    def read(self, name: str, rows: np.ndarray) -> List[np.ndarray]:
        """Copies of ``rows`` of each leaf of ``name``: ``[len(rows), *shape]``
        in the cache dtype. Only rows :meth:`known` says are filled."""
        return [leaf[rows] for leaf in self._leaves[name]]

    def write(self, name: str, rows: np.ndarray,
              leaves: List[np.ndarray]) -> None:
        """Store ``leaves`` (``[len(rows), *shape]`` each, the cache dtype)
        in ``rows``; flagged on disk at the next :meth:`sync`."""
        for leaf, values in zip(self._leaves[name], leaves):
            leaf[rows] = values
        self._known[name][rows] = True
        self._pending[name].append(np.asarray(rows))

    def publish(self) -> None:
        """Flush the rows this process wrote, then flag them on disk."""
        for name, pending in self._pending.items():
            if pending:
                for leaf in self._leaves[name]:
                    leaf.flush()
                self._flags[name][np.concatenate(pending)] = 1
                self._flags[name].flush()
                self._pending[name] = []

    def refresh(self) -> None:
        """Pick up the rows other processes flagged; the creating process
        marks outputs whose rows are all filled as complete in the
        manifest."""
        for name, flags in self._flags.items():
            self._known[name] |= np.asarray(flags).astype(bool)
        if self.create:
            complete = {name: bool(self._known[name].all())
                        for name in self._known}
            if complete != self.manifest['complete']:
                self.manifest = dict(self.manifest, complete=complete)
                self._write_manifest(self.manifest)

    def sync(self) -> None:
        """:meth:`publish`, then :meth:`refresh`."""
        self.publish()
        self.refresh()

    def filled_fraction(self, name: str) -> float:
        return float(self._known[name].mean())

    def close(self) -> None:
        """Sync and release the folder (the object is unusable after)."""
        if self._lock.closed:
            return
        self.sync()
        self._leaves = self._flags = {}
        self._unlock()

    def _unlock(self) -> None:
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()

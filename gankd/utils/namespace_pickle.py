"""Read torch files that pickle ``argparse.Namespace`` objects, as plain data.

Training scripts often save their command-line arguments next to the
weights (rosinality's ``train.py``: ``torch.save({'g': ..., 'args': args})``).
The weights-only loader refuses the class, and allowlisting it is not safe:
for an allowlisted class, torch's BUILD calls an instance's ``__setstate__``
when it has one, and a pickle can first BUILD any callable it reaches into
the instance's ``__dict__`` under that name, then BUILD again to call it.

So no type is allowed here. Instead the pickle is rewritten at the opcode
level before the plain weights-only loader reads it:

* its ``GLOBAL argparse Namespace`` becomes ``GLOBAL collections
  OrderedDict``, a class torch already allows and whose BUILD only updates
  ``__dict__`` (torch never calls ``__setstate__`` on it). The rewritten
  file can therefore do nothing the loader does not already accept from
  any file: it names no other code;
* each instance that class creates (``NEWOBJ``) is memoised under a fresh
  index, and the pickle returns ``(object, [those instances])``, so exactly
  the former Namespaces (never a genuine ``OrderedDict``, such as a state
  dict with ``_metadata``) get their attributes moved into their items.

A Namespace is therefore read as an ``OrderedDict`` of its fields
(``args['size']``), holding only what the weights-only loader allows.
Works on zip files (torch >= 1.6) and legacy files (``torch.save(...,
_use_new_zipfile_serialization=False)``, torch < 1.6); the rewritten copy
is a temporary file of the same size, removed when read.
"""
import pickletools
import shutil
import struct
import tempfile
import zipfile
from collections import OrderedDict
from typing import IO, Any, Callable, List, Optional, Tuple

__all__ = ['NAMESPACE_GLOBAL', 'rewrite_namespaces', 'load_namespaces_as_data']

#: The global torch reports when it refuses the class.
NAMESPACE_GLOBAL = 'argparse.Namespace'

_NAMESPACE_ARG = 'argparse Namespace'  # pickletools' form of the GLOBAL arg
_PLAIN_GLOBAL = b'ccollections\nOrderedDict\n'
_MARK, _CLASS, _INSTANCE, _OTHER = (object() for _ in range(4))
_LEGACY_HEADER_PICKLES = 3  # magic number, protocol version, sys info
_COPY_CHUNK = 1 << 20


def _long_binput(index: int) -> bytes:
    return b'r' + struct.pack('<I', index)


def _long_binget(index: int) -> bytes:
    return b'j' + struct.pack('<I', index)


def _find_namespaces(data: bytes) -> Tuple[List[Tuple[int, int]], List[int],
                                           int, int]:
    """Walk the opcodes with a symbolic stack that only tells the Namespace
    class and its NEWOBJ instances from everything else.

    Returns:
        (byte ranges of the Namespace GLOBALs, end offsets of the NEWOBJs
        that create instances, one past the highest memo index used, the
        offset of STOP).
    """
    stack: list = []
    memo: dict = {}
    globals_at, instances_at, top_memo = [], [], 0
    ops = list(pickletools.genops(data))
    for number, (op, arg, pos) in enumerate(ops):
        end = ops[number + 1][2] if number + 1 < len(ops) else len(data)
        name = op.name
        if name == 'GLOBAL':
            found = arg == _NAMESPACE_ARG
            if found:
                globals_at.append((pos, end))
            stack.append(_CLASS if found else _OTHER)
        elif name in ('PUT', 'BINPUT', 'LONG_BINPUT', 'MEMOIZE'):
            index = len(memo) if name == 'MEMOIZE' else int(arg)
            memo[index] = stack[-1]
            top_memo = max(top_memo, index + 1)
        elif name in ('GET', 'BINGET', 'LONG_BINGET'):
            stack.append(memo.get(int(arg), _OTHER))
        elif name == 'DUP':
            stack.append(stack[-1])
        elif name == 'NEWOBJ':
            del stack[-1]  # the args tuple
            made = stack.pop() is _CLASS
            if made:
                instances_at.append(end)
            stack.append(_INSTANCE if made else _OTHER)
        elif name == 'MARK':
            stack.append(_MARK)
        else:  # any other opcode: only its stack effect matters
            before = op.stack_before
            if pickletools.markobject in before:
                while stack.pop() is not _MARK:
                    pass
                del stack[len(stack) - before.index(pickletools.markobject):]
            elif before:
                del stack[-len(before):]
            stack.extend([_OTHER] * len(op.stack_after))
    # genops ends at STOP, or raises ValueError when there is none
    return globals_at, instances_at, top_memo, ops[-1][2]


def rewrite_namespaces(data: bytes) -> bytes:
    """One pickle -> the same pickle with Namespaces as OrderedDicts,
    returning ``(object, [former Namespaces])``.

    Raises:
        ValueError: ``data`` is not a well-formed pickle.
    """
    globals_at, instances_at, top_memo, stop = _find_namespaces(data)
    edits = [(start, end, _PLAIN_GLOBAL) for start, end in globals_at]
    edits += [(end, end, _long_binput(top_memo + i))
              for i, end in enumerate(instances_at)]
    trailer = b'](' + b''.join(_long_binget(top_memo + i)
                               for i in range(len(instances_at)))
    edits.append((stop, stop, trailer + b'e\x86'))
    out, done = [], 0
    for start, end, text in sorted(edits, key=lambda edit: edit[:2]):
        out += [data[done:start], text]
        done = end
    out.append(data[done:])
    return b''.join(out)


def _rewrite_zip(source: IO[bytes], target: IO[bytes]) -> None:
    with zipfile.ZipFile(source) as old, \
            zipfile.ZipFile(target, 'w', zipfile.ZIP_STORED) as new:
        pickles = [info for info in old.infolist()
                   if info.filename.rsplit('/', 1)[-1] == 'data.pkl']
        if len(pickles) != 1:
            raise ValueError(f'{len(pickles)} data.pkl records')
        for info in old.infolist():
            if info is pickles[0]:
                new.writestr(info.filename,
                             rewrite_namespaces(old.read(info)))
                continue
            # Streamed: tensors are copied, never held in memory.
            with old.open(info) as src, new.open(
                    zipfile.ZipInfo(info.filename), 'w',
                    force_zip64=info.file_size >= zipfile.ZIP64_LIMIT) as dst:
                shutil.copyfileobj(src, dst, _COPY_CHUNK)


def _pickle_end(file: IO[bytes]) -> int:
    """Offset just past the pickle that starts at ``file``'s position."""
    for op, _, pos in pickletools.genops(file):
        if op.name == 'STOP':
            return pos + 1
    raise ValueError('the pickle does not end with STOP')


def _rewrite_legacy(source: IO[bytes], target: IO[bytes]) -> None:
    # Layout: header pickles, the object pickle, the storage keys pickle,
    # then the raw storages, read in sequence (no offsets to fix).
    start = 0
    for _ in range(_LEGACY_HEADER_PICKLES):
        source.seek(start)
        start = _pickle_end(source)
    source.seek(start)
    end = _pickle_end(source)
    source.seek(0)
    target.write(source.read(start))
    target.write(rewrite_namespaces(source.read(end - start)))
    shutil.copyfileobj(source, target, _COPY_CHUNK)


def load_namespaces_as_data(path: str, load: Callable[[IO[bytes]], Any]
                            ) -> Optional[Any]:
    """``load`` (the weights-only loader) on a copy of ``path`` whose
    Namespaces are rewritten, with each one read as an OrderedDict of its
    fields; None when the file cannot be rewritten (not a torch file of a
    known layout).

    Raises:
        OSError: the temporary copy cannot be written.
    """
    with open(path, 'rb') as source, tempfile.TemporaryFile() as copy:
        try:
            if zipfile.is_zipfile(source):
                _rewrite_zip(source, copy)
            else:
                _rewrite_legacy(source, copy)
        except (ValueError, IndexError, EOFError, struct.error,
                zipfile.BadZipFile):  # not a layout this module knows
            return None
        copy.seek(0)
        loaded = load(copy)
    if not (isinstance(loaded, tuple) and len(loaded) == 2):
        return None
    obj, namespaces = loaded
    for namespace in namespaces:
        if type(namespace) is not OrderedDict:
            return None
        fields = dict(vars(namespace))
        vars(namespace).clear()
        namespace.update(fields)
    return obj

"""How forked fit workers hand their arrays back: through files in shared memory, which
`_output_array` lets a fit write its results into directly, and `_to_shared` and
`_from_shared` pack and unpack around them."""

from __future__ import annotations

import contextlib
import math
import mmap
import os
import shutil
import tempfile
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# Results of forked fit workers (hundreds of MB at 100,000 listings) come back through
# files in shared memory: the worker writes its arrays once, the parent maps the files and
# unlinks them. Pickling them through a pipe would copy them three times and
# hold two copies in the parent at once. Without room in /dev/shm they are pickled.
_SHM_DIR = "/dev/shm"
_SHM_MIN_BYTES = 1 << 16  # smaller arrays travel pickled


# In a fit worker: the files in shared memory backing arrays made by `_output_array`, by
# id of their mapping (the mapping is kept alive here until the worker exits).
_worker_files: dict[int, tuple[mmap.mmap, str]] | None = None


def _output_array(size: int, dtype) -> np.ndarray:
    """An empty array for a fit's result: in a fit worker, backed by a file in shared
    memory, so that handing it to the parent copies nothing."""
    dtype = np.dtype(dtype)
    nbytes = size * dtype.itemsize
    if _worker_files is None or not nbytes or not os.path.isdir(_SHM_DIR):
        return np.empty(size, dtype=dtype)
    fd, path = tempfile.mkstemp(prefix=f"matching-fit-{os.getpid()}-", dir=_SHM_DIR)
    try:
        # Reserve the pages now: on a full tmpfs a plain mapping would crash on first write.
        os.posix_fallocate(fd, 0, nbytes)
        mapped = mmap.mmap(fd, nbytes, access=mmap.ACCESS_WRITE)
    except OSError:
        os.unlink(path)
        return np.empty(size, dtype=dtype)
    finally:
        os.close(fd)
    _worker_files[id(mapped)] = (mapped, path)
    return np.frombuffer(mapped, dtype=dtype, count=size)


@dataclass(frozen=True)
class _ArrayRef:
    index: int


@dataclass(frozen=True)
class _CsrRef:
    data: object
    indices: object
    indptr: object
    shape: tuple[int, int]


def _to_shared(obj) -> tuple:
    """(`obj` with its large arrays replaced by references, each array's (dtype, shape,
    file) or None, the arrays themselves if they are not in files). Arrays made by
    `_output_array` are in their files already; the others are written to new ones."""
    arrays: list[np.ndarray] = []

    def pack(x):
        if isinstance(x, sp.csr_matrix):
            return _CsrRef(pack(x.data), pack(x.indices), pack(x.indptr), x.shape)
        if isinstance(x, np.ndarray) and x.nbytes >= _SHM_MIN_BYTES:
            arrays.append(np.ascontiguousarray(x))
            return _ArrayRef(len(arrays) - 1)
        if isinstance(x, tuple | list):
            return type(x)(pack(y) for y in x)
        if isinstance(x, dict):
            return {k: pack(v) for k, v in x.items()}
        return x

    def file_of(a: np.ndarray) -> str | None:
        base = a.base
        while isinstance(base, np.ndarray):
            base = base.base
        if _worker_files and isinstance(base, mmap.mmap) and id(base) in _worker_files:
            if a.nbytes == len(base) and a.ctypes.data == np.frombuffer(base, np.uint8).ctypes.data:
                return _worker_files[id(base)][1]
        return None

    packed = pack(obj)
    # One file per array, so that the parent frees each as soon as it has copied it.
    paths: list[str] = []
    try:
        total = sum(a.nbytes for a in arrays if file_of(a) is None)
        if arrays and os.path.isdir(_SHM_DIR) and shutil.disk_usage(_SHM_DIR).free > 2 * total:
            for a in arrays:
                path = file_of(a)
                if path is None:
                    fd, path = tempfile.mkstemp(prefix=f"matching-fit-{os.getpid()}-", dir=_SHM_DIR)
                    paths.append(path)
                    with os.fdopen(fd, "wb") as f:
                        f.write(a.reshape(-1).view(np.uint8).data)
                else:
                    paths.append(path)
    except OSError:
        paths = []
    if len(paths) == len(arrays) and arrays:
        layout = [(a.dtype.str, a.shape, path) for a, path in zip(arrays, paths, strict=True)]
        return packed, layout, None
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return packed, None, [np.array(a) for a in arrays]


def _map_readonly(fd: int) -> mmap.mmap:
    """A read-only mapping of a whole file, its page tables filled at once where the
    platform can (cheaper than a page fault for each page on first read; read-only, or
    filling them would copy every page)."""
    populate = getattr(mmap, "MAP_POPULATE", 0)
    if populate:
        with contextlib.suppress(OSError, ValueError):
            return mmap.mmap(fd, 0, flags=mmap.MAP_SHARED | populate, prot=mmap.PROT_READ)
    return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)


def _from_shared(result: tuple):
    """The object `_to_shared` packed. Each file is mapped (read-only) and unlinked at
    once: its pages live as long as the array viewing them. Arrays of the views' state are
    copied out (they stay with the index); the weights are only read once, by `_Postings`."""
    packed, layout, arrays = result
    if layout is not None:
        arrays = []
        try:
            for dtype, shape, path in layout:
                count = math.prod(shape)
                if count:
                    with open(path, "rb") as f:
                        mapped = _map_readonly(f.fileno())
                    a = np.frombuffer(mapped, dtype=np.dtype(dtype), count=count)
                else:
                    a = np.zeros(0, dtype=np.dtype(dtype))
                arrays.append(a.reshape(shape))
        finally:
            for _dtype, _shape, path in layout:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    # (`_unpack` is not a closure here: a recursive closure is a reference cycle, which
    # would keep the mapped files alive until the next garbage collection.)
    return [
        (i, _unpack(split, arrays, False), _unpack(state, arrays, True))
        for i, split, state in packed
    ]


def _unpack(x, arrays: list[np.ndarray], copy: bool):
    if isinstance(x, _ArrayRef):
        return arrays[x.index].copy() if copy else arrays[x.index]
    if isinstance(x, _CsrRef):
        parts = tuple(_unpack(y, arrays, copy) for y in (x.data, x.indices, x.indptr))
        return sp.csr_matrix(parts, shape=x.shape)
    if isinstance(x, tuple | list):
        return type(x)(_unpack(y, arrays, copy) for y in x)
    if isinstance(x, dict):
        return {k: _unpack(v, arrays, copy) for k, v in x.items()}
    return x

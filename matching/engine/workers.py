"""Process-level parallelism: forked workers that rank (or list) with the fitted index
shared copy-on-write, and the fit of the views in forked lanes (`_fit_forked`)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from matching.engine import sharedmem
from matching.engine.sharedmem import _from_shared, _to_shared
from matching.engine.views import _FitTexts, _NgramView, _Split, _View

# Process-level parallelism. Workers are forked, so they see the fitted index without it
# being pickled (and share its memory copy-on-write); only their results travel back.
_FORK_LOCK = threading.Lock()
_forked_job: Callable[[int], object] | None = None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run_forked_job(i: int) -> object:
    assert _forked_job is not None
    return _forked_job(i)


def _map_forked(job: Callable[[int], object], n: int, workers: int) -> list:
    """[job(i) for i in range(n)] in `workers` forked processes (results are pickled)."""
    return list(_imap_forked(job, n, workers))


def _imap_forked(job: Callable[[int], object], n: int, workers: int) -> Iterator:
    """job(i) for i in range(n), in order, computed in `workers` forked processes while
    the caller consumes them. The caller must not fork again before it is done."""
    global _forked_job
    with _FORK_LOCK:
        _forked_job = job
        # As in `_fit_forked`: objects that exist now stay out of the children's
        # garbage collections, which would write to (and so copy) every page they visit.
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            # The pool forks all its workers on the first submit, with `job` set.
            with ProcessPoolExecutor(max_workers=min(workers, n), mp_context=context) as pool:
                yield from pool.map(_run_forked_job, range(n))
        finally:
            gc.unfreeze()
            _forked_job = None


def _release_freed_memory() -> None:
    """Give the memory a fit freed back to the system (glibc keeps freed blocks of up to
    32 MB, which a fit frees by the hundred, for reuse), so that processes working side by
    side do not each hold on to their past peak. A no-op without glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _fit_forked(texts: _FitTexts, views: list[_View], common_df: int, workers: int) -> list[_Split]:
    """The views' `fit`s in `workers` lanes, this process one of them and forked children
    (which see the texts copy-on-write) the others, balanced by cost: with 3 views and 2
    workers this process fits the trigrams while one child fits the bigrams then the
    words. Two lanes on two cores are as fast as three and keep one view's temporaries
    fewer alive at the peak. A child sends back its weights and its view's fitted state
    through a file in shared memory (`_to_shared`), not a pipe."""
    cost = [2 if isinstance(v, _NgramView) else 1 for v in views]
    # `workers` lanes in all, this process being one: more processes than cores adds no
    # speed, only another view's temporaries alive at the same time (the memory peak).
    lanes: list[list[int]] = [[] for _ in range(min(max(workers, 2), len(views)))]
    for i in sorted(range(len(views)), key=lambda i: -cost[i]):
        min(lanes, key=lambda la: sum(cost[j] for j in la)).append(i)
    lanes.sort(key=lambda la: sum(cost[j] for j in la))
    mine, theirs = lanes[0], lanes[1:]

    def fit_lane(lane: int, conn) -> None:
        # The module's, not a copy: `_output_array` reads it to know it runs in a worker.
        sharedmem._worker_files = {}
        sent: set[str] = set()
        try:
            out = [(i, views[i].fit(texts, common_df), views[i].state()) for i in theirs[lane]]
            _release_freed_memory()
            result = _to_shared(out)
            sent = {path for _dtype, _shape, path in result[1] or ()}
            conn.send((True, result))
        except BaseException as exc:  # reported by the parent
            conn.send((False, f"{type(exc).__name__}: {exc}"))
        finally:
            conn.close()
            for _mapped, path in sharedmem._worker_files.values():
                if path not in sent:  # copied into the message, or a failed fit's
                    with contextlib.suppress(OSError):
                        os.unlink(path)

    # Plain processes, not a pool: each exits (and frees its memory) once its result is
    # handed over, while the others may still be working.
    context = multiprocessing.get_context("fork")
    children = []
    # Objects that exist now are left out of garbage collection until the children are
    # done: a full collection writes to every object it visits, and each page written
    # in one process stops being shared (the records and their text are most of it).
    gc.freeze()
    try:
        for lane in range(len(theirs)):
            recv, send = context.Pipe(duplex=False)
            proc = context.Process(target=fit_lane, args=(lane, send), daemon=True)
            proc.start()
            send.close()
            children.append((proc, recv))
        done: dict[int, _Split] = {}
        for i in mine:
            done[i] = views[i].fit(texts, common_df)
        _release_freed_memory()
        for _proc, recv in children:
            try:
                ok, payload = recv.recv()
            except EOFError:
                raise RuntimeError("a fit worker died without a result") from None
            if not ok:
                raise RuntimeError(f"a fit worker failed: {payload}")
            for i, split, state in _from_shared(payload):
                views[i].__dict__.update(state)
                done[i] = split
    except BaseException:
        for proc, _recv in children:
            proc.kill()
        for proc, _recv in children:
            proc.join()
        # Files of killed workers that never reached us.
        for pid in (proc.pid for proc, _recv in children):
            for path in Path(sharedmem._SHM_DIR).glob(f"matching-fit-{pid}-*"):
                with contextlib.suppress(OSError):
                    path.unlink()
        raise
    finally:
        for proc, recv in children:
            recv.close()
            proc.join()
        gc.unfreeze()
    return [done.pop(i) for i in range(len(views))]

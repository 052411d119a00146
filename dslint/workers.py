"""Running one step of a run over many files, in worker processes when it pays (`--jobs`).

A step is a top-level function applied to tuples of picklable arguments; results come back in
order, each as soon as it is ready, so that what the caller does with one overlaps the workers'
work on the next. A failure in one file is a `WorkFailed` result for that file, never an
exception of the run. Small batches stay in this process: starting workers costs more than
screening a few files.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, List, Sequence, Tuple

# A run allocates millions of short-lived objects (CPython's and LibCST's trees, the facts):
# at CPython's default thresholds (700, 10, 10) it collects every 700 allocations, and a sixth of a
# cold run went to garbage collection. With these, a cold run of the benchmark corpus takes 12-16%
# less time with the same peak memory ((50000, 50, 50): as fast, but 20% more memory with one job).
GC_THRESHOLDS = (50_000, 10, 5)

# Below this many light items (screening, word searches: about a millisecond each) one process is faster.
_MIN_LIGHT_BATCH = 256


@dataclass(frozen=True)
class WorkFailed:
    message: str


def default_jobs() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@contextmanager
def fewer_garbage_collections() -> Iterator[None]:
    """Within the block (and in the workers it starts), collect garbage at `GC_THRESHOLDS`."""
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class Workers:
    def __init__(self, count: int):
        self.count = max(1, count)

    def map(self, function: Callable, arguments: Sequence[Tuple], heavy: bool = False) -> Iterator[Any]:
        """`function(*args)` for each tuple of `arguments`, in order, each as soon as it is ready
        (the workers start at once, with the garbage-collection thresholds of now; iterate to the
        end, which shuts them down). `heavy` steps (a parse, the LibCST analysis: milliseconds to
        seconds a file) go to workers one file at a time, however few, largest first as given;
        light ones in chunks, and in this process when there are few."""
        work = [(function, args) for args in arguments]
        processes = min(self.count, len(work))
        if processes < 2 or (not heavy and len(work) < _MIN_LIGHT_BATCH):
            return map(_call, work)
        # Light steps in 16 chunks per process: a file that names an SDK is parsed, one that does not
        # is only read, so chunks differ in cost; with 4 per process, one worker waited for the other's last.
        chunksize = 1 if heavy else max(16, len(work) // (processes * 16))
        # Imported here: a run of a few files (a pre-commit hook) never starts a worker.
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(processes, mp_context=_context(), initializer=gc.set_threshold,
                                   initargs=gc.get_threshold())
        return _as_ready(pool, pool.map(_call, work, chunksize=chunksize), work)


def _as_ready(pool, results: Iterable[Any], work: List[Tuple[Callable, Tuple]]) -> Iterator[Any]:
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        with pool:
            for result in results:
                yield result
                done += 1
    except BrokenProcessPool:
        # A worker died (killed, out of memory): do the rest here, where a crash is at least visible.
        logging.getLogger("dslint").debug("worker pool broke; running the step in-process", exc_info=True)
        yield from map(_call, work[done:])


def _context():
    import multiprocessing

    # Forked workers start at once and share what this process has imported (LibCST, the rules);
    # other platforms keep their default (fork is unsafe with macOS system frameworks).
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)


def _call(item: Tuple[Callable, Tuple]) -> Any:
    function, args = item
    try:
        return function(*args)
    except Exception as error:  # one file's internal error must not stop the run
        logging.getLogger("dslint").debug("%s failed on %r", function.__name__, args[:1], exc_info=True)
        return WorkFailed(f"{error.__class__.__name__}: {error}")

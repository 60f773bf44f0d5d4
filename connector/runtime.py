"""Process-wide settings of a long-running service process.

Owns: the garbage collector's and (on glibc) the allocator's tuning. Applying a page builds many short-lived dicts (one
per element of each record); with CPython's default thresholds the collector runs every
700 allocations and, as pages' objects survive into older generations, rescans the whole
heap often: measured 10-20% of a page's apply time. The objects made at start-up (modules,
schema tables) are frozen out of the collector's scans, and collections run 50 times less
often; memory stays bounded by the page being applied.

glibc's malloc raises its mmap threshold to the size of the largest block freed, so after
one multi-megabyte answer (an un-iterated list of a large company) every 400 KB page body
comes from the heap arenas of the thread that read it and fragments them: the service's
peak memory grew with company size (184 MB medium, 262 MB large). A fixed 128 KiB threshold
(big blocks always mapped and returned on free) and two arenas keep it flat. Must not: do
I/O.
"""

from __future__ import annotations

import ctypes
import gc
import platform
from collections.abc import Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 35_000
_M_MMAP_THRESHOLD = -3  # glibc malloc.h
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024
ARENA_MAX = 2


def tune_gc() -> None:
    """Freeze what start-up made, then collect young objects every 35,000 allocations."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)


@contextmanager
def gc_tuned() -> Iterator[None]:
    """``tune_gc`` for the length of a block, the collector as it was afterwards: for a
    command that holds a large value (the emulator's company file) for its whole run, which
    a test may run in its own process."""
    threshold = gc.get_threshold()
    tune_gc()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def tune_malloc() -> bool:
    """On glibc: big blocks always mmapped (a fixed threshold), at most two arenas.
    Returns whether it applied (elsewhere the platform's allocator is left as it is)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_ARENA_MAX, ARENA_MAX)
    )


def tune_process() -> None:
    """Everything above, for a service or worker process once it has started up."""
    tune_malloc()
    tune_gc()

"""Process-wide settings of a long-running service process.

Owns: the garbage collector's tuning. Applying a page builds many short-lived dicts (one
per element of each record); with CPython's default thresholds the collector runs every
700 allocations and, as pages' objects survive into older generations, rescans the whole
heap often: measured 10-20% of a page's apply time. The objects made at start-up (modules,
schema tables) are frozen out of the collector's scans, and collections run 50 times less
often; memory stays bounded by the page being applied. Must not: do I/O.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 35_000


def tune_gc() -> None:
    """Freeze what start-up made, then collect young objects every 35,000 allocations."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)

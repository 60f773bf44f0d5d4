"""A manual sync's plan, purely: the data types asked for first, then the rest (issue 19).

Owns: ordering a session's plan for a queued manual sync. The requested types keep the
plan's order among themselves (lists before the transactions that reference them); a
requested deleted-object sweep runs even when it is not due; every other type of the plan
follows, so a manual sync also brings the rest up to date. ``None`` (no types named) keeps
the plan as it is. Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Sequence


def requested_first(plan: Sequence[str], requested: Sequence[str] | None) -> list[str]:
    if not requested:
        return list(plan)
    wanted = set(requested)
    first = [key for key in plan if key in wanted]
    first += [key for key in requested if key not in first]
    return first + [key for key in plan if key not in wanted]

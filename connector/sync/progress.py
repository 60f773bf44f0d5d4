"""How far a session is: the percentage returned to the Web Connector.

Owns: turning the planned data types and their cursors into 0-100. Each planned type weighs
the same; a finished (done or failed) type counts whole, a type being paged counts the share
of its records already fetched (``iteratorRemainingCount`` tells what is left). 100 only when
nothing is left to ask, because the Web Connector stops asking at 100 (PROTOCOL.md 1.2).
Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connector.store.sync_runs import CursorRow
from connector.sync.plan import CursorState

_FINISHED = (CursorState.DONE.value, CursorState.ERROR.value)
_FETCHED = (*_FINISHED, CursorState.STORING.value)
"""Nothing left to fetch (a storing type's last page is being applied: not finished)."""


def type_fraction(cursor: CursorRow | None) -> float:
    """0.0-1.0 for one data type."""
    if cursor is None:
        return 0.0
    if cursor.state in _FETCHED:
        return 1.0
    if cursor.remaining is None or cursor.fetched + cursor.remaining == 0:
        return 0.0
    return cursor.fetched / (cursor.fetched + cursor.remaining)


def percent(plan: Sequence[str], cursors: Mapping[str, CursorRow]) -> int:
    if not plan:
        return 100
    if all(cursors.get(k) is not None and cursors[k].state in _FINISHED for k in plan):
        return 100
    share = sum(type_fraction(cursors.get(k)) for k in plan) / len(plan)
    return max(0, min(99, int(share * 100)))

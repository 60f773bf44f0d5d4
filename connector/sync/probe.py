"""Incremental runs that fetch only what changed (issue 12): pure rules.

Owns: the phases of an incremental run of a list or transaction type. The watermark is
rewound as always (``plan.from_modified``: TimeModified comes from each workstation's clock,
PROTOCOL.md 1.10), but the window is first asked for with ``IncludeRetElement`` only the ID,
``EditSequence`` and ``TimeModified`` of each record (``PROBE``); what the store already holds
with the same EditSequence is not fetched again. The new or changed records are then fetched
by ID list, in chunks of the page size (``FETCH``), or, when the probe found more than
``MAX_PENDING`` of them, by the ordinary query from the earliest TimeModified among them
(``CATCH_UP``), which is then cheaper than a long list of IDs. The watermark moves as
before, only when the run completes, to the latest time the probe (or the catch-up) saw:
a record fetched by ID that changed again after the probe saw it does not move it, so
nothing stamped meanwhile by a workstation whose clock is behind is skipped.
``Pending`` is what the probe found and the run has not fetched yet, kept on the cursor (a
session broken mid-run probes again from the same watermark next time; what it had fetched
is stored and not fetched again). Must not: do I/O or build XML.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from connector.qbxml.datatypes import BY_KEY, Kind
from connector.store.sync_runs import CursorRow

PROBE = "probe"
FETCH = "fetch"
CATCH_UP = "catch_up"
PROBE_FIELDS = ("EditSequence", "TimeModified")
"""Asked for besides the ID in a probe (``IncludeRetElement``; every list and transaction
query of the 13.0-16.0 schemas takes it)."""
PROBE_SUFFIX = ".probe"
"""Ends the requestID of a probe, so its answer is known for one wherever it is applied."""
MAX_PENDING = 1000
"""IDs a cursor keeps to fetch by ID list; beyond that the run catches up by date."""
NOT_FOUND = 3120
"""A ListID/TxnID list none of whose records exists any more (deleted since the probe)."""


@dataclass(frozen=True)
class Pending:
    """New or changed records a probe found and the run has not fetched yet."""

    ids: tuple[str, ...] = ()
    since: str | None = None
    """The earliest TimeModified among them, as QuickBooks wrote it."""
    over: bool = False
    """More than ``MAX_PENDING`` were found: ``ids`` is dropped, the run catches up."""

    def add(self, found: Iterable[tuple[str, datetime | None]]) -> Pending:
        ids = dict.fromkeys(self.ids)
        since = _parse(self.since)
        for qb_id, stamp in found:
            ids[qb_id] = None
            if stamp is not None and (since is None or _instant(stamp) < _instant(since)):
                since = stamp
        over = self.over or len(ids) > MAX_PENDING
        return Pending(
            () if over else tuple(ids), None if since is None else since.isoformat(), over
        )

    def encode(self) -> str | None:
        if not self.ids and not self.over:
            return None
        return json.dumps({"ids": list(self.ids), "since": self.since, "over": self.over})

    @classmethod
    def decode(cls, text: str | None) -> Pending:
        if not text:
            return cls()
        raw = json.loads(text)
        return cls(tuple(raw["ids"]), raw["since"], bool(raw["over"]))


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _instant(value: datetime) -> datetime:
    # an offset-less time is QuickBooks' local time, only ever compared with others of the
    # same file: compared as if UTC (as ``cursors`` compares times)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def first_phase(cursor: CursorRow, probe: bool) -> str | None:
    """The phase a run of ``cursor`` starts in: a probe when the type has a watermark."""
    dt = BY_KEY[cursor.data_type]
    if not probe or cursor.watermark is None or dt.kind not in (Kind.LIST, Kind.TXN):
        return None
    return PROBE if dt.modified_filter else None


def is_probe(request_id: str) -> bool:
    return request_id.endswith(PROBE_SUFFIX)


def chunk(cursor: CursorRow, size: int) -> tuple[str, ...]:
    """The IDs the next (or in-flight) fetch of ``cursor`` asks for."""
    return Pending.decode(cursor.pending).ids[:size]


def fetched(cursor: CursorRow, size: int) -> CursorRow:
    """The chunk in flight was answered and stored: the rest stays to fetch."""
    pending = Pending.decode(cursor.pending)
    return replace(cursor, pending=replace(pending, ids=pending.ids[size:]).encode())


def found(cursor: CursorRow, new_or_changed: Iterable[tuple[str, datetime | None]]) -> CursorRow:
    """A probe page's new or changed records join what the run has to fetch."""
    items = list(new_or_changed)
    if not items:
        return cursor
    return replace(cursor, pending=Pending.decode(cursor.pending).add(items).encode())


def after_probe(cursor: CursorRow) -> str | None:
    """The phase once the probe has seen the whole window: ``None`` when nothing is left."""
    pending = Pending.decode(cursor.pending)
    if pending.over:
        return CATCH_UP
    return FETCH if pending.ids else None


def catch_up_from(cursor: CursorRow, widen: timedelta) -> str | None:
    """FromModifiedDate of a catch-up: the earliest new or changed record, widened by the
    spread of UTC offsets the run saw (as ``plan.from_modified`` widens the rewind)."""
    since = Pending.decode(cursor.pending).since
    if since is None:
        return None
    return (datetime.fromisoformat(since) - widen).isoformat()

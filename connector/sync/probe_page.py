"""One probe answer against the store: which of its records are new or changed.

Owns: reading the answer to a probe (``connector.sync.probe``: ID, EditSequence and
TimeModified of each record in the window) and comparing it with the store
(``connector.store.record_versions``). A record is unchanged when the store holds it, not
deleted, with the same EditSequence (QuickBooks changes it on every modification), or, for
a record without one, the same TimeModified. Nothing is written; the page's summary
(count, latest time, offsets) moves the cursor as any page does, and its new or changed
records are the ``found`` the run fetches next.
Must not: commit, or decide what the cursor becomes (``cursors``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from connector.qbxml.datatypes import DataType
from connector.qbxml.values import Event
from connector.store.record_versions import stored_versions
from connector.store.records import UpsertCounts
from connector.sync.upsert import Applied, ApplyError, _Page, _records_of


def apply_probe(
    conn: Connection, company_id: str, dt: DataType, request_id: str, events: Iterable[Event]
) -> Applied:
    """The summary of the probe answer to ``request_id``; its ``found``: what to fetch."""
    start, recs = _records_of(iter(events), dt, request_id)
    if start is None:
        return Applied(None)
    page = _Page()
    seen: dict[str, tuple[object, datetime | None]] = {}
    for record in recs:
        qb_id, stamp = record.data.get(dt.id_field), record.data.get("TimeModified")
        if not isinstance(qb_id, str) or not qb_id:
            raise ApplyError(f"{record.ret} without {dt.id_field} in a {dt.response}")
        page.see(stamp)
        when = stamp if isinstance(stamp, datetime) else None
        seen[qb_id] = (record.data.get("EditSequence"), when)
    stored = stored_versions(conn, company_id, dt.key, list(seen))
    found = tuple(
        (qb_id, stamp)
        for qb_id, (edit, stamp) in seen.items()
        if not _unchanged(stored.get(qb_id), edit, stamp)
    )
    summary = replace(page.result(start), found=found)
    return Applied(summary, UpsertCounts(unchanged=len(seen) - len(found)))


def _unchanged(
    stored: tuple[str | None, str | None] | None, edit: object, stamp: datetime | None
) -> bool:
    if stored is None:
        return False
    if isinstance(edit, str) and edit:
        return stored[0] == edit
    return stamp is not None and stored[1] == stamp.isoformat()

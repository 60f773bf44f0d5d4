"""One response into its run: the one function every page goes through, and the run's writes.

Owns: ``apply_to_run``, which stores one response in the caller's transaction: its records
(``upsert``, inside a savepoint, so an unreadable page stores nothing; a probe's answer is
compared with the store instead, ``probe_page``), the run's counts, the
cursor's move and the note the move leaves on the run. A page is applied either as it
arrives (``in_line``: its cursor still has the request in flight and moves by the page's
status) or later from the inbox (``stored``: its cursor moved past it when it arrived,
``cursors.page_received``, so only the page's count and latest time join it); the two differ
only in that cursor rule. Also the two writes every engine call makes: a cursor saved with
its data type's status on the run (``save``), a note on the run (``note``).
Must not: commit, lock, parse (callers hand the events), or decide a cursor's move
(``cursors``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from connector.qbxml.datatypes import BY_KEY
from connector.qbxml.errors import QbxmlError
from connector.qbxml.values import Event
from connector.store import sync_runs as runs
from connector.store.sync_runs import CursorRow, RunError
from connector.sync import cursors as rules
from connector.sync.cursors import Note, PageResult
from connector.sync.plan import CursorState, Policy
from connector.sync.probe import is_probe
from connector.sync.probe_page import apply_probe
from connector.sync.upsert import ApplyError, ReadPage, apply_page

CursorMove = Callable[[CursorRow, PageResult | None], tuple[CursorRow, Note | None]]
"""How a page moves its cursor; ``None``: the response did not answer the request."""

_RUN_STATUS = {
    CursorState.ACTIVE: "running",
    CursorState.DEFERRED: "retrying",
    CursorState.STORING: "running",  # done when its last page is (reports read "done")
}


@dataclass(frozen=True)
class Delivery:
    """Where one response belongs: the run, the data type and the request it answers."""

    company_id: str
    run_id: str
    data_type: str
    request_id: str


def apply_to_run(
    conn: Connection,
    delivery: Delivery,
    cursor: CursorRow | None,
    events: Iterable[Event] | ReadPage | QbxmlError | ApplyError,
    now: datetime,
    move: CursorMove,
) -> CursorRow | None:
    """Store the response, count it on the run, move ``cursor`` (the data type's cursor as
    it stands; ``None`` when it is gone) and return it as saved. ``events`` may be the page
    read before its transaction, or the error reading it raised."""
    try:
        if isinstance(events, QbxmlError | ApplyError):
            raise events
        with conn.begin_nested():
            dt = BY_KEY[delivery.data_type]
            company, request_id = delivery.company_id, delivery.request_id
            if is_probe(request_id):  # IDs and EditSequences: compared, not stored
                assert not isinstance(events, ReadPage), "a probe is not read ahead"
                applied = apply_probe(conn, company, dt, request_id, events)
            else:
                applied = apply_page(conn, company, dt, request_id, events, now)
    except (QbxmlError, ApplyError) as exc:
        return _refused(conn, delivery, cursor, f"unreadable response: {exc}", now)
    if applied.page is not None:
        counts = applied.counts
        runs.add_counts(
            conn,
            delivery.run_id,
            delivery.data_type,
            fetched=0 if is_probe(delivery.request_id) else applied.page.count,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            deleted=applied.deleted,
        )
    if cursor is None:
        return None
    moved, said = move(cursor, applied.page)
    if said is not None:
        note(conn, delivery.run_id, delivery.data_type, said, now)
    return moved if moved is cursor else save(conn, delivery.run_id, moved, now, cursor)


def in_line(policy: Policy, ticket: str, now: datetime) -> CursorMove:
    """The move of a page applied as it arrives, its request still in flight."""

    def move(cursor: CursorRow, page: PageResult | None) -> tuple[CursorRow, Note | None]:
        if page is None:
            why = f"the response did not answer request {cursor.in_flight_request_id}"
            return rules.retry_later(cursor, policy, None, None, why)
        return rules.page_applied(cursor, page, policy, ticket, now)

    return move


def stored(run_id: str, now: datetime) -> CursorMove:
    """The move of a page applied from the inbox (its iterator moved on when it arrived)."""

    def move(cursor: CursorRow, page: PageResult | None) -> tuple[CursorRow, Note | None]:
        if page is None:  # cannot happen: its head was checked on arrival
            return cursor, None
        return rules.page_stored(cursor, page, run_id, now), None

    return move


def _refused(
    conn: Connection, delivery: Delivery, cursor: CursorRow | None, why: str, now: datetime
) -> CursorRow | None:
    """An unreadable page stops its type for the session while the cursor still pages that
    run; a page of an earlier run (applied late) only leaves its error on that run."""
    if cursor is None or cursor.run_id != delivery.run_id:
        message = f"{delivery.data_type}: {why}"
        note(conn, delivery.run_id, delivery.data_type, Note("FATAL", message, is_error=True), now)
        return cursor
    stopped, said = rules.failed(cursor, "FATAL", why, None, None)
    note(conn, delivery.run_id, delivery.data_type, said, now)
    return save(conn, delivery.run_id, stopped, now, cursor)


def save(
    conn: Connection,
    run_id: str,
    cursor: CursorRow,
    now: datetime,
    before: CursorRow | None = None,
) -> CursorRow:
    """Save ``cursor``; its type's status on the run too when it changed since ``before``."""
    runs.save_cursor(conn, cursor, now)
    status = type_status(cursor.state)
    if before is None or type_status(before.state) != status:
        runs.set_type_status(conn, run_id, cursor.data_type, status)
    return cursor


def note(conn: Connection, run_id: str, key: str | None, said: Note, now: datetime) -> None:
    """Put ``said`` on the run's history (an error counts against its type when it is one)."""
    error = RunError(key, said.status_code, said.hresult, said.status_class, said.message, now)
    runs.record_error(conn, run_id, error, counts_as_error=said.is_error)


def type_status(state: str) -> str:
    """A cursor's state as its data type's status on the run."""
    cursor_state = CursorState(state)
    return _RUN_STATUS.get(cursor_state, cursor_state.value)

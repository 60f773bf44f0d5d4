"""The sync engine: the ``WorkSource`` the QBWC service asks, request by request.

Owns: the imperative shell around the pure planner and cursor rules. Every call is one store
transaction keyed by the session's ticket; nothing lives in process memory, so any service
instance may answer any call and a restart loses nothing (DESIGN.md). A request is recorded
as in flight before it leaves; its response is stored and the cursor advanced in the same
transaction, so a session broken anywhere resumes without loss or duplicates.

Applying behind (``behind=`` an ``Applier`` of ``connector.sync.applier``; the service
passes one that applies in a worker process): an iterator page that leaves more to fetch is
stored whole in the inbox (``connector.store.inbox``) and its iterator advanced in one
transaction, the Web Connector is answered, and the page is parsed and applied by the
applier while QuickBooks computes the next page. Every other call first
waits for this process's page of the company and applies any page still in the inbox (one
a killed service left, or another instance's), so the records, counts and watermark are
exactly what applying in line gives; only the percentage lags by that one page.
Must not: speak SOAP (``connector.qbwc``) or build XML by hand (``requests``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from connector.qbwc.server.work import Progress, SessionContext
from connector.qbxml.datatypes import BY_KEY, Kind
from connector.qbxml.errors import QbxmlError
from connector.qbxml.parse import iter_events
from connector.qbxml.values import Event, ResponseStart
from connector.store import inbox, sync_requests
from connector.store import sync_runs as runs
from connector.store.inbox import InboxPage
from connector.store.sync_runs import CursorRow, RunError
from connector.sync import cursors as rules
from connector.sync.apply import ApplyError, apply_hcp, apply_page, unusable
from connector.sync.history import summary_text
from connector.sync.manual import requested_first
from connector.sync.plan import Policy, next_query, pick_next, plan_types, run_kind
from connector.sync.progress import percent
from connector.sync.requests import render

log = logging.getLogger(__name__)


class Transactional(Protocol):
    """What the engine needs of ``connector.store.db.Database``."""

    def begin(self, *, write: bool = True) -> AbstractContextManager[Connection]: ...


class Applier(Protocol):
    """Runs ``SyncEngine.apply_stored_page`` for a page in the inbox, off the calling thread."""

    def prepare(self) -> None:
        """A session begins: get ready for pages (e.g. start a worker) without waiting."""

    def submit(self, engine: SyncEngine, page: InboxPage, now: datetime) -> Future[None]: ...


class SyncEngine:
    """Implements ``connector.qbwc.server.work.WorkSource`` over the store."""

    def __init__(
        self,
        database: Transactional,
        policy: Policy | None = None,
        parse: Callable[[str, str], Iterator[Event]] | None = None,
        *,
        behind: Applier | None = None,
    ) -> None:
        self._db = database
        self._policy = policy or Policy()
        self._parse = parse or _parse
        self._behind = behind
        self._pending: dict[str, Future[None]] = {}  # company id -> its page being applied
        self._pending_lock = threading.Lock()

    # -- WorkSource ---------------------------------------------------------------------
    def has_work(self, connection_id: str, now: datetime) -> bool:
        # An incremental sync always may find something: QuickBooks has no change feed.
        return True

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        if self._behind is not None:
            self._behind.prepare()  # a worker starts while the first small types are asked
        self._settle(ctx.company_id)
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            self._drain(conn, ctx.company_id, ctx.now)
            if runs.run_for_ticket(conn, ctx.ticket) is not None:
                return  # the same session began twice: already planned
            runs.interrupt_running(conn, ctx.company_id, ctx.now)
            cursors = runs.load_cursors(conn, ctx.company_id)
            plan = plan_types(cursors, ctx.now, self._policy)
            queued = sync_requests.oldest_queued(conn, ctx.company_id)
            if queued is None:
                run_id = runs.create_run(
                    conn,
                    company_id=ctx.company_id,
                    connection_id=ctx.connection_id,
                    ticket=ctx.ticket,
                    kind=run_kind(plan, cursors),
                    data_types=plan,
                    now=ctx.now,
                )
            else:  # a manual sync (issue 19): its types first, then the rest, as its run
                plan = requested_first(plan, queued.requested)
                run_id = queued.run.id
                sync_requests.start_queued(
                    conn,
                    run_id,
                    connection_id=ctx.connection_id,
                    ticket=ctx.ticket,
                    kind=run_kind(plan, cursors),
                    data_types=plan,
                    now=ctx.now,
                )
            for key in plan:
                cursor, note = rules.begin(cursors.get(key), ctx.company_id, key, run_id)
                runs.save_cursor(conn, cursor, ctx.now)
                if note is not None:
                    self._note(conn, run_id, key, note, ctx.now)
            self._store_hcp(conn, ctx, run_id, host_company_preferences)

    def next_request(self, ctx: SessionContext) -> str | None:
        behind = self._applying(ctx.company_id)  # its iterator moved on already: no need to wait
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            if not behind:
                self._drain(conn, ctx.company_id, ctx.now)
            run = runs.run_for_ticket(conn, ctx.ticket)
            if run is None or run.status != "running":
                return None
            cursors = runs.load_cursors(conn, ctx.company_id)
            for _ in range(len(run.data_types) + 1):
                key = pick_next(run.data_types, cursors)
                if key is None:
                    return None
                request = self._request_for(conn, ctx, run.id, cursors[key])
                if request is not None:
                    return request
                cursors = runs.load_cursors(conn, ctx.company_id)
            return None

    def apply_response(self, ctx: SessionContext, response: str) -> Progress:
        self._settle(ctx.company_id)
        head = self._head(response, ctx.qbxml_version) if self._behind is not None else None
        stored: InboxPage | None = None
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            self._drain(conn, ctx.company_id, ctx.now)
            run = runs.run_for_ticket(conn, ctx.ticket)
            if run is None:
                return Progress(100)
            cursors = runs.load_cursors(conn, ctx.company_id)
            cursor = _in_flight(cursors, ctx, run.data_types)
            if cursor is not None and head is not None and _can_wait(cursor, head):
                stored = inbox.put(
                    conn,
                    company_id=ctx.company_id,
                    run_id=run.id,
                    data_type=cursor.data_type,
                    request_id=head.request_id or "",
                    qbxml_version=ctx.qbxml_version,
                    response=response,
                    now=ctx.now,
                )
                moved = rules.page_received(
                    cursor, head.iterator_id or "", head.iterator_remaining or 0, ctx.ticket
                )
                cursors[cursor.data_type] = self._save(conn, run.id, moved, ctx.now, cursor)
            elif cursor is not None:
                cursors[cursor.data_type] = self._apply(conn, ctx, run.id, cursor, response)
            progress = Progress(percent(run.data_types, cursors))
        if stored is not None:
            self._apply_behind(stored, ctx.now)
        return progress

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        self._settle(ctx.company_id)
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            self._drain(conn, ctx.company_id, ctx.now)
            run = runs.run_for_ticket(conn, ctx.ticket)
            if run is None:
                return Progress(100)
            cursors = runs.load_cursors(conn, ctx.company_id)
            cursor = _in_flight(cursors, ctx, run.data_types)
            if cursor is not None:
                moved, note = rules.processor_failed(cursor, self._policy, hresult, message)
                cursors[cursor.data_type] = self._save(conn, run.id, moved, ctx.now, cursor)
                self._note(conn, run.id, cursor.data_type, note, ctx.now)
            return Progress(percent(run.data_types, cursors))

    def end(self, ctx: SessionContext, reason: str) -> str:
        self._settle(ctx.company_id)
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            self._drain(conn, ctx.company_id, ctx.now)
            run = runs.run_for_ticket(conn, ctx.ticket)
            if run is None:
                return "No sync ran in this session."
            if run.status != "running":
                return run.summary or f"Sync {run.status}."
            cursors = runs.load_cursors(conn, ctx.company_id)
            finished = percent(run.data_types, cursors) == 100
            full = runs.get_run(conn, run.id)
            assert full is not None
            failed = any(t.status == "error" for t in full.types)
            status = ("partial" if failed else "succeeded") if finished else "interrupted"
            text = summary_text(full, status, reason)
            runs.finish_run(conn, run.id, status=status, summary=text, now=ctx.now)
            return text

    # -- applying behind ----------------------------------------------------------------
    def _head(self, response: str, version: str) -> ResponseStart | None:
        """The first ``*Rs`` of a response (its first chunk is parsed, not the whole)."""
        events = self._parse(response, version)
        try:
            for event in events:
                if isinstance(event, ResponseStart):
                    return event
        except QbxmlError:
            return None  # applied in line, which records the error
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
        return None

    def _apply_behind(self, page: InboxPage, now: datetime) -> None:
        assert self._behind is not None
        try:
            future = self._behind.submit(self, page, now)
        except Exception:  # e.g. a broken worker pool: the page waits in the inbox
            log.exception("cannot hand a stored page of company %s over", page.company_id)
            return
        with self._pending_lock:
            self._pending[page.company_id] = future

    def _applying(self, company_id: str) -> bool:
        """True while this process applies a page of ``company_id`` on the executor."""
        with self._pending_lock:
            future = self._pending.get(company_id)
        return future is not None and not future.done()

    def _settle(self, company_id: str) -> None:
        """Wait for this process's page of ``company_id``; a failure leaves the page in the
        inbox, where the next transaction's ``_drain`` applies it."""
        with self._pending_lock:
            future = self._pending.pop(company_id, None)
        if future is None:
            return
        try:
            future.result()
        except Exception:
            log.exception("applying a stored page of company %s failed; retrying", company_id)

    def apply_stored_page(self, page: InboxPage, now: datetime) -> None:
        """Apply one page of the inbox (an ``Applier`` runs this); a no-op when another call
        applied it first."""
        with self._db.begin(write=False) as conn:
            text = inbox.response(conn, page.id)
        if text is None:
            return  # another call applied it first
        events: list[Event] | QbxmlError
        try:  # parsed before the write transaction: writers wait only for the upsert
            events = list(self._parse(text, page.qbxml_version))
        except QbxmlError as exc:
            events = exc
        with self._db.begin() as conn:
            runs.lock_company(conn, page.company_id)
            self._apply_stored(conn, page, events, now)

    def _drain(self, conn: Connection, company_id: str, now: datetime) -> None:
        """Apply the company's pages still in the inbox, oldest first."""
        for page in inbox.waiting(conn, company_id):
            text = inbox.response(conn, page.id)
            if text is not None:
                self._apply_stored(conn, page, self._parse(text, page.qbxml_version), now)

    def _apply_stored(
        self,
        conn: Connection,
        page: InboxPage,
        events: Iterable[Event] | QbxmlError,
        now: datetime,
    ) -> None:
        if not inbox.take(conn, page.id):
            return
        cursor = runs.load_cursors(conn, page.company_id).get(page.data_type)
        try:
            if isinstance(events, QbxmlError):
                raise events
            with conn.begin_nested():
                applied = apply_page(
                    conn, page.company_id, BY_KEY[page.data_type], page.request_id, events, now
                )
        except (QbxmlError, ApplyError) as exc:
            why = f"unreadable response: {exc}"
            if cursor is not None and cursor.run_id == page.run_id:
                stopped, note = rules.failed(cursor, "FATAL", why, None, None)
                self._save(conn, page.run_id, stopped, now, cursor)
            else:
                note = rules.Note("FATAL", f"{page.data_type}: {why}", is_error=True)
            self._note(conn, page.run_id, page.data_type, note, now)
            return
        if applied.page is None:  # cannot happen: its head was checked on arrival
            return
        counts = applied.counts
        runs.add_counts(
            conn,
            page.run_id,
            page.data_type,
            fetched=applied.page.count,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            deleted=applied.deleted,
        )
        if cursor is not None:
            runs.save_cursor(conn, rules.page_stored(cursor, applied.page, page.run_id), now)

    # -- helpers --------------------------------------------------------------------------
    def _request_for(
        self, conn: Connection, ctx: SessionContext, run_id: str, cursor: CursorRow
    ) -> str | None:
        if cursor.in_flight_request_id is not None and cursor.iterator_id is not None:
            # A Continue of this session never got its answer stored: QuickBooks may have
            # moved the iterator already, so continuing could skip a page. Start again.
            cursor, note = rules.restart(cursor, self._policy, "a page's answer was lost")
            self._note(conn, run_id, cursor.data_type, note, ctx.now)
            if cursor.state == "error":
                self._save(conn, run_id, cursor, ctx.now)
                return None
        spec, flying = next_query(cursor, self._policy, ctx.ticket)
        try:
            request = render(spec, ctx.qbxml_version)
        except QbxmlError as exc:
            stopped, note = rules.failed(cursor, "UNSUPPORTED", str(exc), None, None)
            self._save(conn, run_id, stopped, ctx.now, cursor)
            self._note(conn, run_id, cursor.data_type, note, ctx.now)
            return None
        self._save(conn, run_id, replace(flying, in_flight_request=request), ctx.now, cursor)
        return request

    def _apply(
        self, conn: Connection, ctx: SessionContext, run_id: str, cursor: CursorRow, response: str
    ) -> CursorRow:
        dt = BY_KEY[cursor.data_type]
        assert cursor.in_flight_request_id is not None
        try:
            with conn.begin_nested():
                applied = apply_page(
                    conn,
                    ctx.company_id,
                    dt,
                    cursor.in_flight_request_id,
                    self._parse(response, ctx.qbxml_version),
                    ctx.now,
                )
        except (QbxmlError, ApplyError) as exc:
            why = f"unreadable response: {exc}"
            stopped, failure = rules.failed(cursor, "FATAL", why, None, None)
            self._note(conn, run_id, cursor.data_type, failure, ctx.now)
            return self._save(conn, run_id, stopped, ctx.now, cursor)
        note: rules.Note | None
        if applied.page is None:
            why = f"the response did not answer request {cursor.in_flight_request_id}"
            moved, note = rules.retry_later(cursor, self._policy, None, None, why)
        else:
            page = applied.page
            moved, note = rules.page_applied(cursor, page, self._policy, ctx.ticket, ctx.now)
            counts = applied.counts
            runs.add_counts(
                conn,
                run_id,
                cursor.data_type,
                fetched=page.count,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                deleted=applied.deleted,
            )
        if note is not None:
            self._note(conn, run_id, cursor.data_type, note, ctx.now)
        return self._save(conn, run_id, moved, ctx.now, cursor)

    def _save(
        self,
        conn: Connection,
        run_id: str,
        cursor: CursorRow,
        now: datetime,
        before: CursorRow | None = None,
    ) -> CursorRow:
        runs.save_cursor(conn, cursor, now)
        if before is None or _type_status(before.state) != _type_status(cursor.state):
            runs.set_type_status(conn, run_id, cursor.data_type, _type_status(cursor.state))
        return cursor

    def _note(
        self, conn: Connection, run_id: str, key: str | None, note: rules.Note, now: datetime
    ) -> None:
        runs.record_error(
            conn,
            run_id,
            RunError(key, note.status_code, note.hresult, note.status_class, note.message, now),
            counts_as_error=note.is_error,
        )

    def _store_hcp(self, conn: Connection, ctx: SessionContext, run_id: str, hcp: str) -> None:
        if not hcp.strip():
            return
        try:
            with conn.begin_nested():
                apply_hcp(conn, ctx.company_id, self._parse(hcp, ctx.qbxml_version), ctx.now)
        except (QbxmlError, ApplyError) as exc:
            text = f"unreadable host/company/preferences response: {exc}"
            note = rules.Note("FATAL", text, is_error=True)
            self._note(conn, run_id, None, note, ctx.now)


def _in_flight(
    cursors: dict[str, CursorRow], ctx: SessionContext, plan: list[str]
) -> CursorRow | None:
    for key in plan:
        cursor = cursors.get(key)
        if cursor and cursor.in_flight_ticket == ctx.ticket and cursor.in_flight_request_id:
            return cursor
    return None


def _can_wait(cursor: CursorRow, head: ResponseStart) -> bool:
    """An OK iterator page answering the request in flight, with more to come: its records
    can be applied behind (anything else is applied in line, as it may end or stop a run)."""
    dt = BY_KEY[cursor.data_type]
    return (
        dt.kind is not Kind.DELETED
        and unusable(head) is None
        and head.name == dt.response
        and head.request_id == cursor.in_flight_request_id
        and head.status.code == 0
        and bool(head.iterator_id)
        and (head.iterator_remaining or 0) > 0
    )


def _parse(text: str, version: str) -> Iterator[Event]:
    return iter_events(text, version=version or None)


def _type_status(state: str) -> str:
    return {"active": "running", "deferred": "retrying"}.get(state, state)

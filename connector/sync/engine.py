"""The sync engine: the ``WorkSource`` the QBWC service asks, request by request.

Owns: the imperative shell around the pure planner and cursor rules. Every call is one store
transaction keyed by the session's ticket; nothing lives in process memory, so any service
instance may answer any call and a restart loses nothing (DESIGN.md). A request is recorded
as in flight before it leaves; its response is stored and the cursor advanced in the same
transaction, so a session broken anywhere resumes without loss or duplicates.
Must not: speak SOAP (``connector.qbwc``) or build XML by hand (``requests``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from connector.qbwc.work import Progress, SessionContext
from connector.qbxml.datatypes import BY_KEY
from connector.qbxml.errors import QbxmlError
from connector.qbxml.parse import iter_events
from connector.qbxml.status import StatusClass, classify_hresult
from connector.qbxml.values import Event
from connector.store import sync_runs as runs
from connector.store.sync_runs import CursorRow, RunError
from connector.sync import cursors as rules
from connector.sync.apply import ApplyError, apply_hcp, apply_page
from connector.sync.history import summary_text
from connector.sync.plan import Policy, next_query, pick_next, plan_types, run_kind
from connector.sync.progress import percent
from connector.sync.requests import render


class Transactional(Protocol):
    """What the engine needs of ``connector.store.db.Database``."""

    def begin(self) -> AbstractContextManager[Connection]: ...


class SyncEngine:
    """Implements ``connector.qbwc.work.WorkSource`` over the store."""

    def __init__(
        self,
        database: Transactional,
        policy: Policy | None = None,
        parse: Callable[[str, str], Iterator[Event]] | None = None,
    ) -> None:
        self._db = database
        self._policy = policy or Policy()
        self._parse = parse or _parse

    # -- WorkSource ---------------------------------------------------------------------
    def has_work(self, connection_id: str, now: datetime) -> bool:
        # An incremental sync always may find something: QuickBooks has no change feed.
        return True

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            if runs.run_for_ticket(conn, ctx.ticket) is not None:
                return  # the same session began twice: already planned
            runs.interrupt_running(conn, ctx.company_id, ctx.now)
            cursors = runs.load_cursors(conn, ctx.company_id)
            plan = plan_types(cursors, ctx.now, self._policy)
            run_id = runs.create_run(
                conn,
                company_id=ctx.company_id,
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
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
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
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            run = runs.run_for_ticket(conn, ctx.ticket)
            if run is None:
                return Progress(100)
            cursors = runs.load_cursors(conn, ctx.company_id)
            cursor = _in_flight(cursors, ctx, run.data_types)
            if cursor is not None:
                cursors[cursor.data_type] = self._apply(conn, ctx, run.id, cursor, response)
            return Progress(percent(run.data_types, cursors))

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            run = runs.run_for_ticket(conn, ctx.ticket)
            if run is None:
                return Progress(100)
            cursors = runs.load_cursors(conn, ctx.company_id)
            cursor = _in_flight(cursors, ctx, run.data_types)
            if cursor is not None:
                text = f"the request processor failed with {hresult}: {message}"
                if classify_hresult(hresult) is StatusClass.RETRY_LATER:
                    moved, note = rules.retry_later(cursor, self._policy, None, hresult, text)
                else:
                    cls = classify_hresult(hresult).name
                    moved, note = rules.failed(cursor, cls, text, None, hresult)
                cursors[cursor.data_type] = self._save(conn, run.id, moved, ctx.now, cursor)
                self._note(conn, run.id, cursor.data_type, note, ctx.now)
            return Progress(percent(run.data_types, cursors))

    def end(self, ctx: SessionContext, reason: str) -> str:
        with self._db.begin() as conn:
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


def _parse(text: str, version: str) -> Iterator[Event]:
    return iter_events(text, version=version or None)


def _type_status(state: str) -> str:
    return {"active": "running", "deferred": "retrying"}.get(state, state)

"""The sync engine: the ``WorkSource`` the QBWC service asks, request by request.

Owns: the imperative shell around the pure planner and cursor rules. Every call is one store
transaction keyed by the session's ticket, opened by ``_turn`` (the one prologue: wait for
this process's older pages applied behind, lock the company, apply pages left in the inbox, find
the session's run, load the cursors); nothing lives in process memory, so any service
instance may answer any call and a restart loses nothing (DESIGN.md). A request is recorded
as in flight before it leaves; its response is stored and the cursor advanced in the same
transaction (``pages.apply_to_run``), so a session broken anywhere resumes without loss or
duplicates. With ``behind=`` an ``Applier``, an iterator page that leaves more to fetch, and a
type's last page while other types are left, are applied behind the Web Connector instead
(``connector.sync.behind``). Once the data types are done, the session's report requests
follow (``report_work``).
Must not: speak SOAP (``connector.qbwc``) or build XML by hand (``requests``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from connector.qbwc.server.text_spool import Response, whole
from connector.qbwc.server.work import RESPONSE_TOO_LARGE, Progress, SessionContext
from connector.qbxml.errors import QbxmlError
from connector.qbxml.values import ResponseStart
from connector.store import inbox, sync_requests
from connector.store import sync_runs as runs
from connector.store.inbox import InboxPage
from connector.store.sync_runs import CursorRow, SyncRun
from connector.sync import cursors as rules
from connector.sync import pages, report_work
from connector.sync.behind import (
    AHEAD,
    Applier,
    Behind,
    Parse,
    Transactional,
    can_wait,
    last_can_wait,
    parse_events,
)
from connector.sync.history import summary_text
from connector.sync.manual import requested_first
from connector.sync.plan import CursorState, Policy, next_query, pick_next, plan_types, run_kind
from connector.sync.progress import percent
from connector.sync.requests import render
from connector.sync.upsert import ApplyError, apply_hcp

__all__ = ["Applier", "SyncEngine", "Transactional"]


@dataclass
class _Turn:
    """One call's transaction, after the prologue: the session's run and the cursors."""

    conn: Connection
    run: SyncRun | None
    cursors: dict[str, CursorRow]
    applying: frozenset[int]
    """Inbox IDs of this process's pages its applier has yet to apply (left to it)."""

    def in_flight(self, ticket: str) -> CursorRow | None:
        """The cursor whose request of this session awaits its response."""
        for key in self.run.data_types if self.run is not None else ():
            cursor = self.cursors.get(key)
            if cursor and cursor.in_flight_ticket == ticket and cursor.in_flight_request_id:
                return cursor
        return None

    def others_to_ask(self, key: str) -> bool:
        """Whether the run still has a data type other than ``key`` to ask."""
        assert self.run is not None
        return pick_next([k for k in self.run.data_types if k != key], self.cursors) is not None

    def progress(self, ctx: SessionContext | None = None) -> Progress:
        """The data types' share; never 100 while this session's reports are left."""
        assert self.run is not None
        done = percent(self.run.data_types, self.cursors)
        if done == 100 and ctx is not None and report_work.pending(self.conn, ctx):
            done = 99
        return Progress(done)


class SyncEngine:
    """Implements ``connector.qbwc.server.work.WorkSource`` over the store."""

    def __init__(
        self,
        database: Transactional,
        policy: Policy | None = None,
        parse: Parse | None = None,
        *,
        behind: Applier | None = None,
    ) -> None:
        self._db = database
        self._policy = policy or Policy()
        self._parse = parse or parse_events
        self._behind = Behind(database, self._parse, behind)

    @contextmanager
    def _turn(self, ctx: SessionContext, *, keep: int | None = 0) -> Iterator[_Turn]:
        """The prologue of every call: up to ``keep`` pages of this process may still be
        applying (their iterators moved on already); ``None`` (asking for the next request):
        none is waited for, and nothing is drained while one applies."""
        if keep is not None:
            self._behind.settle(ctx.company_id, keep=keep)
        mine = self._behind.applying(ctx.company_id)
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            if keep is not None or not mine:
                self._behind.drain(conn, ctx.company_id, ctx.now, skip=mine)
            run = runs.run_for_ticket(conn, ctx.ticket)
            yield _Turn(conn, run, runs.load_cursors(conn, ctx.company_id), mine)

    # -- WorkSource ---------------------------------------------------------------------
    def has_work(self, connection_id: str, now: datetime) -> bool:
        # An incremental sync always may find something: QuickBooks has no change feed.
        return True

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        self._behind.prepare()
        with self._turn(ctx) as turn:
            if turn.run is not None:
                return  # the same session began twice: already planned
            runs.interrupt_running(turn.conn, ctx.company_id, ctx.now)
            run_id, plan = self._plan_run(turn.conn, ctx, turn.cursors)
            for key in plan:
                before = turn.cursors.get(key)
                cursor, said = rules.begin(
                    before, ctx.company_id, key, run_id, probe_first=self._policy.probe
                )
                runs.save_cursor(turn.conn, cursor, ctx.now)
                if said is not None:
                    pages.note(turn.conn, run_id, key, said, ctx.now)
            self._store_hcp(turn.conn, ctx, run_id, host_company_preferences)
            report_work.start_session(turn.conn, ctx, standard=self._policy.reports)

    def next_request(self, ctx: SessionContext) -> str | None:
        with self._turn(ctx, keep=None) as turn:
            run = turn.run
            if run is None or run.status != "running":
                return None
            for _ in range(len(run.data_types) + 1):
                key = pick_next(run.data_types, turn.cursors)
                if key is None:
                    break
                request = self._request_for(turn.conn, ctx, run.id, turn.cursors[key])
                if request is not None:
                    return request
                turn.cursors = runs.load_cursors(turn.conn, ctx.company_id)
            else:
                return None
            return report_work.next_request(turn.conn, ctx)  # the data types are done

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        head = self._behind.head(response, ctx.qbxml_version)
        waiting: InboxPage | None = None
        with self._turn(ctx, keep=AHEAD) as turn:
            if turn.run is None:
                return Progress(100)
            cursor = turn.in_flight(ctx.ticket)
            moved = None if cursor is None or head is None else _arrived(turn, cursor, head, ctx)
            if moved is None and turn.applying:  # in line: after every page before it
                self._behind.drain(turn.conn, ctx.company_id, ctx.now)
                turn.cursors = runs.load_cursors(turn.conn, ctx.company_id)
                cursor = turn.in_flight(ctx.ticket)
            if cursor is not None and head is not None and moved is not None:
                waiting = inbox.put(
                    turn.conn,
                    company_id=ctx.company_id,
                    run_id=turn.run.id,
                    data_type=cursor.data_type,
                    request_id=head.request_id or "",
                    qbxml_version=ctx.qbxml_version,
                    response=whole(response),  # a page: a long one is rare
                    now=ctx.now,
                )
                turn.cursors[cursor.data_type] = pages.save(
                    turn.conn, turn.run.id, moved, ctx.now, cursor
                )
            elif cursor is not None:
                assert cursor.in_flight_request_id is not None
                delivery = pages.Delivery(
                    ctx.company_id, turn.run.id, cursor.data_type, cursor.in_flight_request_id
                )
                events = self._parse(response, ctx.qbxml_version)
                move = pages.in_line(self._policy, ctx.ticket, ctx.now)
                landed = pages.apply_to_run(turn.conn, delivery, cursor, events, ctx.now, move)
                assert landed is not None
                turn.cursors[cursor.data_type] = landed
            else:
                report_work.apply(turn.conn, ctx, response)
            progress = turn.progress(ctx)
        if waiting is not None:
            self._behind.hand_over(waiting, ctx.now)
        return progress

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        with self._turn(ctx) as turn:
            if turn.run is None:
                return Progress(100)
            cursor = turn.in_flight(ctx.ticket)
            if cursor is not None:
                if hresult == RESPONSE_TOO_LARGE:  # the service could not take the page
                    moved, said = rules.too_large(cursor, self._policy, message)
                else:
                    moved, said = rules.processor_failed(cursor, self._policy, hresult, message)
                key = cursor.data_type
                turn.cursors[key] = pages.save(turn.conn, turn.run.id, moved, ctx.now, cursor)
                pages.note(turn.conn, turn.run.id, key, said, ctx.now)
            else:
                report_work.fail(turn.conn, ctx, f"{hresult}: {message}")
            return turn.progress(ctx)

    def end(self, ctx: SessionContext, reason: str) -> str:
        with self._turn(ctx) as turn:
            run = turn.run
            if run is None:
                return "No sync ran in this session."
            if run.status != "running":
                return run.summary or f"Sync {run.status}."
            finished = turn.progress().percent == 100
            full = runs.get_run(turn.conn, run.id)
            assert full is not None
            failed = any(t.status == "error" for t in full.types)
            status = ("partial" if failed else "succeeded") if finished else "interrupted"
            text = summary_text(full, status, reason)
            runs.finish_run(turn.conn, run.id, status=status, summary=text, now=ctx.now)
            return text

    # -- helpers --------------------------------------------------------------------------
    def _plan_run(
        self, conn: Connection, ctx: SessionContext, cursors: dict[str, CursorRow]
    ) -> tuple[str, list[str]]:
        """The session's run and its data types: a new run, or the oldest queued manual sync
        (issue 19: its types first, then the rest)."""
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
            return run_id, plan
        plan = requested_first(plan, queued.requested)
        sync_requests.start_queued(
            conn,
            queued.run.id,
            connection_id=ctx.connection_id,
            ticket=ctx.ticket,
            kind=run_kind(plan, cursors),
            data_types=plan,
            now=ctx.now,
        )
        return queued.run.id, plan

    def _request_for(
        self, conn: Connection, ctx: SessionContext, run_id: str, cursor: CursorRow
    ) -> str | None:
        if cursor.in_flight_request_id is not None and cursor.iterator_id is not None:
            # A Continue of this session never got its answer stored: QuickBooks may have
            # moved the iterator already, so continuing could skip a page. Start again.
            cursor, said = rules.restart(cursor, self._policy, "a page's answer was lost")
            pages.note(conn, run_id, cursor.data_type, said, ctx.now)
            if CursorState(cursor.state) is CursorState.ERROR:
                pages.save(conn, run_id, cursor, ctx.now)
                return None
        spec, flying = next_query(cursor, self._policy, ctx.ticket)
        try:
            request = render(spec, ctx.qbxml_version)
        except QbxmlError as exc:
            stopped, said = rules.failed(cursor, "UNSUPPORTED", str(exc), None, None)
            pages.save(conn, run_id, stopped, ctx.now, cursor)
            pages.note(conn, run_id, cursor.data_type, said, ctx.now)
            return None
        pages.save(conn, run_id, replace(flying, in_flight_request=request), ctx.now, cursor)
        return request

    def _store_hcp(self, conn: Connection, ctx: SessionContext, run_id: str, hcp: str) -> None:
        if not hcp.strip():
            return
        try:
            with conn.begin_nested():
                apply_hcp(conn, ctx.company_id, self._parse(hcp, ctx.qbxml_version), ctx.now)
        except (QbxmlError, ApplyError) as exc:
            text = f"unreadable host/company/preferences response: {exc}"
            pages.note(conn, run_id, None, rules.Note("FATAL", text, is_error=True), ctx.now)


def _arrived(
    turn: _Turn, cursor: CursorRow, head: ResponseStart, ctx: SessionContext
) -> CursorRow | None:
    """The cursor's move when the page answering it can wait in the inbox (applied behind
    the Web Connector), else ``None`` (applied in line)."""
    if can_wait(cursor, head):
        remaining = head.iterator_remaining or 0
        return rules.page_received(cursor, head.iterator_id or "", remaining, ctx.ticket)
    if last_can_wait(cursor, head) and turn.others_to_ask(cursor.data_type):
        return rules.last_page_received(cursor)
    return None

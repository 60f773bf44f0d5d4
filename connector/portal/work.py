"""The platform's rules around the sync engine: a ``WorkSource`` that wraps another.

Owns: ``has_work`` answered from what is pending instead of always yes (issue 19): nothing
while the connection is held (integration off, paused, consent withdrawn); yes when a
manual sync is queued for its company, when no sync ever ran, when the last one did not
complete (interrupted, failed, or still marked running: resume), or when the schedule is
due (the connection's interval since the last run started, less a little grace: the Web
Connector's own timer starts before our run does), and when a push waits for a session
(pending, or sent with its answer never stored), or a report request does. And stopping a running session at the next request boundary
when it becomes held (PROTOCOL.md 1.2: the response in flight is stored first, then 100 is
answered, so the Web Connector closes normally and the next session resumes).
Must not: plan requests or store records (the wrapped engine does).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from connector.portal.operations import held_by_checks
from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Progress, SessionContext, WorkSource
from connector.store import connections as connection_store
from connector.store import outbox, reports, sync_requests
from connector.store import sync_runs as run_store
from connector.store.call_checks import CallChecks, read_call_checks
from connector.store.db import Database

UNFINISHED = ("interrupted", "failed", "running")


def schedule_grace(every: timedelta) -> timedelta:
    """How early a scheduled sync counts as due: a tenth of the interval, at most 5 minutes."""
    return min(every / 10, timedelta(minutes=5))


class PlatformWork:
    """Implements ``connector.qbwc.server.work.WorkSource`` around ``inner``."""

    def __init__(self, database: Database, inner: WorkSource) -> None:
        self._db = database
        self.inner = inner

    def _read(self, connection_id: str) -> CallChecks:
        with self._db.begin(write=False) as conn:
            return read_call_checks(conn, connection_id)

    def _checks(self, ctx: SessionContext) -> tuple[str | None, SessionContext]:
        """The hold, and ``ctx`` telling the inner source whether a push waits: what each
        call reads before its work, in one statement (twice a page)."""
        checks = self._read(ctx.connection_id)
        return held_by_checks(checks), replace(ctx, pushes_waiting=checks.pushes_waiting)

    def held(self, connection_id: str, now: datetime) -> str | None:
        """Why the connection must not sync now, in plain words (authenticate answers
        ``none`` and closeConnection shows this), or ``None``."""
        return held_by_checks(self._read(connection_id))

    def has_work(self, connection_id: str, now: datetime) -> bool:
        if self.held(connection_id, now) is not None:
            return False
        row = connection_store.get_connection(self._db, connection_id)
        with self._db.begin(write=False) as conn:
            if sync_requests.has_queued(conn, row.company_id):
                return True
            if outbox.has_unsent(conn, row.company_id):
                return True
            if reports.company_has_open(conn, row.company_id):
                return True  # a report asked through the API (issue 17)
            recent = run_store.list_runs(conn, row.company_id, limit=5)
        started = [r for r in recent if r.status != sync_requests.QUEUED]
        if not started or started[0].status in UNFINISHED:
            return True
        every = timedelta(minutes=row.schedule_every_minutes)
        return now - started[0].created_at >= every - schedule_grace(every)

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        self.inner.begin(ctx, host_company_preferences)

    def next_request(self, ctx: SessionContext) -> str | None:
        held, ctx = self._checks(ctx)
        if held is not None:
            return None
        return self.inner.next_request(ctx)

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        # read before the response is stored, so the inner source need not read again;
        # a hold that comes while it is stored stops the session at the next request
        held, ctx = self._checks(ctx)
        progress = self.inner.apply_response(ctx, response)
        if progress.error is None and held is not None:
            return Progress(100)  # stored; stop here: closeConnection comes next
        return progress

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        return self.inner.apply_error(ctx, hresult, message)

    def end(self, ctx: SessionContext, reason: str) -> str:
        held = self.held(ctx.connection_id, ctx.now)
        return self.inner.end(ctx, f"stopped ({held.rstrip('.')})" if held else reason)

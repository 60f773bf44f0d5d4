"""Sending pushes in a Web Connector session, before its reads (issue 19, writes).

Owns: ``PushFirst``, a ``WorkSource`` around the sync engine. Its ``next_request`` sends a
company's pushes before anything the engine asks, in the order received, one message set
each: first a push left ``sent`` by a session that broke (its answer never stored: sent again
under the same IDs with ``oldMessageSetID``, so QuickBooks answers from what it stored and
never applies it twice, PROTOCOL.md 1.5), then the pending ones. The push is marked ``sent``
in the transaction that hands the request out, and its outcome (``push_outcome``) is stored
with the record QuickBooks saved (or, on a conflict, its current version) in the transaction
that takes the answer, so a service killed anywhere in between leaves the push ``sent`` and
the next session resolves it. A push back to ``pending`` (the record in use) stops pushing
for this session: later pushes may depend on it. The requestID names the session (a prefix
of its ticket hash), which is how a session knows it tried a push already; an answer is
matched to its push by that requestID or by the message-set ID QuickBooks echoes (a
recovered answer carries the first send's requestID). When QuickBooks
could not be reached for a push (an hresult), the session ends there and the next one
resolves the push first.
Must not: speak SOAP or check records (``connector.portal.pushes``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection

from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Progress, SessionContext, WorkSource
from connector.qbxml.datatypes import BY_RET
from connector.qbxml.errors import QbxmlError
from connector.qbxml.values import ResponseStart
from connector.store import outbox
from connector.store import records as record_store
from connector.store import sync_runs as runs
from connector.store.outbox import Push
from connector.sync.behind import Parse, Transactional, parse_events
from connector.sync.push_outcome import Outcome, answers, push_document, read_outcome
from connector.sync.upsert import ApplyError, incoming
from connector.sync.writes import write_for

PUSH_PERCENT = 1
"""What receiveResponseXML reports after a push: pushes come before any read."""


def session_prefix(ticket: str) -> str:
    return f"p{ticket[:12]}-"


class PushFirst:
    """Implements ``connector.qbwc.server.work.WorkSource`` around ``inner``."""

    def __init__(self, database: Transactional, inner: WorkSource, parse: Parse | None = None):
        self._db = database
        self.inner = inner
        self._parse = parse or parse_events

    def has_work(self, connection_id: str, now: datetime) -> bool:
        return self.inner.has_work(connection_id, now)

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        self.inner.begin(ctx, host_company_preferences)

    def _unsent(self, ctx: SessionContext) -> bool:
        """A cheap read first: a sync without pushes pays one indexed query per call, or
        none where a wrapper read it already (``SessionContext.pushes_waiting``)."""
        if ctx.pushes_waiting is not None:
            return ctx.pushes_waiting
        with self._db.begin(write=False) as conn:
            return outbox.has_unsent(conn, ctx.company_id)

    def next_request(self, ctx: SessionContext) -> str | None:
        if not self._unsent(ctx):
            return self.inner.next_request(ctx)
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            while (push := outbox.next_to_send(conn, ctx.company_id)) is not None:
                if (push.request_id or "").startswith(session_prefix(ctx.ticket)):
                    break  # tried in this session already (in use, or no readable answer)
                request = self._request(conn, ctx, push)
                if request is not None:
                    return request
        return self.inner.next_request(ctx)

    def _request(self, conn: Connection, ctx: SessionContext, push: Push) -> str | None:
        recover = push.status == "sent"
        request_id = f"{session_prefix(ctx.ticket)}{push.attempts + 1}"
        try:
            write = write_for(push.data_type, push.operation, push.record)
            if recover:  # the same message set: QuickBooks answers from what it stored
                assert push.message_set_id is not None
                set_id = push.message_set_id
            else:
                set_id = uuid.uuid4().hex[:24]  # newMessageSetID: at most 24 characters
            text = push_document(write, ctx.qbxml_version, request_id, set_id, recover=recover)
        except (QbxmlError, ValueError) as exc:  # e.g. a field this QuickBooks' version lacks
            if not recover:
                outbox.mark_sent(conn, push.id, message_set_id="-", request_id=request_id,
                                 now=ctx.now)  # fmt: skip
            outbox.record_outcome(conn, push.id, "failed", now=ctx.now, error=str(exc))
            return None
        if recover:
            outbox.mark_resent(conn, push.id, request_id=request_id, now=ctx.now)
        else:
            outbox.mark_sent(conn, push.id, message_set_id=set_id, request_id=request_id,
                             now=ctx.now)  # fmt: skip
        return text

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        if not self._unsent(ctx):
            return self.inner.apply_response(ctx, response)
        with self._db.begin() as conn:
            runs.lock_company(conn, ctx.company_id)
            push = self._answered(conn, ctx, response)
            if push is not None:
                return self._store(conn, ctx, push, response)
        return self.inner.apply_response(ctx, response)

    def _answered(self, conn: Connection, ctx: SessionContext, response: Response) -> Push | None:
        """The sent push this response answers, if any (by requestID, or a recovery answer
        to the push in flight that names no request)."""
        flying = outbox.list_pushes(conn, ctx.company_id, status="sent", limit=5)
        if not flying:
            return None
        try:
            events = list(self._parse(response, ctx.qbxml_version))
        except QbxmlError:
            return None  # the engine records an unreadable answer
        for push in flying:
            if answers(events, push.request_id or "", push.message_set_id or ""):
                return push
        started = any(isinstance(e, ResponseStart) for e in events)
        mine = [p for p in flying if (p.request_id or "").startswith(session_prefix(ctx.ticket))]
        return mine[0] if mine and not started else None

    def _store(
        self, conn: Connection, ctx: SessionContext, push: Push, response: Response
    ) -> Progress:
        assert push.request_id is not None
        write = write_for(push.data_type, push.operation, push.record)
        outcome = read_outcome(self._parse(response, ctx.qbxml_version), write, push.attempts)
        problem = self._keep(conn, ctx, push, outcome)
        if problem is not None:
            outcome = Outcome(outcome.status, outcome.qb_id, outcome.status_code,
                              f"{outcome.message or ''} (not stored: {problem})".strip())  # fmt: skip
        outbox.record_outcome(
            conn, push.id, outcome.status, now=ctx.now, qb_id=outcome.qb_id,
            status_code=outcome.status_code, error=outcome.message,
        )  # fmt: skip
        return Progress(PUSH_PERCENT)

    def _keep(
        self, conn: Connection, ctx: SessionContext, push: Push, outcome: Outcome
    ) -> str | None:
        """Store what QuickBooks saved (a read right after shows it), or mark it deleted."""
        if outcome.status == "succeeded" and push.operation == "delete" and outcome.qb_id:
            record_store.mark_deleted(
                conn, ctx.company_id, push.data_type, [outcome.qb_id], ctx.now
            )
            return None
        try:
            for record in outcome.records:
                dt = BY_RET.get(record.ret)
                if dt is not None:
                    record_store.upsert_records(
                        conn, ctx.company_id, [incoming(dt, record)], ctx.now
                    )
        except ApplyError as exc:
            return str(exc)
        return None

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        with self._db.begin(write=False) as conn:
            flying = outbox.list_pushes(conn, ctx.company_id, status="sent", limit=5)
        mine = [p for p in flying if (p.request_id or "").startswith(session_prefix(ctx.ticket))]
        if mine:  # QuickBooks may or may not have applied it: the next session asks it
            text = f"QuickBooks could not be reached for a push ({hresult}): {message}"
            return Progress(PUSH_PERCENT, error=text)
        return self.inner.apply_error(ctx, hresult, message)

    def end(self, ctx: SessionContext, reason: str) -> str:
        """The engine's summary, and what became of the pushes this session sent (the Web
        Connector shows it when the session closes)."""
        summary = self.inner.end(ctx, reason)
        with self._db.begin(write=False) as conn:
            counts = outbox.outcomes_since(conn, ctx.company_id, session_prefix(ctx.ticket))
        if not counts:
            return summary
        said = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        return f"{summary.rstrip()} Pushes: {said}."

"""The QBWC service: the session machine wired to the store and the WorkSource.

Owns: one method per Web Connector call (``authenticate``, ``send_request_xml``, ...), each
of which loads the ticket's row under a lock, runs the pure ``session.transition``, persists
the new state and performs the WorkSource calls the step asks for. WorkSource calls run
*outside* any of our transactions (they have their own), under a short lease stored in the
row, so a second call for the same ticket waits for the first one instead of interleaving,
whichever instance receives it (DESIGN.md: state in the store, never in process memory).
Each row also names the process that holds or last held it (``served_by``, see ``holder``):
a killed service's leases and sessions are taken over at once by the next call or
authenticate, without waiting out the lease or the idle window (issue 18 item 9).
A ticket is hashed (``connector.secrets.ticket_hash``) as soon as it arrives: the store, the
logs and the WorkSource see only the hash; the ticket itself leaves only in authenticate's
answer (issue 18 item 10).
Must not: speak SOAP (``connector.qbwc.server.soap`` does) or decide protocol outcomes itself.
About 320 lines: the lease loop, the effects and the company check share one shell.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Connection

from connector.qbwc.server import company_check, holder
from connector.qbwc.server.authenticate import (
    AuthFacts,
    AuthStatus,
    auth_result,
    client_version_reply,
    decide_authenticate,
)
from connector.qbwc.server.config import QbwcConfig, new_ticket, utcnow
from connector.qbwc.server.credentials import check_credentials
from connector.qbwc.server.errors import HcpError
from connector.qbwc.server.session import (
    Answer,
    AnswerValue,
    Applied,
    ApplyProcessorError,
    ApplyResponse,
    BeginWork,
    CallEvent,
    CloseConnection,
    CompanyVerdict,
    ConnectionErrorCall,
    EndWork,
    GetLastError,
    NextRequest,
    NextRequestResult,
    Phase,
    Query,
    ReceiveResponseXML,
    SendRequestXML,
    SessionState,
    Step,
    WorkEnded,
    internal_failure,
    transition,
    unknown_ticket_answer,
)
from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Holds, SessionContext, WorkSource
from connector.secrets import ticket_hash
from connector.store import activity, webhooks
from connector.store import connections as connections_store
from connector.store import qbwc_sessions as store
from connector.store.connections import CompanyIdentity
from connector.store.db import Database

log = logging.getLogger(__name__)


class QbwcService:
    """One instance per process; holds no session state of its own."""

    def __init__(
        self,
        database: Database,
        work_source: WorkSource,
        config: QbwcConfig | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        ticket_factory: Callable[[], str] = new_ticket,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.database = database
        self.work = work_source
        self.config = config or QbwcConfig()
        self._clock = clock
        self._new_ticket = ticket_factory
        self._sleep = sleep
        self._me = holder.this_process()
        self._next_purge: datetime | None = None

    # ------------------------------------------------------------------ stateless calls
    def server_version(self) -> str:
        return self.config.server_version

    def client_version(self, version: str | None) -> str:
        return client_version_reply(version, self.config.min_qbwc_version)

    def get_interactive_url(self, ticket: str, session_id: str) -> str:
        # Interactive mode is never requested (getLastError never says "Interactive mode").
        return ""

    def interactive_done(self, ticket: str) -> str:
        return "Done"  # PG p.75

    def interactive_rejected(self, ticket: str, reason: str) -> str:
        return "Interactive mode is not used by this service; nothing to do."

    # ------------------------------------------------------------------- authenticate
    def authenticate(
        self, username: str | None, password: str | None, source: str = ""
    ) -> list[str]:
        """``source``: the caller's address; wrong passwords are throttled per username and
        address (issue 18 item 3)."""
        now = self._clock()
        ticket = self._new_ticket()
        row = check_credentials(self.database, self.config.lockout, username, password, now, source)
        if row is None:
            return list(auth_result(ticket, AuthStatus.NVU.value))
        window = row.sync_window.seconds_until_open(now) if row.sync_window else 0
        held = self.work.held(row.id, now) if isinstance(self.work, Holds) else None
        facts = AuthFacts(
            ticket=ticket,
            ticket_hash=ticket_hash(ticket),
            credentials_ok=True,
            connection_id=row.id,
            company_id=row.company_id,
            paused=row.paused,
            held=held,
            window_opens_in=window or None,
            has_work=not (row.paused or held or window) and self.work.has_work(row.id, now),
            company_file_path=row.bound_company.file_path if row.bound_company else "",
            min_run_every_seconds=row.schedule_every_minutes * 60,
            ttl_seconds=self.config.ttl_seconds,
            max_noops=self.config.max_noops,
            busy_postpone_seconds=self.config.busy_postpone_seconds,
            ready_idle_seconds=self.config.idle_seconds,
            authenticated_idle_seconds=self.config.start_idle_seconds,
        )
        with self.database.begin() as conn:
            store.lock_connection(conn, row.id)
            others = store.live_sessions(conn, row.id)
            gone = {o.state.ticket_hash for o in others if holder.certainly_gone(o.served_by)}
            running = any(self._leased(o, now) for o in others)
            facts = replace(facts, other_call_running=running, orphaned=frozenset(gone))
            decision = decide_authenticate(facts, [o.state for o in others], now)
            for step in decision.superseded:
                store.save_session(conn, step.state, served_by=self._me)
            if decision.session is not None:
                store.insert_session(conn, decision.session, served_by=self._me)
                store.note_last_ticket(conn, row.id, facts.ticket_hash)
                activity.note_authenticated(conn, row.id, now)  # "connected" (portal, link)
            if self._next_purge is None or now >= self._next_purge:
                self._next_purge = now + timedelta(seconds=self.config.purge_every_seconds)
                store.purge_sessions(conn, now - timedelta(seconds=self.config.purge_after_seconds))
        for step in decision.superseded:
            self._run_effects(step, now)
        return list(decision.result)

    # --------------------------------------------------------------- ticket-keyed calls
    def send_request_xml(
        self,
        ticket: str,
        hcp_response: str,
        company_file: str,
        country: str,
        major: int | None,
        minor: int | None,
    ) -> str:
        event = SendRequestXML(hcp_response, company_file, country)

        def enrich(conn: Connection, state: SessionState, now: datetime) -> CallEvent:
            if state.phase is not Phase.AUTHENTICATED or now >= state.expires_at:
                return event
            if not hcp_response.strip():
                return event
            return replace(event, verdict=self._verdict(conn, state, event, major, minor))

        return str(self._call(ticket, event, enrich))

    def receive_response_xml(
        self, ticket: str, response: Response, hresult: str, message: str
    ) -> int:
        answer = self._call(ticket, ReceiveResponseXML(response, hresult, message))
        return int(answer) if isinstance(answer, int) else -1

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        answer = str(self._call(ticket, ConnectionErrorCall(hresult, message)))
        self._announce_error(ticket, hresult, message)
        return answer

    def _announce_error(self, ticket: str, hresult: str, message: str) -> None:
        """``connection.error`` for the platform's webhooks (issue 19): QuickBooks could not
        be reached. Only queued here; a worker sends it, never this call."""
        with self.database.begin() as conn:
            stored = store.load_session(conn, ticket_hash(ticket))
            if stored is None:
                return
            state = stored.state
            data = {"connectionId": state.connection_id, "hresult": hresult[:32],
                    "message": message[:500]}  # fmt: skip
            webhooks.emit(conn, "connection.error", state.company_id, data, self._clock())

    def get_last_error(self, ticket: str) -> str:
        return str(self._call(ticket, GetLastError()))

    def close_connection(self, ticket: str) -> str:
        return str(self._call(ticket, CloseConnection()))

    # ----------------------------------------------------------------------- the loop
    def _leased(self, stored: store.StoredSession, now: datetime) -> bool:
        """A call holds the session: its lease runs and its process is not known to be gone
        (a killed service's lease is over at once, not after ``lease_seconds``)."""
        return (
            stored.claim_token is not None
            and stored.claim_expires_at is not None
            and now < stored.claim_expires_at
            and not holder.certainly_gone(stored.served_by)
        )

    def _call(
        self,
        ticket: str,
        event: CallEvent,
        enrich: Callable[[Connection, SessionState, datetime], CallEvent] | None = None,
    ) -> AnswerValue:
        """Run one call: claim the ticket, step the machine, do the work, persist."""
        if not ticket or len(ticket) > 64:
            return unknown_ticket_answer(event)
        key = ticket_hash(ticket)
        delay = 0.005
        while True:
            now = self._clock()
            with self.database.begin() as conn:
                stored = store.load_session(conn, key, lock=True)
                if stored is None:
                    return unknown_ticket_answer(event)
                if not self._leased(stored, now):
                    full = enrich(conn, stored.state, now) if enrich else event
                    step = transition(stored.state, full, now)
                    if isinstance(step.reply, Answer) and not step.effects:
                        store.save_session(conn, step.state, served_by=self._me)
                        return step.reply.value
                    token = secrets.token_hex(16)
                    lease_end = now + timedelta(seconds=self.config.lease_seconds)
                    store.save_session(
                        conn,
                        step.state,
                        claim_token=token,
                        claim_expires_at=lease_end,
                        served_by=self._me,
                    )
                    break
            self._sleep(delay)  # another call holds this ticket: wait for it (serialize)
            delay = min(delay * 2, 0.2)
        return self._drive(step, full, token, now)

    def _drive(self, step: Step, event: CallEvent, token: str, now: datetime) -> AnswerValue:
        try:
            while True:
                self._run_effects(step, now)
                if isinstance(step.reply, Answer):
                    break
                result = self._run_query(step.state, step.reply.query, now)
                step = transition(step.state, result, now)
        except Exception:
            log.exception("QBWC call failed for session %s", step.state.ticket_hash)
            step = internal_failure(step.state, event)
        self._finish(step.state, token)
        assert isinstance(step.reply, Answer)
        return step.reply.value

    def _finish(self, state: SessionState, token: str) -> None:
        with self.database.begin() as conn:
            if not store.finish_session(conn, state, token, served_by=self._me):
                log.warning("session %s changed hands while this call worked", state.ticket_hash)

    def _context(self, state: SessionState, now: datetime) -> SessionContext:
        return SessionContext(
            connection_id=state.connection_id,
            company_id=state.company_id,
            ticket=state.ticket_hash,
            qbxml_version=state.qbxml_version or "",
            country=state.country,
            now=now,
        )

    def _run_effects(self, step: Step, now: datetime) -> None:
        ctx = self._context(step.state, now)
        for effect in step.effects:
            if isinstance(effect, BeginWork):
                self.work.begin(ctx, effect.hcp_response)
            else:
                try:
                    self.work.end(ctx, effect.reason.value)
                except Exception:  # the session is over either way; keep the answer
                    log.exception("WorkSource.end failed for session %s", ctx.ticket)

    def _run_query(
        self, state: SessionState, query: Query, now: datetime
    ) -> NextRequestResult | Applied | WorkEnded:
        ctx = self._context(state, now)
        if isinstance(query, NextRequest):
            return NextRequestResult(self.work.next_request(ctx))
        if isinstance(query, ApplyResponse):
            return Applied(self.work.apply_response(ctx, query.response), query.digest)
        if isinstance(query, ApplyProcessorError):
            progress = self.work.apply_error(ctx, query.hresult, query.message)
            return Applied(progress, query.digest)
        assert isinstance(query, EndWork)
        return WorkEnded(self.work.end(ctx, query.reason.value))

    # ------------------------------------------------------------------ company check
    def _verdict(
        self,
        conn: Connection,
        state: SessionState,
        event: SendRequestXML,
        major: int | None,
        minor: int | None,
    ) -> CompanyVerdict:
        row = connections_store.get_connection(conn, state.connection_id)
        try:
            reading = company_check.read_hcp(event.hcp_response, row.owner_id)
        except HcpError as exc:
            return CompanyVerdict(None, str(exc))
        observed = CompanyIdentity(event.company_file, reading.company_name, reading.file_id)
        bound = row.bound_company
        verdict = company_check.judge(
            reading,
            observed,
            bound,
            row.file_id,
            major=major,
            minor=minor,
            supported_by_us=self.config.supported_versions,
        )
        if verdict.error is None and (bound is None or (reading.file_id and not bound.file_id)):
            # First connect (or first sight of our FileID): record what this connection is.
            connections_store.bind_company_identity(
                conn, row.id, observed, replace=bound is not None
            )
        return verdict

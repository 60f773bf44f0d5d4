"""The pure decisions made before a session exists: clientVersion and authenticate.

Owns: clientVersion's answer by the minimum Web Connector version (PG p.66: ``""``, ``W:``,
``E:``, ``O:``); the authenticate return array (PROTOCOL.md 1.3, 1.5; PG p.21-22, p.62-64)
(``[ticket, ""|path|"none"|"nvu"|"busy", postpone?, min_run_every?]``), the busy /
lost-response / superseded / taken-over rules against the other sessions of the connection:
``busy`` only while another session's call is being worked on by a live process, or while a
session waiting for the Web Connector's next call (READY, AUTHENTICATED) has been heard from
within its idle window and its service process is not known to be gone. Every other live
session is superseded: one expecting receiveResponseXML as a lost response, one expecting
closeConnection (DONE, ERROR) by just dropping its ticket (PROTOCOL.md 1.5, PG p.42, p.53).
Must not: do I/O, read the clock, hash passwords or generate tickets; the shell passes all in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from connector.qbwc.server.session import (
    BUSY_PHASES,
    Phase,
    SessionState,
    Step,
    Superseded,
    transition,
)


class AuthStatus(Enum):
    """authenticate's element [1] when it is not a company file path (PG p.62)."""

    NVU = "nvu"
    NONE = "none"
    BUSY = "busy"


@dataclass(frozen=True)
class AuthFacts:
    """Everything the shell learnt before deciding (credentials, connection, work)."""

    ticket: str
    """The new ticket, returned in [0]; only its hash (``ticket_hash``) goes into the state."""
    ticket_hash: str
    credentials_ok: bool
    """Password verified and the username not locked out."""
    connection_id: str = ""
    company_id: str = ""
    paused: bool = False
    held: str | None = None
    """Why the platform holds this connection (integration off, paused, consent withdrawn),
    in plain words; answered ``none`` with this text."""
    window_opens_in: int | None = None
    """Seconds until the sync window opens; ``None`` when inside it or there is no window."""
    has_work: bool = True
    company_file_path: str = ""
    """The bound company file path to return in [1], or ``""`` (the file currently open)."""
    min_run_every_seconds: int | None = None
    ttl_seconds: int = 1800
    max_noops: int = 3
    busy_postpone_seconds: int = 60
    ready_idle_seconds: int = 120
    """A READY session silent this long is abandoned (QBWC asks for the next request at once
    after receiveResponseXML), so it no longer makes a new authenticate ``busy``."""
    authenticated_idle_seconds: int = 600
    """Same for AUTHENTICATED: QBWC may spend minutes starting QuickBooks before its first
    sendRequestXML (uncertain how long; generous on purpose)."""
    other_call_running: bool = False
    """A call of another session of this connection is being worked on right now, by a
    service process not known to be gone."""
    orphaned: frozenset[str] = frozenset()
    """Ticket hashes of other sessions whose service process is known to be gone (killed and
    restarted): the Web Connector's next call to them failed and ended its update, so this
    authenticate is its new session; they are taken over at once, whatever their idle time."""


@dataclass(frozen=True)
class AuthDecision:
    result: tuple[str, ...]
    session: SessionState | None
    """The new session to store (``None`` for ``nvu``: nothing is stored for bad credentials)."""
    superseded: tuple[Step, ...] = ()
    """Transitions of the connection's older sessions (closed, expired or lost response)."""

    @property
    def status(self) -> str:
        return self.result[1]


def auth_result(
    ticket: str, status: str, postpone: int | None = None, min_run: int | None = None
) -> tuple[str, ...]:
    """The array QBWC reads; optional [2]/[3] only when meaningful (PG p.63 examples)."""
    items = [ticket, status]
    if postpone is not None or min_run is not None:
        items.append("" if postpone is None else str(postpone))
    if min_run is not None:
        items.append(str(min_run))
    return tuple(items)


def decide_authenticate(
    facts: AuthFacts, others: Sequence[SessionState], now: datetime
) -> AuthDecision:
    """Decide authenticate given the connection's other live sessions."""
    if not facts.credentials_ok:
        return AuthDecision(auth_result(facts.ticket, AuthStatus.NVU.value), None)
    if facts.other_call_running or any(_is_busy(other, facts, now) for other in others):
        return _no_work_session(facts, now, AuthStatus.BUSY, facts.busy_postpone_seconds, ())
    superseded = tuple(transition(other, Superseded(), now) for other in others)
    lost = any(other.phase is Phase.AWAITING_RESPONSE for other in others)
    if facts.held is not None:
        # ``none``, not ``nvu``: nvu means a wrong username or password (PG p.21, PROTOCOL.md
        # 1.3) and QBWC shows "Invalid password for username", which would send the business
        # re-typing a password that is right; and QBWC calls no getLastError after either
        # (PG p.21: it shows a message and calls closeConnection), so the explanation rides
        # on closeConnection's answer, which QBWC shows in its status column (PG p.68).
        return _no_work_session(facts, now, AuthStatus.NONE, None, superseded, facts.held)
    if facts.paused:
        return _no_work_session(facts, now, AuthStatus.NONE, None, superseded)
    if facts.window_opens_in is not None:
        return _no_work_session(facts, now, AuthStatus.NONE, facts.window_opens_in, superseded)
    if not (facts.has_work or lost):
        return _no_work_session(facts, now, AuthStatus.NONE, None, superseded)
    session = _new_session(facts, now, Phase.AUTHENTICATED, has_work=True)
    result = auth_result(facts.ticket, facts.company_file_path, None, facts.min_run_every_seconds)
    return AuthDecision(result, session, superseded)


def _is_busy(other: SessionState, facts: AuthFacts, now: datetime) -> bool:
    """Live, unexpired, served by a process still there, and heard from recently enough not
    to count as abandoned."""
    if other.phase not in BUSY_PHASES or now >= other.expires_at:
        return False
    if other.ticket_hash in facts.orphaned:
        return False
    idle = (now - other.updated_at).total_seconds()
    if other.phase is Phase.READY:
        return idle < facts.ready_idle_seconds
    return idle < facts.authenticated_idle_seconds


def _no_work_session(
    facts: AuthFacts,
    now: datetime,
    status: AuthStatus,
    postpone: int | None,
    superseded: tuple[Step, ...],
    why: str | None = None,
) -> AuthDecision:
    session = _new_session(facts, now, Phase.DONE, has_work=False)
    message = (
        why
        or {
            AuthStatus.BUSY: "Another session of this connection is running.",
            AuthStatus.NONE: "No data to exchange now.",
        }[status]
    )
    result = auth_result(facts.ticket, status.value, postpone, facts.min_run_every_seconds)
    return AuthDecision(result, _with_message(session, message), superseded)


def _with_message(session: SessionState, message: str) -> SessionState:
    return replace(session, last_error=message, summary=message)


def _new_session(facts: AuthFacts, now: datetime, phase: Phase, *, has_work: bool) -> SessionState:
    return SessionState(
        ticket_hash=facts.ticket_hash,
        connection_id=facts.connection_id,
        company_id=facts.company_id,
        phase=phase,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=facts.ttl_seconds),
        ttl_seconds=facts.ttl_seconds,
        max_noops=facts.max_noops,
        has_work=has_work,
        auth_path=facts.company_file_path,
    )


# ---------------------------------------------------------------------- clientVersion
def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = text.strip().split(".")
    if not 1 <= len(parts) <= 4 or not all(p.isdigit() and len(p) <= 6 for p in parts):
        return None
    return tuple(int(p) for p in parts) + (0,) * (4 - len(parts))


def client_version_reply(version: str | None, minimum: str) -> str:
    """clientVersion's answer (PG p.66): ``""`` proceed; ``O:<minimum>`` when older than the
    minimum (tells the user which version the service expects); ``E:`` when even the major
    version is older (cannot work); ``W:`` when the version cannot be read (let the user
    decide). No version at all (the call is optional) proceeds."""
    if version is None or not version.strip():
        return ""
    wanted = _version_tuple(minimum)
    given = _version_tuple(version)
    if wanted is None:
        raise ValueError(f"minimum Web Connector version {minimum!r} is not N.N.N.N")
    if given is None:
        return f"W:Unrecognised Web Connector version {version.strip()[:40]!r}; continue at your own risk."
    if given[0] < wanted[0]:
        return f"E:This service needs QuickBooks Web Connector {minimum} or later."
    if given < wanted:
        return f"O:{minimum}"
    return ""

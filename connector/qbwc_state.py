"""The Web Connector service's persisted values: a session's state and a lockout streak.

Owns: ``Phase``, ``LIVE_PHASES``, ``BUSY_PHASES``, ``SessionState`` and ``FailureRecord``,
pure frozen values shared by the layer that stores them (``connector.store.qbwc_sessions``)
and the one that decides with them (``connector.qbwc.server``: the session machine and the
lockout policy). Sitting below both keeps the import direction one way (qbxml <- store <-
qbwc).
Must not: import anything of ``connector``, hold logic or do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

__all__ = ["BUSY_PHASES", "LIVE_PHASES", "FailureRecord", "Phase", "SessionState"]


class Phase(Enum):
    AUTHENTICATED = "authenticated"
    """Ticket issued with work to do; the first sendRequestXML (with strHCPResponse) is next."""
    READY = "ready"
    """The last response is stored (or the session just began): may send the next request."""
    AWAITING_RESPONSE = "awaiting_response"
    """A request was sent; receiveResponseXML is expected."""
    DONE = "done"
    """Nothing left (or authenticate answered none/busy); closeConnection is expected."""
    ERROR = "error"
    """The session must end; getLastError explains; closeConnection is expected."""
    CLOSED = "closed"
    EXPIRED = "expired"


LIVE_PHASES = frozenset(
    {Phase.AUTHENTICATED, Phase.READY, Phase.AWAITING_RESPONSE, Phase.DONE, Phase.ERROR}
)
BUSY_PHASES = frozenset({Phase.AUTHENTICATED, Phase.READY})
"""A live session in these phases makes a new authenticate of its connection answer ``busy``."""


@dataclass(frozen=True)
class SessionState:
    ticket_hash: str
    """``connector.secrets.ticket_hash`` of the ticket authenticate gave the Web Connector: the
    session's key everywhere behind the SOAP edge (store, logs, ``SessionContext``); the
    ticket itself is never kept (issue 18 item 10)."""
    connection_id: str
    company_id: str
    phase: Phase
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    ttl_seconds: int
    max_noops: int = 3
    has_work: bool = True
    """False for sessions whose authenticate answered none/busy: no WorkSource calls at all."""
    auth_path: str = ""
    """authenticate's [1] when it was a company file path (enables one connectionError retry)."""
    qbxml_version: str | None = None
    country: str = "US"
    company_file: str = ""
    began: bool = False
    ended: bool = False
    requests_sent: int = 0
    responses_received: int = 0
    last_percent: int = 0
    last_response_digest: str | None = None
    last_error: str = ""
    noop_count: int = 0
    connection_errors: int = 0
    hresult: str | None = None
    summary: str = ""


@dataclass(frozen=True)
class FailureRecord:
    failures: int
    first_failure_at: datetime
    last_failure_at: datetime
    next_attempt_at: datetime | None = None
    locked_until: datetime | None = None

"""The values of the QBWC session machine: phases, session state, events, effects, steps.

Owns: the data ``connector.qbwc.session.transition`` works on and returns (frozen dataclasses
and Enums), and the store persists (``SessionState``). ``connector.qbwc.session`` re-exports
every name, so callers import from there.
Must not: hold logic or do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TypeAlias

from connector.qbwc.work import Progress


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

NOOP = "NoOp"
"""getLastError's special value: QBWC pauses ~5 s and calls sendRequestXML again (PG p.72)."""


class CloseReason(Enum):
    """Why a session ended; passed to ``WorkSource.end`` as its ``reason`` string."""

    DONE = "done"
    ERROR = "error"
    CLOSED_EARLY = "closed_early"
    CONNECTION_ERROR = "connection_error"
    LOST_RESPONSE = "lost_response"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SessionState:
    ticket: str
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


# ----------------------------------------------------------------------------- events
@dataclass(frozen=True)
class CompanyVerdict:
    """The shell's reading of the first strHCPResponse (see ``connector.qbwc.hcp``)."""

    qbxml_version: str | None
    error: str | None = None
    """Set when the version cannot be agreed or the company file is not the bound one."""


@dataclass(frozen=True)
class SendRequestXML:
    hcp_response: str
    company_file: str
    country: str
    verdict: CompanyVerdict | None = None
    """Present when ``hcp_response`` was non-empty and the shell read it."""


@dataclass(frozen=True)
class ReceiveResponseXML:
    response: str
    hresult: str
    message: str


@dataclass(frozen=True)
class ConnectionErrorCall:
    hresult: str
    message: str


@dataclass(frozen=True)
class GetLastError:
    pass


@dataclass(frozen=True)
class CloseConnection:
    pass


@dataclass(frozen=True)
class Superseded:
    """A new authenticate for the same connection arrived (PROTOCOL.md 1.5)."""


@dataclass(frozen=True)
class NextRequestResult:
    request: str | None


@dataclass(frozen=True)
class Applied:
    progress: Progress
    digest: str


@dataclass(frozen=True)
class WorkEnded:
    summary: str


CallEvent: TypeAlias = (
    SendRequestXML | ReceiveResponseXML | ConnectionErrorCall | GetLastError | CloseConnection
)
Event: TypeAlias = CallEvent | Superseded | NextRequestResult | Applied | WorkEnded


# ---------------------------------------------------------------------------- effects
@dataclass(frozen=True)
class BeginWork:
    hcp_response: str


@dataclass(frozen=True)
class EndWork:
    reason: CloseReason


@dataclass(frozen=True)
class NextRequest:
    pass


@dataclass(frozen=True)
class ApplyResponse:
    response: str
    digest: str


@dataclass(frozen=True)
class ApplyError:
    hresult: str
    message: str
    digest: str


Effect: TypeAlias = BeginWork | EndWork
Query: TypeAlias = NextRequest | ApplyResponse | ApplyError | EndWork
AnswerValue: TypeAlias = str | int | list[str]


@dataclass(frozen=True)
class Answer:
    value: AnswerValue


@dataclass(frozen=True)
class Await:
    query: Query


@dataclass(frozen=True)
class Step:
    state: SessionState
    reply: Answer | Await
    effects: tuple[Effect, ...] = ()


class ProtocolBug(Exception):
    """A result event arrived in a phase that never asks for it: a bug in the shell."""

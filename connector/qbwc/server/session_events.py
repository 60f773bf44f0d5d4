"""The values of the QBWC session machine besides its state: events, effects, queries, steps.

Owns: the data ``connector.qbwc.server.session.transition`` takes and returns (frozen
dataclasses and Enums). The state it steps (``SessionState``, ``Phase``) is persisted, so it
lives below the store in ``connector.qbwc_state``. ``connector.qbwc.server.session``
re-exports every name of both, so callers import from there.
Must not: hold logic or do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Progress
from connector.qbwc_state import SessionState

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


# ----------------------------------------------------------------------------- events
@dataclass(frozen=True)
class CompanyVerdict:
    """The shell's reading of the first strHCPResponse (see ``connector.qbwc.server.company_check``)."""

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
    response: Response
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
    response: Response
    digest: str


@dataclass(frozen=True)
class ApplyProcessorError:
    """Query: the request processor threw (receiveResponseXML carried an hresult, or an empty
    response); the shell calls ``WorkSource.apply_error``. Not an exception: the sync
    engine's ``connector.sync.upsert.ApplyError`` (a response QuickBooks should never send)
    is another thing, hence the name."""

    hresult: str
    message: str
    digest: str


Effect: TypeAlias = BeginWork | EndWork
Query: TypeAlias = NextRequest | ApplyResponse | ApplyProcessorError | EndWork
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

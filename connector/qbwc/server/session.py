"""The QBWC session state machine: pure ``transition(state, event, now) -> Step``.

Owns: the sequencing rules of one Web Connector session (PROTOCOL.md 1.2-1.5, programmer's
guide ch. 10): which call is acceptable in which phase, what each call answers, when a session
ends, expires or is superseded, and which WorkSource calls the shell must make. The decision
that creates sessions is ``authenticate.decide_authenticate``'s.
Must not: do I/O, read the clock, generate randomness, parse XML or know about SOAP. The shell
(``service``) passes tickets, the time and every outside fact in.

A ``Step`` carries the new state, fire-and-forget ``effects`` for the shell to run in order
(``BeginWork``, ``EndWork``), and a ``reply``: either an ``Answer`` (the value
the SOAP method returns) or an ``Await`` naming one WorkSource call whose result the shell
feeds back as the next event (``NextRequestResult``, ``Applied``, ``WorkEnded``).

Phases::

    AUTHENTICATED --sendRequestXML(HCP ok)--> READY --(request)--> AWAITING_RESPONSE
    AWAITING_RESPONSE --receiveResponseXML--> READY (0-99) | DONE (100) | ERROR (<0)
    any live --closeConnection--> CLOSED ; any live past expires_at --> EXPIRED
    AWAITING_RESPONSE --Superseded (authenticate again: lost response, PG p.53)--> CLOSED

About 360 lines: the phase rules of every call read in one place (50 of them re-export the
values callers import from here).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta

from connector.qbwc.server.session_events import (
    NOOP,
    Answer,
    AnswerValue,
    Applied,
    ApplyProcessorError,
    ApplyResponse,
    Await,
    BeginWork,
    CallEvent,
    CloseConnection,
    CloseReason,
    CompanyVerdict,
    ConnectionErrorCall,
    Effect,
    EndWork,
    Event,
    GetLastError,
    NextRequest,
    NextRequestResult,
    ProtocolBug,
    Query,
    ReceiveResponseXML,
    SendRequestXML,
    Step,
    Superseded,
    WorkEnded,
)
from connector.qbwc.server.text_spool import Response, slices
from connector.qbwc_state import BUSY_PHASES, LIVE_PHASES, Phase, SessionState

__all__ = [
    "BUSY_PHASES",
    "COUNTRY_MAX",
    "HRESULT_MAX",
    "LIVE_PHASES",
    "MESSAGE_MAX",
    "NOOP",
    "SERVICE_FAILURE",
    "UNKNOWN_TICKET",
    "Answer",
    "AnswerValue",
    "Applied",
    "ApplyProcessorError",
    "ApplyResponse",
    "Await",
    "BeginWork",
    "CallEvent",
    "CloseConnection",
    "CloseReason",
    "CompanyVerdict",
    "ConnectionErrorCall",
    "Effect",
    "EndWork",
    "Event",
    "GetLastError",
    "NextRequest",
    "NextRequestResult",
    "Phase",
    "ProtocolBug",
    "Query",
    "ReceiveResponseXML",
    "SendRequestXML",
    "SessionState",
    "Step",
    "Superseded",
    "WorkEnded",
    "internal_failure",
    "response_digest",
    "transition",
    "unknown_ticket_answer",
]


HRESULT_MAX = 32
"""hresults are ``0x`` + 8 hex digits; the client's text is clipped to this (the store's column)."""
COUNTRY_MAX = 8
"""qbXMLCountry is US, CA, UK... (PG p.80); clipped to the store's column."""
MESSAGE_MAX = 2000
"""connectionError's message as kept in getLastError's answer."""


_DIGEST_CHUNK = 1 << 20
"""Characters of a response encoded at a time for its digest (issue 12)."""


def response_digest(response: Response, hresult: str, message: str) -> str:
    """Identity of one receiveResponseXML, to recognise the same response sent twice: the
    SHA-256 of ``"\\x00".join((response, hresult, message))`` in UTF-8, hashed a slice at a
    time. Joined and encoded whole, a large company's 9 MB report was held twice more while
    its digest was taken, at the moment of the service's highest memory in a large sync."""
    digest = hashlib.sha256()
    for piece in slices(response, _DIGEST_CHUNK):
        digest.update(piece.encode())
    digest.update(f"\x00{hresult}\x00{message}".encode())
    return digest.hexdigest()


# ------------------------------------------------------------------------- transition
def transition(state: SessionState, event: Event, now: datetime) -> Step:
    """Apply one event to one session. Pure: same inputs, same ``Step``."""
    if state.phase in LIVE_PHASES and now >= state.expires_at:
        return _expire(state, event, now)
    if state.phase is Phase.EXPIRED:
        return Step(state, Answer(_dead_answer(event, state.last_error)))
    if state.phase is Phase.CLOSED:
        return _closed(state, event)
    touched = replace(state, updated_at=now, expires_at=now + timedelta(seconds=state.ttl_seconds))
    return _live(touched, event)


def _live(state: SessionState, event: Event) -> Step:
    if isinstance(event, SendRequestXML):
        return _send_request(state, event)
    if isinstance(event, NextRequestResult):
        return _next_request_result(state, event)
    if isinstance(event, ReceiveResponseXML):
        return _receive_response(state, event)
    if isinstance(event, Applied):
        return _applied(state, event)
    if isinstance(event, ConnectionErrorCall):
        return _connection_error(state, event)
    if isinstance(event, GetLastError):
        return Step(state, Answer(state.last_error))
    if isinstance(event, CloseConnection):
        return _close(state)
    if isinstance(event, WorkEnded):
        return _work_ended(state, event)
    return _superseded(state)


def _fail(state: SessionState, message: str, answer: AnswerValue) -> Step:
    """End the session's useful life: getLastError explains, closeConnection follows."""
    return Step(replace(state, phase=Phase.ERROR, last_error=message), Answer(answer))


def _send_request(state: SessionState, event: SendRequestXML) -> Step:
    if state.phase is Phase.AUTHENTICATED:
        return _first_send_request(state, event)
    if state.phase is Phase.READY:
        return Step(replace(state, last_error=""), Await(NextRequest()))
    if state.phase is Phase.AWAITING_RESPONSE:
        return _fail(
            state,
            "sendRequestXML arrived while the response to the previous request was still "
            "expected; ending the session so no request is lost or repeated.",
            "",
        )
    return Step(state, Answer(""))  # DONE / ERROR: getLastError repeats why


def _first_send_request(state: SessionState, event: SendRequestXML) -> Step:
    if _blank(event.hcp_response) or event.verdict is None:
        return _fail(
            state,
            "The Web Connector sent no company information (strHCPResponse) on the first "
            "sendRequestXML, so the company file cannot be verified (PG p.80).",
            "",
        )
    verdict = event.verdict
    if verdict.error is not None or verdict.qbxml_version is None:
        return _fail(state, verdict.error or "No qbXML version could be agreed.", "")
    began = replace(
        state,
        phase=Phase.READY,
        began=True,
        qbxml_version=verdict.qbxml_version,
        country=event.country.strip()[:COUNTRY_MAX] or state.country,
        company_file=event.company_file,
    )
    return Step(began, Await(NextRequest()), (BeginWork(event.hcp_response),))


def _next_request_result(state: SessionState, event: NextRequestResult) -> Step:
    if state.phase is not Phase.READY:
        raise ProtocolBug(f"NextRequestResult in phase {state.phase.value}")
    if event.request is not None:
        sent = replace(
            state,
            phase=Phase.AWAITING_RESPONSE,
            requests_sent=state.requests_sent + 1,
            noop_count=0,
            last_error="",
        )
        return Step(sent, Answer(event.request))
    if state.noop_count < state.max_noops:
        # PROTOCOL.md 1.4: "" then getLastError "NoOp" -> QBWC waits ~5 s and asks again.
        return Step(replace(state, noop_count=state.noop_count + 1, last_error=NOOP), Answer(""))
    return _fail(state, "No more data to exchange in this session.", "")


def _blank(text: Response) -> bool:
    """Empty or only whitespace, without the copy ``text.strip()`` makes: QuickBooks ends a
    response with whitespace (the recorded traffic in ``reference/soap`` and
    ``reference/responses``), so stripping one copied a whole page, or report."""
    return not text or text.isspace()


def _receive_response(state: SessionState, event: ReceiveResponseXML) -> Step:
    digest = response_digest(event.response, event.hresult, event.message)
    if state.phase is Phase.AWAITING_RESPONSE:
        if event.hresult.strip() or _blank(event.response):
            message = event.message if event.hresult.strip() else "empty response"
            return Step(state, Await(ApplyProcessorError(event.hresult.strip(), message, digest)))
        return Step(state, Await(ApplyResponse(event.response, digest)))
    if digest == state.last_response_digest:
        return Step(state, Answer(_percent_answer(state)))  # duplicate: answered already
    if state.phase is Phase.ERROR:
        return Step(state, Answer(-1))
    return _fail(state, "receiveResponseXML arrived without a pending request.", -1)


def _percent_answer(state: SessionState) -> int:
    if state.phase is Phase.ERROR:
        return -1
    return state.last_percent


def _applied(state: SessionState, event: Applied) -> Step:
    if state.phase is not Phase.AWAITING_RESPONSE:
        raise ProtocolBug(f"Applied in phase {state.phase.value}")
    stored = replace(
        state, responses_received=state.responses_received + 1, last_response_digest=event.digest
    )
    progress = event.progress
    if progress.error is not None:
        return _fail(replace(stored, last_percent=-1), progress.error, -1)
    if progress.percent >= 100:
        return Step(replace(stored, phase=Phase.DONE, last_percent=100), Answer(100))
    percent = max(0, min(99, progress.percent))
    return Step(replace(stored, phase=Phase.READY, last_percent=percent), Answer(percent))


def _connection_error(state: SessionState, event: ConnectionErrorCall) -> Step:
    hresult = event.hresult.strip()[:HRESULT_MAX]
    message = event.message.strip()[:MESSAGE_MAX]
    noted = replace(
        state,
        hresult=hresult,
        connection_errors=state.connection_errors + 1,
        last_error=f"QuickBooks connection error {hresult}: {message}".strip(),
    )
    if state.phase is Phase.AUTHENTICATED and state.auth_path and state.connection_errors == 0:
        # PG p.69: "" = retry with the company file currently open; the FileID check on the
        # first sendRequestXML still guards against a wrong file.
        return Step(noted, Answer(""))
    ended = replace(noted, phase=Phase.ERROR, ended=True)
    return Step(ended, Answer("done"), _end_effects(state, CloseReason.CONNECTION_ERROR))


def _end_effects(state: SessionState, reason: CloseReason) -> tuple[Effect, ...]:
    """Tell the WorkSource exactly once, and only for sessions that had work."""
    if not state.has_work or state.ended:
        return ()
    return (EndWork(reason),)


def _close_reason(state: SessionState) -> CloseReason:
    return {
        Phase.DONE: CloseReason.DONE,
        Phase.ERROR: CloseReason.ERROR,
        Phase.AWAITING_RESPONSE: CloseReason.LOST_RESPONSE,
    }.get(state.phase, CloseReason.CLOSED_EARLY)


def _close(state: SessionState) -> Step:
    if not state.has_work or state.ended:
        closed = replace(state, phase=Phase.CLOSED)
        return Step(closed, Answer(state.summary or state.last_error or "Session closed."))
    return Step(state, Await(EndWork(_close_reason(state))))


def _work_ended(state: SessionState, event: WorkEnded) -> Step:
    if state.ended or not state.has_work:
        raise ProtocolBug("WorkEnded for a session already ended")
    summary = event.summary or _default_summary(state)
    closed = replace(state, phase=Phase.CLOSED, ended=True, summary=summary)
    return Step(closed, Answer(summary))


def _default_summary(state: SessionState) -> str:
    text = f"{state.responses_received} of {state.requests_sent} requests processed."
    if state.phase is Phase.ERROR and state.last_error:
        return f"{text} Error: {state.last_error}"
    return text


def _superseded(state: SessionState) -> Step:
    reason = (
        CloseReason.LOST_RESPONSE
        if state.phase is Phase.AWAITING_RESPONSE
        else CloseReason.SUPERSEDED
    )
    message = (
        "A newer session started while this one still expected a response: the response "
        "was lost (PG p.53); the sync engine recovers it."
        if reason is CloseReason.LOST_RESPONSE
        else "A newer session of this connection replaced this one."
    )
    closed = replace(state, phase=Phase.CLOSED, ended=True, last_error=message)
    return Step(closed, Answer(message), _end_effects(state, reason))


def _expire(state: SessionState, event: Event, now: datetime) -> Step:
    message = "The session ticket expired; the Web Connector will start a new session."
    expired = replace(state, phase=Phase.EXPIRED, ended=True, updated_at=now, last_error=message)
    return Step(
        expired, Answer(_dead_answer(event, message)), _end_effects(state, CloseReason.EXPIRED)
    )


def _closed(state: SessionState, event: Event) -> Step:
    message = state.last_error or "This session is closed."
    if isinstance(event, CloseConnection):
        return Step(state, Answer(state.summary or message))
    return Step(state, Answer(_dead_answer(event, message)))


def _dead_answer(event: Event, message: str) -> AnswerValue:
    """What a closed, expired or unknown ticket answers to each call."""
    if isinstance(event, SendRequestXML):
        return ""  # QBWC then calls getLastError (PG p.72)
    if isinstance(event, ReceiveResponseXML):
        return -1
    if isinstance(event, ConnectionErrorCall):
        return "done"
    if isinstance(event, GetLastError | CloseConnection | Superseded):
        return message
    raise ProtocolBug(f"{type(event).__name__} for a session that is not live")


UNKNOWN_TICKET = "Unknown or expired session ticket; the Web Connector will start a new session."


def unknown_ticket_answer(event: CallEvent) -> AnswerValue:
    """The answer for a ticket the store does not know (never a fault: QBWC logs the text)."""
    return _dead_answer(event, UNKNOWN_TICKET)


SERVICE_FAILURE = "The service failed while handling this call; the session ends. Try again later."


def internal_failure(state: SessionState, event: Event) -> Step:
    """The shell's WorkSource call raised: end the session cleanly on the wire (PG p.72)."""
    if isinstance(event, CloseConnection):
        closed = replace(
            state,
            phase=Phase.CLOSED,
            ended=True,
            summary=SERVICE_FAILURE,
            last_error=SERVICE_FAILURE,
        )
        return Step(closed, Answer(SERVICE_FAILURE))
    failed = replace(state, phase=Phase.ERROR, last_error=SERVICE_FAILURE)
    return Step(failed, Answer(_dead_answer(event, SERVICE_FAILURE)))

"""The pure session machine: every (phase, event) pair, then whole sequences."""

from __future__ import annotations

import hashlib
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.qbwc.server import session as session_module
from connector.qbwc.server.session import (
    NOOP,
    UNKNOWN_TICKET,
    Answer,
    Applied,
    ApplyProcessorError,
    ApplyResponse,
    Await,
    BeginWork,
    CloseConnection,
    CloseReason,
    CompanyVerdict,
    ConnectionErrorCall,
    EndWork,
    Event,
    GetLastError,
    NextRequest,
    NextRequestResult,
    Phase,
    ProtocolBug,
    ReceiveResponseXML,
    SendRequestXML,
    SessionState,
    Step,
    Superseded,
    WorkEnded,
    internal_failure,
    response_digest,
    transition,
    unknown_ticket_answer,
)
from connector.qbwc.server.work import Progress

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(seconds=10)
HCP = "<QBXML><QBXMLMsgsRs><HostQueryRs/></QBXMLMsgsRs></QBXML>"
DUP = "<QBXML>old response</QBXML>"
DUP_DIGEST = response_digest(DUP, "", "")

EVENTS: dict[str, Event] = {
    "send-first": SendRequestXML(HCP, r"C:\co.qbw", "US", CompanyVerdict("13.0")),
    "send-no-hcp": SendRequestXML("", r"C:\co.qbw", "US"),
    "send-wrong-file": SendRequestXML(HCP, r"C:\x.qbw", "US", CompanyVerdict(None, "wrong file")),
    "receive-new": ReceiveResponseXML("<QBXML>new</QBXML>", "", ""),
    "receive-dup": ReceiveResponseXML(DUP, "", ""),
    "receive-hresult": ReceiveResponseXML("", "0x80040400", "parse error"),
    "connection-error": ConnectionErrorCall("0x80040408", "Could not start QuickBooks."),
    "get-last-error": GetLastError(),
    "close": CloseConnection(),
    "superseded": Superseded(),
    "next-request": NextRequestResult("<rq/>"),
    "next-none": NextRequestResult(None),
    "applied-50": Applied(Progress(50), "d1"),
    "applied-100": Applied(Progress(100), "d1"),
    "applied-error": Applied(Progress(0, error="bad data"), "d1"),
    "work-ended": WorkEnded("2 requests processed"),
}


def base(phase: Phase) -> SessionState:
    dead = phase in (Phase.CLOSED, Phase.EXPIRED)
    return SessionState(
        ticket_hash="t" * 64,
        connection_id="c1",
        company_id="co1",
        phase=phase,
        created_at=T0,
        updated_at=T0,
        expires_at=T0 + timedelta(minutes=30),
        ttl_seconds=1800,
        began=phase is not Phase.AUTHENTICATED,
        ended=dead,
        last_percent=100 if phase is Phase.DONE else 40,
        last_response_digest=None if phase is Phase.AUTHENTICATED else DUP_DIGEST,
        last_error={Phase.ERROR: "why", Phase.CLOSED: "closed", Phase.EXPIRED: "expired"}.get(
            phase, ""
        ),
        summary="all done" if phase is Phase.CLOSED else "",
    )


BUG = "bug"
A, R, W, D, E = (
    Phase.AUTHENTICATED,
    Phase.READY,
    Phase.AWAITING_RESPONSE,
    Phase.DONE,
    Phase.ERROR,
)
C, X = Phase.CLOSED, Phase.EXPIRED
SUPERSEDE_MSG = "A newer session of this connection replaced this one."
LOST_MSG = (
    "A newer session started while this one still expected a response: the response was lost "
    "(PG p.53); the sync engine recovers it."
)
END_CONN = (EndWork(CloseReason.CONNECTION_ERROR),)

# (phase, event) -> (next phase, reply, effects). reply: an answer value, a Query, or BUG.
TABLE: dict[tuple[Phase, str], tuple[Phase | None, object, tuple[object, ...]]] = {
    (A, "send-first"): (R, NextRequest(), (BeginWork(HCP),)),
    (A, "send-no-hcp"): (E, "", ()),
    (A, "send-wrong-file"): (E, "", ()),
    (A, "receive-new"): (E, -1, ()),
    (A, "receive-dup"): (E, -1, ()),
    (A, "receive-hresult"): (E, -1, ()),
    (A, "connection-error"): (E, "done", END_CONN),
    (A, "get-last-error"): (A, "", ()),
    (A, "close"): (A, EndWork(CloseReason.CLOSED_EARLY), ()),
    (A, "superseded"): (C, SUPERSEDE_MSG, (EndWork(CloseReason.SUPERSEDED),)),
    (A, "work-ended"): (C, "2 requests processed", ()),
    (R, "send-first"): (R, NextRequest(), ()),
    (R, "send-no-hcp"): (R, NextRequest(), ()),
    (R, "send-wrong-file"): (R, NextRequest(), ()),
    (R, "receive-new"): (E, -1, ()),
    (R, "receive-dup"): (R, 40, ()),
    (R, "receive-hresult"): (E, -1, ()),
    (R, "connection-error"): (E, "done", END_CONN),
    (R, "get-last-error"): (R, "", ()),
    (R, "close"): (R, EndWork(CloseReason.CLOSED_EARLY), ()),
    (R, "superseded"): (C, SUPERSEDE_MSG, (EndWork(CloseReason.SUPERSEDED),)),
    (R, "next-request"): (W, "<rq/>", ()),
    (R, "next-none"): (R, "", ()),
    (R, "work-ended"): (C, "2 requests processed", ()),
    (W, "send-first"): (E, "", ()),
    (W, "send-no-hcp"): (E, "", ()),
    (W, "send-wrong-file"): (E, "", ()),
    (W, "receive-new"): (W, ApplyResponse("<QBXML>new</QBXML>", "x"), ()),
    (W, "receive-dup"): (W, ApplyResponse(DUP, DUP_DIGEST), ()),
    (W, "receive-hresult"): (W, ApplyProcessorError("0x80040400", "parse error", "x"), ()),
    (W, "connection-error"): (E, "done", END_CONN),
    (W, "get-last-error"): (W, "", ()),
    (W, "close"): (W, EndWork(CloseReason.LOST_RESPONSE), ()),
    (W, "superseded"): (C, LOST_MSG, (EndWork(CloseReason.LOST_RESPONSE),)),
    (W, "applied-50"): (R, 50, ()),
    (W, "applied-100"): (D, 100, ()),
    (W, "applied-error"): (E, -1, ()),
    (W, "work-ended"): (C, "2 requests processed", ()),
    (D, "send-first"): (D, "", ()),
    (D, "send-no-hcp"): (D, "", ()),
    (D, "send-wrong-file"): (D, "", ()),
    (D, "receive-new"): (E, -1, ()),
    (D, "receive-dup"): (D, 100, ()),
    (D, "receive-hresult"): (E, -1, ()),
    (D, "connection-error"): (E, "done", END_CONN),
    (D, "get-last-error"): (D, "", ()),
    (D, "close"): (D, EndWork(CloseReason.DONE), ()),
    (D, "superseded"): (C, SUPERSEDE_MSG, (EndWork(CloseReason.SUPERSEDED),)),
    (D, "work-ended"): (C, "2 requests processed", ()),
    (E, "send-first"): (E, "", ()),
    (E, "send-no-hcp"): (E, "", ()),
    (E, "send-wrong-file"): (E, "", ()),
    (E, "receive-new"): (E, -1, ()),
    (E, "receive-dup"): (E, -1, ()),
    (E, "receive-hresult"): (E, -1, ()),
    (E, "connection-error"): (E, "done", END_CONN),
    (E, "get-last-error"): (E, "why", ()),
    (E, "close"): (E, EndWork(CloseReason.ERROR), ()),
    (E, "superseded"): (C, SUPERSEDE_MSG, (EndWork(CloseReason.SUPERSEDED),)),
    (E, "work-ended"): (C, "2 requests processed", ()),
    (C, "send-first"): (C, "", ()),
    (C, "send-no-hcp"): (C, "", ()),
    (C, "send-wrong-file"): (C, "", ()),
    (C, "receive-new"): (C, -1, ()),
    (C, "receive-dup"): (C, -1, ()),
    (C, "receive-hresult"): (C, -1, ()),
    (C, "connection-error"): (C, "done", ()),
    (C, "get-last-error"): (C, "closed", ()),
    (C, "close"): (C, "all done", ()),
    (C, "superseded"): (C, "closed", ()),
    (X, "send-first"): (X, "", ()),
    (X, "send-no-hcp"): (X, "", ()),
    (X, "send-wrong-file"): (X, "", ()),
    (X, "receive-new"): (X, -1, ()),
    (X, "receive-dup"): (X, -1, ()),
    (X, "receive-hresult"): (X, -1, ()),
    (X, "connection-error"): (X, "done", ()),
    (X, "get-last-error"): (X, "expired", ()),
    (X, "close"): (X, "expired", ()),
    (X, "superseded"): (X, "expired", ()),
}


def _cases() -> list[object]:
    return [
        pytest.param(phase, name, id=f"{phase.value}-{name}") for phase in Phase for name in EVENTS
    ]


def _same_query(actual: object, expected: object) -> bool:
    """Queries compare by type and payload; digests are checked separately."""
    if isinstance(expected, ApplyResponse | ApplyProcessorError) and type(actual) is type(expected):
        return all(
            getattr(actual, f) == getattr(expected, f)
            for f in ("response", "hresult", "message")
            if hasattr(expected, f)
        )
    return actual == expected


@pytest.mark.parametrize(("phase", "name"), _cases())
def test_every_phase_and_event(phase: Phase, name: str) -> None:
    state, event = base(phase), EVENTS[name]
    expected = TABLE.get((phase, name), (None, BUG, ()))
    if expected[1] == BUG:
        with pytest.raises(ProtocolBug):
            transition(state, event, NOW)
        return
    next_phase, reply, effects = expected
    step = transition(state, event, NOW)
    assert step.state.phase is next_phase
    assert step.effects == effects
    if isinstance(reply, int | str):
        assert step.reply == Answer(reply)
    else:
        assert isinstance(step.reply, Await) and _same_query(step.reply.query, reply)
    if next_phase in (A, R, W, D, E):
        assert step.state.expires_at == NOW + timedelta(seconds=1800)  # sliding expiry


def test_the_table_names_only_real_pairs() -> None:
    assert all(name in EVENTS for _, name in TABLE)
    assert len([p for p in TABLE if p[0] is R]) == 13


LIVE_CALLS = ["send-first", "receive-new", "connection-error", "get-last-error", "close"]


@pytest.mark.parametrize(
    ("phase", "name"),
    [pytest.param(p, n, id=f"{p.value}-{n}") for p in (A, R, W, D, E) for n in LIVE_CALLS],
)
def test_a_call_after_expiry_expires_the_session(phase: Phase, name: str) -> None:
    state = base(phase)
    step = transition(state, EVENTS[name], state.expires_at)
    assert step.state.phase is Phase.EXPIRED and step.state.ended
    assert step.effects == (EndWork(CloseReason.EXPIRED),)
    expected = {"send-first": "", "receive-new": -1, "connection-error": "done"}
    assert step.reply == Answer(expected.get(name, step.state.last_error))
    assert "expired" in step.state.last_error


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        pytest.param("send-first", "", id="send"),
        pytest.param("receive-new", -1, id="receive"),
        pytest.param("connection-error", "done", id="connection-error"),
        pytest.param("get-last-error", UNKNOWN_TICKET, id="get-last-error"),
        pytest.param("close", UNKNOWN_TICKET, id="close"),
    ],
)
def test_unknown_tickets_get_documented_answers(name: str, answer: object) -> None:
    event = EVENTS[name]
    assert isinstance(
        event,
        SendRequestXML | ReceiveResponseXML | ConnectionErrorCall | GetLastError | CloseConnection,
    )
    assert unknown_ticket_answer(event) == answer


# ------------------------------------------------------------------------- sequences
def run(state: SessionState, event: Event, *results: Event) -> tuple[SessionState, object]:
    """Step an event and feed the results the shell would, returning (state, answer)."""
    step: Step = transition(state, event, NOW)
    for result in results:
        assert isinstance(step.reply, Await)
        step = transition(step.state, result, NOW)
    assert isinstance(step.reply, Answer), step.reply
    return step.state, step.reply.value


def test_a_whole_session_done_then_closed() -> None:
    s, answer = run(base(A), EVENTS["send-first"], NextRequestResult("<r1/>"))
    assert (s.phase, answer, s.qbxml_version, s.requests_sent) == (W, "<r1/>", "13.0", 1)
    s, answer = run(s, ReceiveResponseXML("<a1/>", "", ""), Applied(Progress(50), "d1"))
    assert (s.phase, answer) == (R, 50)
    s, answer = run(s, SendRequestXML("", "", "US"), NextRequestResult("<r2/>"))
    s, answer = run(s, ReceiveResponseXML("<a2/>", "", ""), Applied(Progress(100), "d2"))
    assert (s.phase, answer, s.responses_received) == (D, 100, 2)
    s, answer = run(s, CloseConnection(), WorkEnded(""))
    assert (s.phase, answer) == (C, "2 of 2 requests processed.")
    assert run(s, CloseConnection())[1] == answer  # closing twice is harmless


def test_duplicate_receive_is_answered_without_storing_twice() -> None:
    s, _ = run(base(A), EVENTS["send-first"], NextRequestResult("<r1/>"))
    first = ReceiveResponseXML("<a1/>", "", "")
    s, answer = run(s, first, Applied(Progress(30), response_digest("<a1/>", "", "")))
    assert answer == 30
    again = transition(s, first, NOW)
    assert again.reply == Answer(30) and again.effects == ()
    assert again.state.responses_received == 1


def test_noop_then_give_up_after_max_noops() -> None:
    s = replace(base(R), max_noops=2)
    for _ in range(2):
        s, answer = run(s, SendRequestXML("", "", "US"), NextRequestResult(None))
        assert answer == "" and run(s, GetLastError())[1] == NOOP
    s, answer = run(s, SendRequestXML("", "", "US"), NextRequestResult(None))
    assert s.phase is E and answer == "" and "No more data" in s.last_error
    s, answer = run(replace(s, phase=R), SendRequestXML("", "", "US"), NextRequestResult("<r/>"))
    assert s.noop_count == 0 and answer == "<r/>"


def test_connection_error_retries_once_when_a_path_was_given() -> None:
    s = replace(base(A), auth_path=r"C:\co.qbw")
    s, answer = run(s, EVENTS["connection-error"])
    assert (s.phase, answer, s.hresult) == (A, "", "0x80040408")
    step = transition(s, EVENTS["connection-error"], NOW)
    assert step.reply == Answer("done") and step.effects == END_CONN
    s, answer = run(step.state, CloseConnection())
    assert s.phase is C and "0x80040408" in str(answer)


def test_sessions_without_work_close_with_their_message() -> None:
    s = replace(base(D), has_work=False, summary="No data to exchange now.")
    step = transition(s, CloseConnection(), NOW)
    assert step.reply == Answer("No data to exchange now.") and step.effects == ()
    assert transition(s, Superseded(), NOW).effects == ()


def test_internal_failure_ends_the_session_on_the_wire() -> None:
    for name, answer in (("send-first", ""), ("receive-new", -1), ("get-last-error", None)):
        step = internal_failure(base(R), EVENTS[name])
        assert step.state.phase is E
        assert step.reply == Answer(answer if answer is not None else step.state.last_error)
    closed = internal_failure(base(D), CloseConnection())
    assert closed.state.phase is C and closed.state.ended


@given(st.text(max_size=40), st.text(max_size=5), st.text(max_size=5), st.integers(1, 9))
def test_a_response_digest_hashed_in_slices_is_the_digest_of_the_whole(
    response: str, hresult: str, message: str, chunk: int
) -> None:
    """Digests stored by earlier versions still match the same response sent again."""
    whole = "\x00".join((response, hresult, message)).encode("utf-8", errors="surrogatepass")
    saved = session_module._DIGEST_CHUNK
    session_module._DIGEST_CHUNK = chunk
    try:
        try:
            digest = response_digest(response, hresult, message)
        except UnicodeEncodeError:  # a lone surrogate: the whole text does not encode either
            with pytest.raises(UnicodeEncodeError):
                "\x00".join((response, hresult, message)).encode()
            return
    finally:
        session_module._DIGEST_CHUNK = saved
    assert digest == hashlib.sha256(whole).hexdigest()


@pytest.mark.parametrize("response", ["", " ", "\r\n\t ", "\n"])
def test_a_blank_response_is_an_empty_response(response: str) -> None:
    step = transition(base(W), ReceiveResponseXML(response, "", ""), NOW)
    assert isinstance(step.reply, Await) and isinstance(step.reply.query, ApplyProcessorError)
    assert step.reply.query.message == "empty response"


def test_a_response_ending_with_a_line_break_is_not_copied_to_see_if_it_is_blank() -> None:
    """QuickBooks ends a response with a line break (``reference/responses``): stripping it
    to test for blankness copied the whole text (a large company's 9 MB report, issue 12)."""
    response = "<QBXML>" + "x" * 10_000_000 + "</QBXML>\n"  # the digest takes 2 MB at a time
    tracemalloc.start()
    try:
        step = transition(base(W), ReceiveResponseXML(response, "", ""), NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(step.reply, Await) and isinstance(step.reply.query, ApplyResponse)
    assert step.reply.query.response is response
    assert peak < len(response) // 2, peak

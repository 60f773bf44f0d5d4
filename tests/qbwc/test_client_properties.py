"""Property tests: whatever the service and QuickBooks answer, the client never raises, and it
keeps the Web Connector's invariants (call order, closeConnection, QuickBooks closed)."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from connector.processors.base import ProcessorError
from connector.qbwc.client import ClientConfig, SessionResult, run_session
from connector.qbwc.client.envelopes import FailureKind, QbwcMethod
from connector.qbwc.qwc import Qwc
from tests.qbwc.client_doubles import ScriptedProcessor, ScriptedService, request

QWC = Qwc(
    app_name="qbd-connector",
    app_url="https://sync.example.com/qbwc",
    app_support="https://sync.example.com/support",
    user_name="qbd-1",
    owner_id="{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}",
    file_id="{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}",
)
QB_ERRORS = st.sampled_from(
    [
        ProcessorError(0x80040408, "Could not start QuickBooks."),
        ProcessorError(0x8004040A, "A different company file is open."),
        ProcessorError(0x80040400, "QuickBooks found an error when parsing the provided XML."),
    ]
)


@st.composite
def services(draw: st.DrawFn) -> ScriptedService:
    n_requests = draw(st.integers(0, 6))
    requests = [draw(st.sampled_from(["", request(n)])) for n in range(n_requests)]
    fail = draw(
        st.dictionaries(
            st.sampled_from(list(QbwcMethod)), st.sampled_from(list(FailureKind)), max_size=2
        )
    )
    return ScriptedService(
        client_version_reply=draw(st.sampled_from(["", "W:upgrade", "E:no", "O:9.9", "Hi"])),
        auth_reply=draw(
            st.sampled_from(
                [
                    ("t", ""),
                    ("t", "nvu"),
                    ("", "nvu"),
                    ("t", "none", "30"),
                    ("t", "busy", "", "60"),
                    ("t", r"C:\a.qbw"),
                    ("t",),
                    (),
                ]
            )
        ),
        requests=deque(requests),
        percents=deque(draw(st.lists(st.integers(-5, 110), max_size=8))),
        last_errors=deque(
            draw(st.lists(st.sampled_from(["NoOp", "Interactive mode", "", "boom"]), max_size=8))
        ),
        connection_error_replies=deque(
            draw(st.lists(st.sampled_from(["done", "DONE", "", r"C:\b.qbw"]), max_size=3))
        ),
        fail=fail,
    )


@st.composite
def processors(draw: st.DrawFn) -> ScriptedProcessor:
    return ScriptedProcessor(
        fail_begin=deque(draw(st.lists(QB_ERRORS, max_size=3))),
        fail_requests={request(n): draw(QB_ERRORS) for n in draw(st.sets(st.integers(0, 5)))},
    )


@settings(max_examples=300, deadline=None)
@given(service=services(), processor=processors())
def test_the_client_survives_anything_and_keeps_its_invariants(
    service: ScriptedService, processor: ScriptedProcessor
) -> None:
    summary = run_session(
        QWC, "pw", service, processor, config=ClientConfig(max_noops=3), sleep=lambda _: None
    )
    calls = list(summary.calls)
    assert calls[:2] == ["serverVersion", "clientVersion"]
    assert [name for name, _ in service.log] == calls
    assert calls.count("closeConnection") <= 1
    authenticated = "authenticate" in calls and SessionResult.SOAP_ERROR is not summary.result
    if authenticated or "sendRequestXML" in calls or "connectionError" in calls:
        assert calls[-1] == "closeConnection"
    if any(c.startswith("begin_session") for c in processor.calls):
        assert processor.calls[-1] == "close_connection"
    sent = calls.count("receiveResponseXML")
    assert summary.requests_processed + summary.processor_errors == sent
    assert calls.count("connectionError") <= 2
    if summary.result is SessionResult.DONE:
        assert summary.percent is not None and summary.percent >= 100

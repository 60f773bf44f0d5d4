"""The QBWC client against scripted doubles: every way a session can end, call for call."""

from __future__ import annotations

from collections import deque

import pytest

from connector.processors.base import ProcessorError
from connector.qbwc.client import (
    ClientConfig,
    SessionResult,
    SessionSummary,
    next_run_in,
    run_session,
)
from connector.qbwc.client.envelopes import FailureKind, QbwcMethod
from connector.qbwc.client.host_queries import build_hcp_request, read_host
from connector.qbwc.qwc import Qwc
from connector.qbxml.errors import XmlInputError
from tests.qbwc.client_doubles import HCP, ScriptedProcessor, ScriptedService, request
from tests.refpaths import reference_path

QWC = Qwc(
    app_name="qbd-connector",
    app_url="https://sync.example.com/qbwc",
    app_support="https://sync.example.com/support",
    user_name="qbd-1",
    owner_id="{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}",
    file_id="{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}",
)
HEAD = ["serverVersion", "clientVersion", "authenticate"]
PAIR = ["sendRequestXML", "receiveResponseXML"]


def _run(service: ScriptedService, processor: ScriptedProcessor | None = None, **config: object):  # type: ignore[no-untyped-def]
    sleeps: list[float] = []
    summary = run_session(
        QWC,
        "secret",
        service,
        processor or ScriptedProcessor(),
        config=ClientConfig(**config),  # type: ignore[arg-type]
        sleep=sleeps.append,
    )
    return summary, sleeps


def test_done_session_call_for_call() -> None:
    service = ScriptedService(requests=deque([request(1), request(2)]), percents=deque([50, 100]))
    processor = ScriptedProcessor()
    summary, sleeps = _run(service, processor)
    assert summary.result is SessionResult.DONE
    assert list(summary.calls) == [*HEAD, *PAIR, *PAIR, "closeConnection"]
    assert [name for name, _ in service.log] == list(summary.calls)
    assert service.args("serverVersion") == [()]
    assert service.args("clientVersion") == [("2.3.0.215",)]
    assert service.args("authenticate") == [("qbd-1", "secret")]
    first, second = service.args("sendRequestXML")
    assert first == ("ticket-1", HCP, r"C:\Company Files\Acme.QBW", "US", 16, 0)
    assert second[1] == ""
    assert processor.calls == [
        "open_connection(qbd-connector)",
        "begin_session('')",
        "process_request(HCP)",
        "process_request",
        "process_request",
        "end_session",
        "close_connection",
    ]
    assert (summary.requests_processed, summary.processor_errors, summary.errors) == (2, 0, ())
    assert (summary.percent, summary.qbxml_version, summary.close_message) == (100, "16.0", "OK")
    assert sleeps == []


@pytest.mark.parametrize(
    ("status", "result"),
    [
        pytest.param("nvu", SessionResult.INVALID_USER, id="nvu"),
        pytest.param("none", SessionResult.NO_WORK, id="none"),
        pytest.param("NONE", SessionResult.NO_WORK, id="none-uppercase"),
        pytest.param("busy", SessionResult.BUSY, id="busy"),
    ],
)
def test_authenticate_stops(status: str, result: SessionResult) -> None:
    service = ScriptedService(auth_reply=("t", status, "600", "300"))
    processor = ScriptedProcessor()
    summary, _ = _run(service, processor)
    assert summary.result is result
    assert list(summary.calls) == [*HEAD, "closeConnection"]
    assert (summary.postpone_seconds, summary.min_run_seconds) == (600, 300)
    assert processor.calls == []
    assert any("QBWC1040" in e for e in summary.errors) == (result is SessionResult.INVALID_USER)


@pytest.mark.parametrize("status", ["", r"C:\Company Files\Acme.QBW"])
def test_a_postponed_update_is_discontinued(status: str) -> None:
    """PG p.62-63 examples 1 and 3: a normal [1] with [2] seconds still postpones."""
    service = ScriptedService(auth_reply=("t", status, "60", "300"), requests=deque([request(1)]))
    processor = ScriptedProcessor()
    summary, _ = _run(service, processor)
    assert summary.result is SessionResult.POSTPONED
    assert list(summary.calls) == [*HEAD, "closeConnection"]
    assert (summary.postpone_seconds, summary.min_run_seconds) == (60, 300)
    assert processor.calls == [] and summary.errors == ()


@pytest.mark.parametrize("postpone", ["", "0"])
def test_no_postpone_goes_ahead(postpone: str) -> None:
    service = ScriptedService(auth_reply=("t", "", postpone, "300"), requests=deque([request(1)]))
    assert _run(service)[0].result is SessionResult.DONE


@pytest.mark.parametrize(
    ("postpone", "min_run", "every", "expected"),
    [
        pytest.param(None, None, 600, 600, id="schedule-only"),
        pytest.param(None, 3600, 600, 3600, id="min-run-raises-the-interval"),
        pytest.param(None, 60, 600, 600, id="min-run-below-the-interval"),
        pytest.param(90, 3600, 600, 90, id="postpone-wins"),
        pytest.param(0, None, 600, 600, id="zero-postpone"),
        pytest.param(90, 3600, None, None, id="no-auto-run"),
    ],
)
def test_next_run_honours_postpone_and_minimum_interval(
    postpone: int | None, min_run: int | None, every: int | None, expected: int | None
) -> None:
    summary = SessionSummary(
        SessionResult.DONE, (), postpone_seconds=postpone, min_run_seconds=min_run
    )
    assert next_run_in(summary, every) == expected


def test_next_run_refuses_a_bad_interval() -> None:
    with pytest.raises(ValueError, match="positive"):
        next_run_in(SessionSummary(SessionResult.DONE, ()), 0)


def test_authenticate_with_empty_optional_elements() -> None:
    summary, _ = _run(ScriptedService(auth_reply=("t", "none", "", "")))
    assert (summary.postpone_seconds, summary.min_run_seconds) == (None, None)


@pytest.mark.parametrize("reply", ["E:upgrade now", "O:2.3.0.300"])
def test_client_version_error_or_outdated_stops_before_authenticate(reply: str) -> None:
    summary, _ = _run(ScriptedService(client_version_reply=reply))
    assert summary.result is SessionResult.CLIENT_VERSION_REJECTED
    assert list(summary.calls) == ["serverVersion", "clientVersion"]
    assert "QBWC1037" in summary.errors[0]


def test_client_version_warning_continues() -> None:
    service = ScriptedService(client_version_reply="W:please upgrade", requests=deque([request(1)]))
    summary, _ = _run(service)
    assert summary.result is SessionResult.DONE
    assert summary.warnings == ("clientVersion warning: please upgrade",)


def test_optional_version_calls_may_fail() -> None:
    service = ScriptedService(
        fail={
            QbwcMethod.SERVER_VERSION: FailureKind.FAULT,
            QbwcMethod.CLIENT_VERSION: FailureKind.FAULT,
        },
        requests=deque([request(1)]),
    )
    summary, _ = _run(service)
    assert summary.result is SessionResult.DONE
    assert len(summary.warnings) == 2
    assert "authenticate" in summary.calls


def test_unreadable_client_version_reply_stops_the_update() -> None:
    service = ScriptedService(fail={QbwcMethod.CLIENT_VERSION: FailureKind.MALFORMED})
    summary, _ = _run(service)
    assert summary.result is SessionResult.SOAP_ERROR
    assert summary.errors[0].startswith("QBWC1046")
    assert list(summary.calls) == ["serverVersion", "clientVersion"]


def test_quickbooks_not_running_goes_to_connection_error() -> None:
    processor = ScriptedProcessor(
        fail_begin=deque([ProcessorError(0x80040408, "Could not start QuickBooks.")])
    )
    service = ScriptedService(auth_reply=("t", r"C:\Acme.QBW"))
    summary, _ = _run(service, processor)
    assert summary.result is SessionResult.CONNECTION_ERROR
    assert list(summary.calls) == [*HEAD, "connectionError", "closeConnection"]
    assert service.args("connectionError") == [("t", "0x80040408", "Could not start QuickBooks.")]
    assert "QBWC1013" in summary.errors[0]
    assert processor.calls == [
        "open_connection(qbd-connector)",
        r"begin_session('C:\\Acme.QBW')",
        "close_connection",
    ]


def test_connection_error_path_is_retried_once() -> None:
    failure = ProcessorError(0x80040406, "Invalid company file name")
    processor = ScriptedProcessor(fail_begin=deque([failure]))
    service = ScriptedService(
        connection_error_replies=deque([r"C:\Other.QBW"]), requests=deque([request(1)])
    )
    summary, _ = _run(service, processor)
    assert summary.result is SessionResult.DONE
    assert summary.company_file == r"C:\Other.QBW"
    assert processor.calls[:3] == [
        "open_connection(qbd-connector)",
        "begin_session('')",
        r"begin_session('C:\\Other.QBW')",
    ]


def test_connection_error_retry_is_capped_at_one() -> None:
    failure = ProcessorError(0x80040408, "Could not start QuickBooks.")
    processor = ScriptedProcessor(fail_begin=deque([failure, failure, failure]))
    service = ScriptedService(connection_error_replies=deque(["", "", ""]))
    summary, _ = _run(service, processor)
    assert summary.result is SessionResult.CONNECTION_ERROR
    assert summary.calls.count("connectionError") == 2
    assert sum(c.startswith("begin_session") for c in processor.calls) == 2


def test_parse_error_hresult_mid_session() -> None:
    bad = request(2)
    processor = ScriptedProcessor(
        fail_requests={
            bad: ProcessorError(
                0x80040400, "QuickBooks found an error when parsing the provided XML text stream."
            )
        }
    )
    service = ScriptedService(
        requests=deque([request(1), bad]),
        percents=deque([50, -1]),
        last_errors=deque(["QuickBooks could not parse a request"]),
    )
    summary, _ = _run(service, processor)
    assert summary.result is SessionResult.SERVICE_ERROR
    assert list(summary.calls) == [*HEAD, *PAIR, *PAIR, "getLastError", "closeConnection"]
    _, second = service.args("receiveResponseXML")
    assert second == (
        "ticket-1",
        "",
        "0x80040400",
        "QuickBooks found an error when parsing the provided XML text stream.",
    )
    assert (summary.requests_processed, summary.processor_errors) == (1, 1)
    assert summary.last_error == "QuickBooks could not parse a request"


def test_noop_waits_then_asks_again() -> None:
    service = ScriptedService(
        requests=deque(["", "", request(1)]), last_errors=deque(["NoOp", "NoOp"])
    )
    summary, sleeps = _run(service, noop_wait_seconds=5.0)
    assert summary.result is SessionResult.DONE
    assert list(summary.calls) == [
        *HEAD,
        "sendRequestXML",
        "getLastError",
        "sendRequestXML",
        "getLastError",
        *PAIR,
        "closeConnection",
    ]
    assert sleeps == [5.0, 5.0]
    assert summary.noops == 2
    hcps = [args[1] for args in service.args("sendRequestXML")]
    assert hcps == [HCP, "", ""]


def test_noops_are_capped() -> None:
    service = ScriptedService(requests=deque([""] * 10), last_errors=deque(["NoOp"] * 10))
    summary, sleeps = _run(service, max_noops=3)
    assert summary.result is SessionResult.NOOP_LIMIT
    assert len(sleeps) == 3
    assert summary.calls[-1] == "closeConnection"


@pytest.mark.parametrize(
    ("text", "result"),
    [
        pytest.param("Interactive mode", SessionResult.INTERACTIVE_NOT_SUPPORTED, id="interactive"),
        pytest.param("The company file is not the one", SessionResult.SERVICE_ERROR, id="error"),
        pytest.param("", SessionResult.NO_REQUEST, id="empty"),
    ],
)
def test_empty_request_with_other_last_errors_closes(text: str, result: SessionResult) -> None:
    service = ScriptedService(requests=deque([""]), last_errors=deque([text]))
    summary, _ = _run(service)
    assert summary.result is result
    assert list(summary.calls) == [*HEAD, "sendRequestXML", "getLastError", "closeConnection"]
    assert summary.last_error == text


def test_url_refused_makes_no_call() -> None:
    service = ScriptedService()
    for url, code in (
        ("http://127.0.0.1:8000/qbwc", "QBWC1001"),
        ("http://sync.example.com/qbwc", "QBWC1010"),
    ):
        qwc = Qwc(**{**QWC.__dict__, "app_url": url})
        summary = run_session(qwc, "p", service, ScriptedProcessor())
        assert summary.result is SessionResult.URL_REFUSED
        assert summary.errors[0].startswith(code)
    assert service.log == []


@pytest.mark.parametrize(
    ("method", "code"),
    [
        pytest.param(QbwcMethod.AUTHENTICATE, "QBWC1012", id="authenticate"),
        pytest.param(QbwcMethod.SEND_REQUEST_XML, "QBWC1041", id="sendRequestXML"),
        pytest.param(QbwcMethod.RECEIVE_RESPONSE_XML, "QBWC1042", id="receiveResponseXML"),
        pytest.param(QbwcMethod.CLOSE_CONNECTION, "QBWC1044", id="closeConnection"),
    ],
)
def test_call_failures_map_to_qbwc_codes(method: QbwcMethod, code: str) -> None:
    service = ScriptedService(requests=deque([request(1)]), fail={method: FailureKind.MALFORMED})
    summary, _ = _run(service)
    assert any(e.startswith(code) for e in summary.errors), summary.errors
    if method is not QbwcMethod.CLOSE_CONNECTION:
        assert summary.result is SessionResult.SOAP_ERROR
    if method is not QbwcMethod.AUTHENTICATE:
        assert summary.calls[-1] == "closeConnection"


def test_certificate_failure_is_qbwc1048() -> None:
    service = ScriptedService(fail={QbwcMethod.AUTHENTICATE: FailureKind.CERTIFICATE})
    summary, _ = _run(service)
    assert summary.errors[0].startswith("QBWC1048")


def test_short_authenticate_answer_is_an_error() -> None:
    summary, _ = _run(ScriptedService(auth_reply=("only-ticket",)))
    assert summary.result is SessionResult.SOAP_ERROR
    assert summary.errors[0].startswith("QBWC1012")


def test_host_query_failure_is_qbwc1014() -> None:
    processor = ScriptedProcessor(hcp="<QBXML><QBXMLMsgsRs/></QBXML>")
    service = ScriptedService()
    summary, _ = _run(service, processor)
    assert summary.result is SessionResult.HCP_FAILED
    assert "QBWC1014" in summary.errors[0]
    assert list(summary.calls) == [*HEAD, "closeConnection"]
    assert processor.calls[-2:] == ["end_session", "close_connection"]


def test_request_limit_stops_a_looping_service() -> None:
    service = ScriptedService(
        requests=deque([request(n) for n in range(10)]), percents=deque([1] * 10)
    )
    summary, _ = _run(service, max_requests=3)
    assert summary.result is SessionResult.REQUEST_LIMIT
    assert summary.requests_processed == 3


def test_hcp_request_asks_for_the_applications_data_extensions() -> None:
    text = build_hcp_request("13.0", QWC.owner_id)
    assert '<?qbxml version="13.0"?>' in text
    assert f"<OwnerID>{QWC.owner_id}</OwnerID>" in text
    assert (
        text.index("HostQueryRq") < text.index("CompanyQueryRq") < text.index("PreferencesQueryRq")
    )


def test_read_host_on_real_strhcpresponse() -> None:
    path = reference_path(
        "responses",
        "consolibyte-log-2008",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2006.xml",
    )
    assert read_host(path.read_text()) == ("US", (5, 0))


def test_read_host_refuses_the_broken_2014_sample() -> None:
    path = reference_path(
        "responses",
        "qbwc-qbwc",
        "strHCPResponse_HostQueryRs_CompanyQueryRs_PreferencesQueryRs_QBPro2014.xml",
    )
    with pytest.raises(XmlInputError):
        read_host(path.read_text())


def test_summary_to_dict_is_json_ready() -> None:
    import json

    summary, _ = _run(ScriptedService(requests=deque([request(1)])))
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["result"] == "done"
    assert data["calls"][:3] == HEAD

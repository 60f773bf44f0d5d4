"""The client over real HTTP(S) on loopback (uvicorn), against a scripted SOAP service:
HTTPS with a self-signed CA, the URL rules, and the QBWC error codes for broken replies."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from pathlib import Path

import pytest

from connector.qbwc.client import ClientConfig, SessionResult, SessionSummary, run_session
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbwc.qwc import Qwc
from qbd_emulator.child_service import free_port
from tests.qbwc.client_doubles import ScriptedProcessor, ScriptedService, request
from tests.qbwc.client_server import ScriptedSoapApp, self_signed_cert, serve

QWC = Qwc(
    app_name="qbd-connector",
    app_url="http://localhost/qbwc",
    app_support="http://localhost/support",
    user_name="qbd-1",
    owner_id="{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}",
    file_id="{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}",
)


def _session(url: str, verify: bool | str = True, timeout: float = 10.0) -> SessionSummary:
    qwc = replace(QWC, app_url=url)
    with HttpxTransport(url, verify=verify, timeout=timeout) as transport:
        return run_session(
            qwc,
            "secret",
            SoapQbwcService(transport),
            ScriptedProcessor(),
            config=ClientConfig(noop_wait_seconds=0),
            sleep=lambda _: None,
        )


def test_done_session_over_http_localhost() -> None:
    service = ScriptedService(requests=deque([request(1), request(2)]), percents=deque([50, 100]))
    app = ScriptedSoapApp(service)
    with serve(app) as port:
        summary = _session(f"http://localhost:{port}/qbwc")
    assert summary.result is SessionResult.DONE, summary.errors
    assert summary.requests_processed == 2
    assert app.actions == [f'"http://developer.intuit.com/{c}"' for c in summary.calls]
    assert [name for name, _ in service.log] == list(summary.calls)


def test_https_with_a_self_signed_ca(tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    service = ScriptedService(requests=deque([request(1)]))
    with serve(ScriptedSoapApp(service), ssl_certfile=str(cert), ssl_keyfile=str(key)) as port:
        url = f"https://localhost:{port}/qbwc"
        trusted = _session(url, verify=str(cert))
        untrusted = _session(url, verify=True)
    assert trusted.result is SessionResult.DONE, trusted.errors
    assert untrusted.result is SessionResult.SOAP_ERROR
    assert untrusted.errors[0].startswith("QBWC1048")
    assert "authenticate" not in [name for name, _ in service.log[len(trusted.calls) :]]


def test_plain_http_to_an_ip_address_is_refused_before_any_call() -> None:
    service = ScriptedService()
    with serve(ScriptedSoapApp(service)) as port:
        summary = _session(f"http://127.0.0.1:{port}/qbwc")
    assert summary.result is SessionResult.URL_REFUSED
    assert [e.split(":")[0] for e in summary.errors] == ["QBWC1001", "QBWC1010"]
    assert service.log == []


@pytest.mark.parametrize(
    ("method", "raw", "code"),
    [
        pytest.param(
            "receiveResponseXML",
            b"<br />\n<b>Warning</b>: mysql_connect(): Access denied",
            "QBWC1042",
            id="php-warning",
        ),
        pytest.param("sendRequestXML", b"", "QBWC1041", id="empty-body"),
        pytest.param(
            "authenticate",
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
            "QBWC1012",
            id="entities",
        ),
    ],
)
def test_broken_replies_give_qbwc_codes(method: str, raw: bytes, code: str) -> None:
    service = ScriptedService(requests=deque([request(1)]))
    with serve(ScriptedSoapApp(service, raw={method: raw})) as port:
        summary = _session(f"http://localhost:{port}/qbwc")
    assert summary.result is SessionResult.SOAP_ERROR
    assert any(e.startswith(code) for e in summary.errors), summary.errors


def test_soap_fault_from_receive_response_is_qbwc1042() -> None:
    from connector.qbwc.client.envelopes import FailureKind, QbwcMethod

    service = ScriptedService(
        requests=deque([request(1)]), fail={QbwcMethod.RECEIVE_RESPONSE_XML: FailureKind.FAULT}
    )
    with serve(ScriptedSoapApp(service)) as port:
        summary = _session(f"http://localhost:{port}/qbwc")
    assert summary.errors[0].startswith("QBWC1042")
    assert "scripted failure" in summary.errors[0]
    assert summary.calls[-1] == "closeConnection"


def test_no_server_listening() -> None:
    summary = _session(f"http://localhost:{free_port()}/qbwc", timeout=5.0)
    assert summary.result is SessionResult.SOAP_ERROR
    assert summary.errors[0].startswith("QBWC1012")
    assert len(summary.warnings) == 2  # serverVersion and clientVersion failed first

"""The client's SOAP layer: envelopes byte-for-byte as QBWC sends them, replies read strictly,
and the httpx transport (headers, retry policy, failures) through httpx.MockTransport."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from connector.qbwc.client.envelopes import (
    SOAP_ENV,
    TNS,
    FailureKind,
    HttpReply,
    QbwcMethod,
    SoapCallError,
    build_request,
    read_array_result,
    read_int_result,
    read_string_result,
)
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbxml.safexml import parse_document
from tests.refpaths import reference_path

LOG = ("soap", "consolibyte-log-2008")


def _params(raw: bytes) -> tuple[QbwcMethod, tuple[tuple[str, str], ...]]:
    root = parse_document(raw)
    call = root.find(f"{{{SOAP_ENV}}}Body")[0]  # type: ignore[index]
    method = QbwcMethod(etree.QName(call).localname)
    return method, tuple((etree.QName(c).localname, c.text or "") for c in call)


@pytest.mark.parametrize(
    "name",
    [
        "01_serverVersion.xml",
        "02_clientVersion.xml",
        "03_authenticate.xml",
        "04_sendRequestXML_firstcall_with_strHCPResponse.xml",
        "05_receiveResponseXML.xml",
        "06_sendRequestXML_subsequent_empty_strHCPResponse.xml",
        "07_getLastError.xml",
        "08_closeConnection.xml",
    ],
)
def test_envelopes_are_byte_identical_to_the_recorded_qbwc_session(name: str) -> None:
    raw = reference_path(*LOG, name).read_bytes()
    method, params = _params(raw)
    assert build_request(method, params) == raw


def test_service_sends_the_recorded_bytes() -> None:
    """The typed client call produces the same bytes as the recorded sendRequestXML."""
    raw = reference_path(*LOG, "06_sendRequestXML_subsequent_empty_strHCPResponse.xml").read_bytes()
    sent: list[tuple[QbwcMethod, bytes]] = []

    class Recorder:
        def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
            sent.append((method, envelope))
            return _reply("sendRequestXML", "<sendRequestXMLResult />")

    service = SoapQbwcService(Recorder())
    answer = service.send_request_xml(
        "ea0bf596246b623664adb465cc8662a2", "", r"C:\KPALMER\QBW\Test Company.QBW", "US", 5, 0
    )
    assert answer == ""
    assert sent == [(QbwcMethod.SEND_REQUEST_XML, raw)]


def _reply(method: str, inner: str, prefix: str = "") -> HttpReply:
    ns = f' xmlns="{TNS}"' if not prefix else f' xmlns:{prefix}="{TNS}"'
    p = f"{prefix}:" if prefix else ""
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}">'
        f"<soap:Body><{p}{method}Response{ns}>{inner}</{p}{method}Response></soap:Body>"
        "</soap:Envelope>"
    )
    return HttpReply(200, body.encode())


def test_reads_results_with_any_prefix() -> None:
    auth = _reply(
        "authenticate",
        "<tns:authenticateResult><tns:string>t1</tns:string><tns:string>none</tns:string>"
        "<tns:string>60</tns:string></tns:authenticateResult>",
        prefix="tns",
    )
    assert read_array_result(QbwcMethod.AUTHENTICATE, auth) == ("t1", "none", "60")
    pct = _reply("receiveResponseXML", "<receiveResponseXMLResult>42</receiveResponseXMLResult>")
    assert read_int_result(QbwcMethod.RECEIVE_RESPONSE_XML, pct) == 42
    text = _reply("getLastError", "<getLastErrorResult>NoOp</getLastErrorResult>")
    assert read_string_result(QbwcMethod.GET_LAST_ERROR, text) == "NoOp"
    null = _reply("getLastError", "")
    assert read_string_result(QbwcMethod.GET_LAST_ERROR, null) == ""


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        pytest.param(
            HttpReply(
                500,
                (
                    f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body><s:Fault><faultcode>s:Server'
                    "</faultcode><faultstring>boom</faultstring></s:Fault></s:Body></s:Envelope>"
                ).encode(),
            ),
            FailureKind.FAULT,
            id="fault",
        ),
        pytest.param(
            HttpReply(200, b"<html>Warning: mysql</html"), FailureKind.MALFORMED, id="php"
        ),
        pytest.param(HttpReply(200, b""), FailureKind.MALFORMED, id="empty"),
        pytest.param(HttpReply(404, b"Not Found"), FailureKind.HTTP, id="404"),
        pytest.param(
            HttpReply(502, b"<html><body>Bad</body></html>"), FailureKind.HTTP, id="502-xml"
        ),
        pytest.param(
            HttpReply(200, f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body/></s:Envelope>'.encode()),
            FailureKind.MALFORMED,
            id="no-response-element",
        ),
        pytest.param(
            _reply("receiveResponseXML", "<receiveResponseXMLResult>x</receiveResponseXMLResult>"),
            FailureKind.MALFORMED,
            id="not-an-int",
        ),
        pytest.param(
            HttpReply(200, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'),
            FailureKind.MALFORMED,
            id="entities",
        ),
    ],
)
def test_bad_replies_become_call_errors(reply: HttpReply, kind: FailureKind) -> None:
    with pytest.raises(SoapCallError) as info:
        read_int_result(QbwcMethod.RECEIVE_RESPONSE_XML, reply)
    assert info.value.kind is kind


def test_wrong_namespace_is_malformed() -> None:
    body = (
        f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body><getLastErrorResponse xmlns="urn:other">'
        "<getLastErrorResult>x</getLastErrorResult></getLastErrorResponse></s:Body></s:Envelope>"
    )
    with pytest.raises(SoapCallError) as info:
        read_string_result(QbwcMethod.GET_LAST_ERROR, HttpReply(200, body.encode()))
    assert info.value.kind is FailureKind.MALFORMED


def test_httpx_transport_sends_qbwc_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=_reply("serverVersion", "").body)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with HttpxTransport("https://sync.example.com/qbwc", client=client) as transport:
        assert SoapQbwcService(transport).server_version() == ""
    request = seen[0]
    assert request.headers["SOAPAction"] == '"http://developer.intuit.com/serverVersion"'
    assert request.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert request.content == build_request(QbwcMethod.SERVER_VERSION)


def test_connect_failures_are_retried_once_then_reported() -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ConnectError("refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    service = SoapQbwcService(HttpxTransport("https://x.example.com/q", client=client))
    with pytest.raises(SoapCallError) as info:
        service.authenticate("u", "p")
    assert info.value.kind is FailureKind.TRANSPORT
    assert len(attempts) == 2


def test_a_connect_failure_then_success_goes_through() -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, content=_reply("clientVersion", "").body)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    assert (
        SoapQbwcService(HttpxTransport("https://x.example.com/q", client=client)).client_version(
            "2.3.0.215"
        )
        == ""
    )
    assert len(attempts) == 2


def test_timeouts_are_never_retried() -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    service = SoapQbwcService(HttpxTransport("https://x.example.com/q", client=client))
    with pytest.raises(SoapCallError) as info:
        service.receive_response_xml("t", "<QBXML/>", "", "")
    assert info.value.kind is FailureKind.TRANSPORT
    assert len(attempts) == 1


@settings(max_examples=300, deadline=None)
@given(status=st.sampled_from([200, 400, 500, 502]), body=st.binary(max_size=400))
def test_any_bytes_give_a_result_or_a_call_error(status: int, body: bytes) -> None:
    """Whatever comes back, reading it raises only SoapCallError (QBWC then reports a code)."""
    for method, read in (
        (QbwcMethod.GET_LAST_ERROR, read_string_result),
        (QbwcMethod.AUTHENTICATE, read_array_result),
        (QbwcMethod.RECEIVE_RESPONSE_XML, read_int_result),
    ):
        with contextlib.suppress(SoapCallError):
            read(method, HttpReply(status, body))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_round_trips_through_an_envelope(text: str) -> None:
    """Envelope text survives escaping: what the client sends is what the service reads."""
    cleaned = "".join(c for c in text if c in "\t\n" or (" " <= c <= "\ud7ff") or c > "\ue000")
    cleaned = cleaned.replace("\r", "")
    raw = build_request(QbwcMethod.GET_LAST_ERROR, (("ticket", cleaned),))
    (name, value), *_ = _params(raw)[1]
    assert (name, value) == ("ticket", cleaned)

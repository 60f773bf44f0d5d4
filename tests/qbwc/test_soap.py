"""Wire details of the SOAP endpoint: GET page, methods, self-closing elements, the real app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from lxml import etree

from connector.api.app import create_app
from connector.qbwc.server.soap import SOAP_ENV, TNS, create_wsgi_app, fault_envelope
from connector.qbxml import safexml
from connector.settings import Settings
from connector.store.db import Database
from tests.qbwc.scripted_work import (
    ScriptedWork,
    cheap_hashing,
    make_connection,
    serve_asgi,
    soap_envelope,
)


@dataclass
class Endpoint:
    client: httpx.Client
    username: str
    password: str
    work: ScriptedWork


@pytest.fixture
def endpoint(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    cheap_hashing(monkeypatch)
    row, password = make_connection(sqlite_db, "Wire Co")
    work = ScriptedWork()
    app = create_wsgi_app(sqlite_db, Settings.from_env({}, database_url="sqlite://"), work)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        yield Endpoint(client, row.username, password, work)


def result(response: httpx.Response, operation: str) -> etree._Element:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/xml")
    root = safexml.parse_document(response.content)
    element = root.find(
        f"{{{SOAP_ENV}}}Body/{{{TNS}}}{operation}Response/{{{TNS}}}{operation}Result"
    )
    assert element is not None, response.text[:300]
    return element


def call(
    endpoint: Endpoint, operation: str, raw: bytes | None = None, **params: str
) -> etree._Element:
    body = raw if raw is not None else soap_envelope(operation, **params)
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{TNS}{operation}"'}
    return result(endpoint.client.post("/qbwc", content=body, headers=headers), operation)


def test_plain_get_and_head_answer_200(endpoint: Endpoint) -> None:
    page = endpoint.client.get("/qbwc")
    assert page.status_code == 200 and "Web Connector" in page.text
    assert endpoint.client.head("/qbwc").status_code == 200
    wsdl = endpoint.client.get("/qbwc", params={"WSDL": ""})
    assert wsdl.status_code == 200 and b"definitions" in wsdl.content


def test_other_methods_get_a_soap_fault_not_html(endpoint: Endpoint) -> None:
    response = endpoint.client.put("/qbwc", content=b"<x/>")
    assert response.status_code == 405 and response.headers["content-type"].startswith("text/xml")
    assert b"Fault" in response.content and b"<html" not in response.content.lower()


def test_server_version_with_and_without_str_version(endpoint: Endpoint) -> None:
    bare = call(endpoint, "serverVersion")
    with_param = call(endpoint, "serverVersion", strVersion="2.3.0.215")
    assert bare.text == with_param.text and (bare.text or "").startswith("qbd-connector")


def test_self_closing_elements_are_accepted(endpoint: Endpoint) -> None:
    raw = (
        f'<?xml version="1.0"?><soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        f'<clientVersion xmlns="{TNS}"><strVersion /></clientVersion></soap:Body></soap:Envelope>'
    ).encode()
    assert call(endpoint, "clientVersion", raw=raw).text in (None, "")
    raw = raw.replace(b"clientVersion", b"closeConnection").replace(b"strVersion", b"ticket")
    assert "Unknown" in (call(endpoint, "closeConnection", raw=raw).text or "")


def test_authenticate_returns_an_array_of_string(endpoint: Endpoint) -> None:
    array = call(
        endpoint, "authenticate", strUserName=endpoint.username, strPassword=endpoint.password
    )
    items = list(array)
    assert [etree.QName(i).localname for i in items] == ["string"] * 4
    assert len(items[0].text or "") == 32 and items[1].text in (None, "")
    bad = call(endpoint, "authenticate", strUserName="nobody", strPassword="x")
    assert [i.text for i in bad][1] == "nvu"


def test_receive_response_xml_answers_an_int(endpoint: Endpoint) -> None:
    element = call(
        endpoint, "receiveResponseXML", ticket="nope", response="<x/>", hresult="", message=""
    )
    assert element.text == "-1"


def test_a_response_of_megabytes_is_delivered_whole(endpoint: Endpoint) -> None:
    """A big page (an un-iterated list of a large company) is far past spyne's own 2 MB
    default: the service's limit (``soap_max_body_bytes``, 64 MB) is the one that holds."""
    ticket = call(
        endpoint, "authenticate", strUserName=endpoint.username, strPassword=endpoint.password
    )[0].text
    assert ticket
    hcp = (
        "<QBXML><QBXMLMsgsRs><HostQueryRs><HostRet><SupportedQBXMLVersion>16.0"
        "</SupportedQBXMLVersion></HostRet></HostQueryRs></QBXMLMsgsRs></QBXML>"
    )
    request = call(
        endpoint, "sendRequestXML", ticket=ticket, strHCPResponse=hcp,
        strCompanyFileName="C:\\big.qbw", qbXMLCountry="US", qbXMLMajorVers="16",
        qbXMLMinorVers="0",
    )  # fmt: skip
    assert "CustomerQueryRq" in (request.text or "")
    record = "<CustomerRet><ListID>{n}</ListID><Name>Customer &amp; Co {n}</Name></CustomerRet>"
    response = (
        '<?xml version="1.0"?><QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="0">'
        + "".join(record.format(n=n) for n in range(60_000))
        + "</CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    )
    assert len(response) > 4 * 1024 * 1024
    answer = call(
        endpoint, "receiveResponseXML", ticket=ticket, response=response, hresult="", message=""
    )
    assert int(answer.text or "") >= 0
    delivered = [detail for name, _, detail in endpoint.work.calls if name == "apply_response"]
    assert delivered == [response]


def test_interactive_calls(endpoint: Endpoint) -> None:
    assert call(endpoint, "getInteractiveURL", wcTicket="t", sessionID="s").text in (None, "")
    assert call(endpoint, "interactiveDone", wcTicket="t").text == "Done"
    assert "not used" in (
        call(endpoint, "interactiveRejected", wcTicket="t", reason="no").text or ""
    )


def test_fault_text_is_escaped() -> None:
    root = safexml.parse_document(fault_envelope("Client", "<script>&'\""))
    assert root.findtext(f".//{{{SOAP_ENV}}}Fault/faultstring") == "<script>&'\""


def test_mounted_in_the_real_app_at_qbwc(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through H6's ``create_app``: ``/qbwc`` and ``/qbwc?wsdl`` as the Web Connector uses them."""
    cheap_hashing(monkeypatch)
    row, password = make_connection(sqlite_db, "Mounted Co")
    settings = Settings.from_env({}, database_url="sqlite://")
    app = create_app(
        settings, database=sqlite_db, work_source_factory=lambda _db, _s: ScriptedWork()
    )
    with serve_asgi(app, path="") as base, httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/qbwc").status_code == 200
        assert b"QBWebConnectorSvcSoap" in client.get("/qbwc?wsdl").content
        body = soap_envelope("authenticate", strUserName=row.username, strPassword=password)
        response = client.post("/qbwc", content=body, headers={"Content-Type": "text/xml"})
        assert response.status_code == 200 and b"authenticateResult" in response.content
        garbage = client.post("/qbwc", content=b"\x00garbage")
        assert garbage.status_code == 500 and b"Fault" in garbage.content

"""A real Web Connector session (QBWC 2.0.0.116, 2008) replayed byte for byte.

The eight request bodies of ``reference/soap/consolibyte-log-2008`` are POSTed unchanged to the
service under uvicorn on loopback, with the log's credentials (``api`` / ``password``) and its
ticket set up in the test. Every reply must be a well-formed SOAP envelope whose body validates
against the schema inside Intuit's WSDL (``reference/wsdl/QBWebConnectorSvc.wsdl``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from lxml import etree

from connector.qbwc.server.service import QbwcConfig
from connector.qbwc.server.soap import SOAP_ENV, TNS, create_wsgi_app
from connector.qbxml import safexml
from connector.settings import Settings
from connector.store.db import Database
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection, serve_wsgi
from tests.refpaths import reference_path

LOG_TICKET = "ea0bf596246b623664adb465cc8662a2"
XS = "http://www.w3.org/2001/XMLSchema"


def intuit_schema() -> etree.XMLSchema:
    """The ``xs:schema`` embedded in Intuit's WSDL, as an lxml validator."""
    wsdl = safexml.parse_document(reference_path("wsdl", "QBWebConnectorSvc.wsdl").read_bytes())
    schema = wsdl.find(f".//{{{XS}}}schema")
    assert schema is not None
    # Re-root it with the prefixes its QName-valued attributes use (``s:``, ``tns:``).
    rooted = etree.Element(schema.tag, dict(schema.attrib), nsmap={"s": XS, "tns": TNS})
    rooted.extend(copy.deepcopy(child) for child in schema)
    return etree.XMLSchema(rooted)


def reply_body(content: bytes) -> etree._Element:
    """Parse a SOAP reply through the safe door and return the one element in its Body."""
    root = safexml.parse_document(content)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    body = root.find(f"{{{SOAP_ENV}}}Body")
    assert body is not None and len(body) == 1
    return body[0]


def log_files() -> list[Path]:
    files = sorted(reference_path("soap", "consolibyte-log-2008").glob("*.xml"))
    assert len(files) == 8
    return files


@dataclass
class Live:
    url: str
    work: ScriptedWork


@pytest.fixture
def live(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    cheap_hashing(monkeypatch)
    make_connection(sqlite_db, "Test Company", username="api", password="password")
    work = ScriptedWork(per_connection=3)
    settings = Settings.from_env({}, database_url="sqlite://")
    # QuickBooks Pro 2006 speaks qbXML up to 5.0; accept 5.0 here so the whole log runs.
    config = QbwcConfig(supported_versions=("5.0", "13.0"))
    app = create_wsgi_app(
        sqlite_db, settings, work, config=config, ticket_factory=lambda: LOG_TICKET
    )
    with serve_wsgi(app) as url:
        yield Live(url, work)


EXPECTED = {
    "01_serverVersion.xml": ("serverVersionResponse", "serverVersionResult"),
    "02_clientVersion.xml": ("clientVersionResponse", "clientVersionResult"),
    "03_authenticate.xml": ("authenticateResponse", "authenticateResult"),
    "04_sendRequestXML_firstcall_with_strHCPResponse.xml": (
        "sendRequestXMLResponse",
        "sendRequestXMLResult",
    ),
    "05_receiveResponseXML.xml": ("receiveResponseXMLResponse", "receiveResponseXMLResult"),
    "06_sendRequestXML_subsequent_empty_strHCPResponse.xml": (
        "sendRequestXMLResponse",
        "sendRequestXMLResult",
    ),
    "07_getLastError.xml": ("getLastErrorResponse", "getLastErrorResult"),
    "08_closeConnection.xml": ("closeConnectionResponse", "closeConnectionResult"),
}


def post_log(url: str) -> dict[str, etree._Element]:
    schema = intuit_schema()
    replies: dict[str, etree._Element] = {}
    with httpx.Client(timeout=30) as client:
        for path in log_files():
            response = client.post(
                url,
                content=path.read_bytes(),
                headers={"Content-Type": "text/xml; charset=utf-8"},
            )
            assert response.status_code == 200, (path.name, response.text[:300])
            assert response.headers["content-type"].startswith("text/xml")
            body = reply_body(response.content)
            element, result = EXPECTED[path.name]
            assert body.tag == f"{{{TNS}}}{element}"
            assert [child.tag for child in body] == [f"{{{TNS}}}{result}"]
            schema.assertValid(etree.ElementTree(copy.deepcopy(body)))
            replies[path.name] = body[0]
    return replies


def test_the_2008_log_replays_with_schema_valid_replies(live: Live) -> None:
    replies = post_log(live.url)
    auth = [item.text or "" for item in replies["03_authenticate.xml"]]
    assert [item.tag for item in replies["03_authenticate.xml"]] == [f"{{{TNS}}}string"] * 4
    assert auth[:2] == [LOG_TICKET, ""]
    first_request = replies["04_sendRequestXML_firstcall_with_strHCPResponse.xml"].text or ""
    assert "<?qbxml version=" in first_request and "CustomerQueryRq" in first_request
    assert replies["05_receiveResponseXML.xml"].text == "33"
    assert "CustomerQueryRq" in (
        replies["06_sendRequestXML_subsequent_empty_strHCPResponse.xml"].text or ""
    )
    assert (replies["08_closeConnection.xml"].text or "").startswith("1 of 2 requests")
    # The WorkSource saw the log's real CustomerAdd response, once, and qbXML 5.0 was agreed.
    assert [name for name in live.work.names() if name != "next_request"] == [
        "begin",
        "apply_response",
        "end",
    ]
    assert live.work.calls[0][2] == "5.0"
    assert "CustomerAddRs" in live.work.calls[2][2]


def test_the_log_against_the_default_versions_refuses_cleanly(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With only qbXML 13.0-16.0, QuickBooks 2006 is refused with an explanation, still valid SOAP."""
    cheap_hashing(monkeypatch)
    make_connection(sqlite_db, "Test Company", username="api", password="password")
    settings = Settings.from_env({}, database_url="sqlite://")
    app = create_wsgi_app(sqlite_db, settings, ScriptedWork(), ticket_factory=lambda: LOG_TICKET)
    with serve_wsgi(app) as url:
        replies = post_log(url)
    assert replies["04_sendRequestXML_firstcall_with_strHCPResponse.xml"].text in (None, "")
    assert replies["05_receiveResponseXML.xml"].text == "-1"
    assert "qbXML version" in (replies["07_getLastError.xml"].text or "")

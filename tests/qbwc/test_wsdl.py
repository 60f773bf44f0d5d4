"""WSDL compatibility: zeep built from Intuit's WSDL (and from ours) calls the live service."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import zeep
from lxml import etree

from connector.qbwc.server.soap import TNS, create_wsgi_app
from connector.qbxml import safexml
from connector.settings import Settings
from connector.store.db import Database
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection, serve_wsgi
from tests.refpaths import reference_path

XS = "http://www.w3.org/2001/XMLSchema"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
BINDING = f"{{{TNS}}}QBWebConnectorSvcSoap"
HCP = (
    '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><HostQueryRs requestID="0" statusCode="0">'
    "<HostRet><ProductName>QuickBooks Pro 2024</ProductName>"
    "<SupportedQBXMLVersion>16.0</SupportedQBXMLVersion></HostRet></HostQueryRs>"
    '<CompanyQueryRs requestID="1" statusCode="0"><CompanyRet><CompanyName>Zeep Co</CompanyName>'
    "</CompanyRet></CompanyQueryRs></QBXMLMsgsRs></QBXML>"
)


@dataclass
class Live:
    url: str
    username: str
    password: str
    work: ScriptedWork


@pytest.fixture
def live(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    cheap_hashing(monkeypatch)
    row, password = make_connection(sqlite_db, "Zeep Co")
    work = ScriptedWork(per_connection=1)
    app = create_wsgi_app(sqlite_db, Settings.from_env({}, database_url="sqlite://"), work)
    with serve_wsgi(app) as url:
        yield Live(url, row.username, password, work)


def zeep_service(wsdl: str, address: str) -> Any:
    client = zeep.Client(wsdl=wsdl)
    return client.create_service(BINDING, address)


def run_session(service: Any, live: Live) -> dict[str, object]:
    """Every method of Intuit's WSDL, in the Web Connector's order."""
    answers: dict[str, object] = {
        "serverVersion": service.serverVersion(),
        "clientVersion": service.clientVersion("2.3.0.215"),
    }
    auth = service.authenticate(live.username, live.password)
    ticket = auth[0]
    answers["authenticate"] = list(auth)
    answers["sendRequestXML"] = service.sendRequestXML(ticket, HCP, r"C:\Zeep.qbw", "US", 16, 0)
    answers["receiveResponseXML"] = service.receiveResponseXML(
        ticket, "<QBXML><QBXMLMsgsRs/></QBXML>", "", ""
    )
    answers["getLastError"] = service.getLastError(ticket)
    answers["closeConnection"] = service.closeConnection(ticket)
    answers["connectionError"] = service.connectionError(ticket, "0x80040408", "not running")
    return answers


def check_answers(answers: dict[str, object]) -> None:
    assert str(answers["serverVersion"]).startswith("qbd-connector")
    assert answers["clientVersion"] is None or answers["clientVersion"] == ""
    auth = answers["authenticate"]
    assert isinstance(auth, list) and len(auth[0]) == 32 and auth[1] in (None, "")
    assert "CustomerQueryRq" in str(answers["sendRequestXML"])
    assert answers["receiveResponseXML"] == 100
    assert answers["getLastError"] in (None, "")
    assert answers["closeConnection"] == "1 of 1 requests processed."
    assert answers["connectionError"] == "done"  # a closed session: stop


def test_zeep_from_intuits_wsdl_calls_every_method(live: Live) -> None:
    wsdl = str(reference_path("wsdl", "QBWebConnectorSvc.wsdl"))
    check_answers(run_session(zeep_service(wsdl, live.url), live))


def test_zeep_from_our_wsdl_calls_every_method_and_the_interactive_ones(live: Live) -> None:
    service = zeep_service(live.url + "?wsdl", live.url)
    check_answers(run_session(service, live))
    assert service.getInteractiveURL("t", "s") in (None, "")
    assert service.interactiveDone("t") == "Done"
    assert "not used" in service.interactiveRejected("t", "user said no")


def _sequences(schema: etree._Element) -> dict[str, list[tuple[str, str]]]:
    """element name -> [(child name, child type local name)] for every global element."""
    types = {t.get("name"): t for t in schema.findall(f"{{{XS}}}complexType")}
    out: dict[str, list[tuple[str, str]]] = {}
    for element in schema.findall(f"{{{XS}}}element"):
        complex_type = element.find(f"{{{XS}}}complexType")
        if complex_type is None:
            complex_type = types.get(str(element.get("type", "")).split(":")[-1])
        assert complex_type is not None, element.get("name")
        children = complex_type.findall(f".//{{{XS}}}element")
        out[str(element.get("name"))] = [
            (str(c.get("name")), str(c.get("type", "")).split(":")[-1]) for c in children
        ]
    return out


def test_our_wsdl_declares_intuits_elements_with_the_same_children(live: Live) -> None:
    theirs_doc = safexml.parse_document(
        reference_path("wsdl", "QBWebConnectorSvc.wsdl").read_bytes()
    )
    ours_doc = safexml.parse_document(httpx.get(live.url + "?wsdl", timeout=10).content)
    theirs = _sequences(copy.deepcopy(theirs_doc.find(f".//{{{XS}}}schema")))
    ours_schema = next(
        s for s in ours_doc.iter(f"{{{XS}}}schema") if s.get("targetNamespace") == TNS
    )
    ours = _sequences(ours_schema)
    for name, children in theirs.items():
        assert name in ours, name
        assert ours[name] == children, name
    assert ours_doc.get("targetNamespace") == TNS
    actions = {op.get("soapAction") for op in ours_doc.iter(f"{{{WSDL_SOAP}}}operation")}
    wanted = {op.get("soapAction") for op in theirs_doc.iter(f"{{{WSDL_SOAP}}}operation")}
    assert wanted < actions  # the same SOAPAction values, plus the interactive calls
    names = {
        node.get("name")
        for node in ours_doc.iter()
        if isinstance(node.tag, str)
        and etree.QName(node).localname in ("service", "binding", "portType", "port")
        and etree.QName(node).namespace == "http://schemas.xmlsoap.org/wsdl/"
    }
    assert names == {"QBWebConnectorSvc", "QBWebConnectorSvcSoap"}


def test_zeep_from_intuits_wsdl_gets_the_documented_failure_answers(live: Live) -> None:
    """PROTOCOL.md 1.2-1.4 through Intuit's WSDL: nvu, connectionError, a negative percentage
    explained by getLastError, NoOp, unknown tickets and the closing summary."""
    service = zeep_service(str(reference_path("wsdl", "QBWebConnectorSvc.wsdl")), live.url)
    assert list(service.authenticate(live.username, "wrong"))[1] == "nvu"

    ticket = service.authenticate(live.username, live.password)[0]
    assert service.connectionError(ticket, "0x80040408", "Could not start QuickBooks") == "done"
    assert "0x80040408" in service.getLastError(ticket)
    assert "0x80040408" in service.closeConnection(ticket)

    ticket = service.authenticate(live.username, live.password)[0]
    assert "CustomerQueryRq" in service.sendRequestXML(ticket, HCP, r"C:\Zeep.qbw", "US", 16, 0)
    assert service.receiveResponseXML(ticket, "", "0x80040400", "parse error") < 0
    assert "0x80040400" in service.getLastError(ticket)
    assert service.closeConnection(ticket)

    live.work.scripts.clear()
    live.work.per_connection = 0  # work is expected but none is ready yet
    ticket = service.authenticate(live.username, live.password)[0]
    assert service.sendRequestXML(ticket, HCP, r"C:\Zeep.qbw", "US", 16, 0) in (None, "")
    assert service.getLastError(ticket) == "NoOp"
    service.closeConnection(ticket)

    assert service.sendRequestXML("f" * 32, "", "", "US", 16, 0) in (None, "")
    assert service.receiveResponseXML("f" * 32, "<QBXML/>", "", "") == -1
    assert "Unknown" in service.getLastError("f" * 32)

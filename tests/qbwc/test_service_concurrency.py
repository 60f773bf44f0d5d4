"""Many sessions at once over HTTP: two companies never see each other's tickets or data,
and two calls for one ticket serialize (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from lxml import etree

from connector.qbwc.server.soap import SOAP_ENV, TNS, create_wsgi_app
from connector.qbxml import safexml
from connector.secrets import ticket_hash
from connector.settings import Settings
from connector.store import qbwc_sessions as store
from connector.store.connections import ConnectionRow
from connector.store.db import Database
from tests.qbwc.scripted_work import (
    ScriptedWork,
    cheap_hashing,
    make_connection,
    serve_wsgi,
    soap_envelope,
)

HCP = (
    '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><HostQueryRs requestID="0" statusCode="0">'
    "<HostRet><SupportedQBXMLVersion>16.0</SupportedQBXMLVersion></HostRet></HostQueryRs>"
    '<CompanyQueryRs requestID="1" statusCode="0"><CompanyRet><CompanyName>{name}</CompanyName>'
    "</CompanyRet></CompanyQueryRs></QBXMLMsgsRs></QBXML>"
)
ROUNDS = 3


def soap_call(client: httpx.Client, url: str, operation: str, **params: str) -> etree._Element:
    response = client.post(url, content=soap_envelope(operation, **params))
    assert response.status_code == 200, response.text[:300]
    root = safexml.parse_document(response.content)
    path = f"{{{SOAP_ENV}}}Body/{{{TNS}}}{operation}Response/{{{TNS}}}{operation}Result"
    found = root.find(path)
    assert found is not None
    return found


def run_session(url: str, row: ConnectionRow, password: str) -> tuple[str, list[str]]:
    """One full Web Connector session; returns its ticket and the requests it received."""
    requests: list[str] = []
    with httpx.Client(timeout=60) as client:
        auth = [
            i.text or ""
            for i in soap_call(
                client, url, "authenticate", strUserName=row.username, strPassword=password
            )
        ]
        ticket = auth[0]
        assert auth[1] not in ("nvu", "none", "busy"), auth
        hcp = HCP.format(name=row.id)
        for n in range(ROUNDS):
            request = (
                soap_call(
                    client,
                    url,
                    "sendRequestXML",
                    ticket=ticket,
                    strHCPResponse=hcp if n == 0 else "",
                    strCompanyFileName=rf"C:\{row.id}.qbw",
                    qbXMLCountry="US",
                    qbXMLMajorVers="16",
                    qbXMLMinorVers="0",
                ).text
                or ""
            )
            requests.append(request)
            answer = soap_call(
                client,
                url,
                "receiveResponseXML",
                ticket=ticket,
                response=f"<QBXML>{row.id} page {n}</QBXML>",
                hresult="",
                message="",
            ).text
            assert answer == ("100" if n == ROUNDS - 1 else str((n + 1) * 100 // ROUNDS))
        soap_call(client, url, "closeConnection", ticket=ticket)
    return ticket, requests


@pytest.fixture(autouse=True)
def _cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)


def test_two_companies_many_sessions_never_mix(db: Database) -> None:
    connections: list[tuple[ConnectionRow, str]] = []
    for company in ("Alpha", "Beta"):
        for n in range(4):
            connections.append(make_connection(db, f"{company} {n}"))
    work = ScriptedWork(per_connection=ROUNDS)
    app = create_wsgi_app(db, Settings.from_env({}, database_url="sqlite://"), work)
    with serve_wsgi(app) as url, ThreadPoolExecutor(len(connections)) as pool:
        futures = [pool.submit(run_session, url, row, pw) for row, pw in connections]
        results = [f.result() for f in futures]
    tickets = [ticket for ticket, _ in results]
    assert len(set(tickets)) == len(tickets)
    owner: dict[str, ConnectionRow] = {}
    for (row, _), (ticket, requests) in zip(connections, results, strict=True):
        owner[ticket_hash(ticket)] = row  # the WorkSource is keyed by the hash
        assert all(f'requestID="{row.id[:8]}-' in r for r in requests), requests
        with db.begin() as conn:
            stored = store.load_session(conn, ticket_hash(ticket))
        assert stored is not None and stored.state.connection_id == row.id
        assert stored.state.company_id == row.company_id
    for name, ticket, detail in work.calls:
        if name == "apply_response":
            assert detail.startswith(f"<QBXML>{owner[ticket].id} page")
    assert work.names().count("apply_response") == ROUNDS * len(connections)


def test_two_calls_for_one_ticket_serialize(db: Database) -> None:
    row, password = make_connection(db, "Racy Co")
    work = ScriptedWork(per_connection=2)
    work.apply_delay = 0.3
    app = create_wsgi_app(db, Settings.from_env({}, database_url="sqlite://"), work)
    with serve_wsgi(app) as url, httpx.Client(timeout=60) as client:
        ticket = (
            soap_call(client, url, "authenticate", strUserName=row.username, strPassword=password)[
                0
            ].text
            or ""
        )
        soap_call(
            client,
            url,
            "sendRequestXML",
            ticket=ticket,
            strHCPResponse=HCP.format(name="Racy"),
            strCompanyFileName="C:\\r.qbw",
            qbXMLCountry="US",
            qbXMLMajorVers="16",
            qbXMLMinorVers="0",
        )
        barrier = threading.Barrier(2)

        def receive() -> str | None:
            with httpx.Client(timeout=60) as own:
                barrier.wait()
                return soap_call(
                    own,
                    url,
                    "receiveResponseXML",
                    ticket=ticket,
                    response="<QBXML>same</QBXML>",
                    hresult="",
                    message="",
                ).text

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: receive(), range(2)))
    assert answers == ["50", "50"]
    assert work.names().count("apply_response") == 1

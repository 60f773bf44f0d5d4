"""Hostile and malformed POSTs get a SOAP fault, in bounded time and memory, changing nothing."""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connector.qbwc.server.soap import SOAP_ENV, create_wsgi_app
from connector.qbxml import safexml
from connector.settings import Settings
from connector.store.db import Database
from connector.store.tables_qbwc import qbwc_auth_failures, qbwc_sessions
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection, soap_envelope

LIMIT = 256 * 1024


@dataclass
class Target:
    app: Any
    client: httpx.Client
    db: Database
    username: str
    password: str
    work: ScriptedWork

    def counts(self) -> tuple[int, int]:
        with self.db.begin() as conn:
            sessions = conn.execute(sa.select(sa.func.count()).select_from(qbwc_sessions))
            failures = conn.execute(sa.select(sa.func.count()).select_from(qbwc_auth_failures))
            return int(sessions.scalar_one()), int(failures.scalar_one())


@pytest.fixture
def target(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    cheap_hashing(monkeypatch)
    row, password = make_connection(sqlite_db, "Victim Co")
    work = ScriptedWork()
    settings = Settings.from_env({}, database_url="sqlite://", soap_max_body_bytes=LIMIT)
    app = create_wsgi_app(sqlite_db, settings, work)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        yield Target(app, client, sqlite_db, row.username, password, work)


def auth_body(target: Target) -> str:
    return (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<authenticate xmlns="http://developer.intuit.com/">'
        f"<strUserName>{target.username}</strUserName><strPassword>{target.password}"
        "</strPassword></authenticate></soap:Body></soap:Envelope>"
    )


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
        for i in range(10)
    )
    + "]>"
)

HOSTILE: dict[str, Callable[[Target], bytes]] = {
    "billion-laughs": lambda t: (LAUGHS + auth_body(t).replace(t.username, "&lol9;")).encode(),
    "external-entity": lambda t: (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + auth_body(t).replace(t.username, "&xxe;")
    ).encode(),
    "dtd-only": lambda t: (
        '<!DOCTYPE soap:Envelope SYSTEM "http://evil/x.dtd">' + auth_body(t)
    ).encode(),
    "wrong-namespace": lambda t: (
        auth_body(t).replace("http://developer.intuit.com/", "urn:evil").encode()
    ),
    "soap-1.2-envelope": lambda t: (
        auth_body(t).replace(SOAP_ENV, "http://www.w3.org/2003/05/soap-envelope").encode()
    ),
    "unknown-operation": lambda t: soap_envelope("dropTables", ticket="x"),
    "two-operations": lambda t: (
        auth_body(t)
        .replace("</soap:Body>", "<getLastError xmlns='http://developer.intuit.com/'/></soap:Body>")
        .encode()
    ),
    "no-body": lambda t: b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>',
    "garbage": lambda t: bytes(range(256)) * 4,
    "empty": lambda t: b"",
    "not-xml-json": lambda t: b'{"strUserName": "x"}',
    "truncated": lambda t: auth_body(t).encode()[:-30],
    "html-form": lambda t: b"strUserName=a&strPassword=b",
    "bad-int": lambda t: soap_envelope(
        "sendRequestXML", ticket="t", qbXMLMajorVers="sixteen", qbXMLMinorVers="0"
    ),
    "utf7-declared": lambda t: ('<?xml version="1.0" encoding="UTF-7"?>' + auth_body(t)).encode(),
    "deep-nesting": lambda t: (
        auth_body(t).replace(t.username, "<a>" * 5000 + "</a>" * 5000).encode()
    ),
    "xinclude": lambda t: (
        auth_body(t)
        .replace(
            t.username,
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
        )
        .encode()
    ),
    "unknown-parameter": lambda t: (
        auth_body(t).replace("<strPassword>", "<strEvil>1</strEvil><strPassword>").encode()
    ),
    "namespace-flood": lambda t: (
        auth_body(t)
        .replace(
            "<soap:Body>",
            "<soap:Body " + " ".join(f'xmlns:n{i}="urn:n{i}"' for i in range(20000)) + ">",
        )
        .encode()
    ),
    "too-large-declared": lambda t: (
        auth_body(t).replace("</strPassword>", "x" * LIMIT + "</strPassword>").encode()
    ),
}


TOO_LARGE = {"namespace-flood", "too-large-declared"}
"""Bodies over the limit: HTTP 413 with the SOAP fault (issue 18 item 10)."""


def assert_fault(response: httpx.Response, status: int = 500) -> str:
    assert response.status_code == status, response.text[:200]
    assert response.headers["content-type"].startswith("text/xml")
    root = safexml.parse_document(response.content)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, response.text[:300]
    code = fault.findtext("faultcode") or ""
    assert code.split(":")[-1].startswith("Client"), code
    return fault.findtext("faultstring") or ""


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in HOSTILE])
def test_hostile_posts_get_a_fault_and_change_nothing(target: Target, name: str) -> None:
    before = target.counts()
    body = HOSTILE[name](target)
    start = time.perf_counter()
    response = target.client.post("/qbwc", content=body, headers={"Content-Type": "text/xml"})
    elapsed = time.perf_counter() - start
    text = assert_fault(response, 413 if name in TOO_LARGE else 500)
    assert "root:" not in text and "<html" not in response.text.lower()
    assert target.counts() == before
    assert target.work.calls == []
    print(f"{name}: {elapsed * 1000:.1f} ms")  # figures, not assertions (no timed asserts)


def test_the_same_authenticate_without_the_attack_works(target: Target) -> None:
    """Control: the payload the attacks wrap is a valid call (so the faults are the guard's)."""
    response = target.client.post("/qbwc", content=auth_body(target).encode())
    assert response.status_code == 200 and "authenticateResult" in response.text
    assert target.counts() == (1, 0)


def _stream(total: int) -> Iterator[bytes]:
    yield (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<receiveResponseXML xmlns="http://developer.intuit.com/"><response>'
    )
    chunk = b"a" * 65536
    for _ in range(total // len(chunk)):
        yield chunk


class _Input(io.RawIOBase):
    """A WSGI input that produces ``total`` bytes lazily (never all in memory)."""

    def __init__(self, total: int) -> None:
        self._chunks = _stream(total)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        while len(self._buffer) < max(size, 1):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _call_wsgi(app: Any, total: int, content_length: str | None) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/qbwc",
        "QUERY_STRING": "",
        "wsgi.input": _Input(total),
        "SERVER_NAME": "t",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    if content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    return status[0], body


@pytest.mark.parametrize(
    "content_length", [pytest.param(None, id="chunked"), pytest.param("209715200", id="declared")]
)
def test_a_200_mb_body_is_refused_in_bounded_memory(
    target: Target, content_length: str | None
) -> None:
    before = target.counts()
    tracemalloc.start()
    try:
        status, body = _call_wsgi(target.app, 200 * 1024 * 1024, content_length)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status.startswith("413") and b"exceeds the limit" in body
    assert peak < 8 * LIMIT  # the limit plus a chunk or two, never the 200 MB
    assert target.counts() == before
    print(f"200 MB body refused; peak traced memory {peak / 1024:.0f} KiB")


def test_an_attack_on_a_live_session_leaves_it_untouched(target: Target) -> None:
    auth = target.client.post("/qbwc", content=auth_body(target).encode()).text
    ticket = auth.split("<tns:string>", 1)[1].split("<", 1)[0]
    hcp = (
        "<QBXML><QBXMLMsgsRs><HostQueryRs><HostRet><SupportedQBXMLVersion>16.0"
        "</SupportedQBXMLVersion></HostRet></HostQueryRs><CompanyQueryRs><CompanyRet>"
        "<CompanyName>Victim Co</CompanyName></CompanyRet></CompanyQueryRs></QBXMLMsgsRs></QBXML>"
    )
    first = soap_envelope(
        "sendRequestXML", ticket=ticket, strHCPResponse=hcp, strCompanyFileName="C:\\v.qbw",
        qbXMLCountry="US", qbXMLMajorVers="16", qbXMLMinorVers="0",
    )  # fmt: skip
    assert "CustomerQueryRq" in target.client.post("/qbwc", content=first).text
    with target.db.begin() as conn:
        before = conn.execute(sa.select(qbwc_sessions)).one()
    evil = soap_envelope(
        "receiveResponseXML", ticket=ticket, response="&x;", hresult="", message=""
    )
    evil = evil.replace(b"<soap:Envelope", b'<!DOCTYPE e [<!ENTITY x "lol">]><soap:Envelope', 1)
    assert_fault(target.client.post("/qbwc", content=evil))
    with target.db.begin() as conn:
        assert conn.execute(sa.select(qbwc_sessions)).one() == before
    good = soap_envelope(
        "receiveResponseXML", ticket=ticket, response="<QBXML/>", hresult="", message=""
    )
    assert ">50<" in target.client.post("/qbwc", content=good).text
    assert target.work.names().count("apply_response") == 1

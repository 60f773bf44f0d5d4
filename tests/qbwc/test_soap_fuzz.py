"""Fuzzing the SOAP endpoint with Hypothesis (issue 18 "What must be shown").

Generated requests: every operation (and unknown ones) with generated parameter names and
text values, a live session's ticket or a made-up one, then byte-level mutations of the
envelope (insertions, deletions, overwrites, truncation, junk prefixes), a generated
Content-Type charset and SOAPAction. Whatever arrives, the service answers SOAP: a 200
with the operation's response element, or a Client fault (500, or 413 for a body over a
limit); never a Server fault ("internal error"), never HTML, never a traceback in the log.
CI runs a fixed budget (``QBD_FUZZ_EXAMPLES_SOAP``, default 300); longer runs set it higher.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.qbwc.server.soap import SOAP_ENV, TNS, create_wsgi_app
from connector.qbxml import safexml
from connector.settings import Settings
from connector.store.db import Database
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection

EXAMPLES = int(os.environ.get("QBD_FUZZ_EXAMPLES_SOAP", "300"))
PARAMETERS = {
    "serverVersion": ["strVersion"],
    "clientVersion": ["strVersion"],
    "authenticate": ["strUserName", "strPassword"],
    "sendRequestXML": [
        "ticket",
        "strHCPResponse",
        "strCompanyFileName",
        "qbXMLCountry",
        "qbXMLMajorVers",
        "qbXMLMinorVers",
    ],
    "receiveResponseXML": ["ticket", "response", "hresult", "message"],
    "connectionError": ["ticket", "hresult", "message"],
    "getLastError": ["ticket"],
    "closeConnection": ["ticket"],
    "getInteractiveURL": ["wcTicket", "sessionID"],
    "interactiveDone": ["wcTicket"],
    "interactiveRejected": ["wcTicket", "reason"],
    "dropTables": ["x"],
}
CHARSETS = [None, "utf-8", "UTF-8", "utf-16", "utf-16le", "utf-7", "iso-8859-1", "latin1", ""]


@dataclass
class Target:
    client: httpx.Client
    username: str
    password: str
    ticket: str


@pytest.fixture
def target(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    cheap_hashing(monkeypatch)
    row, password = make_connection(sqlite_db, "Fuzz Co")
    settings = Settings.from_env(
        {}, database_url="sqlite://", soap_max_body_bytes=256 * 1024, lockout_threshold=10**6
    )
    app = create_wsgi_app(sqlite_db, settings, ScriptedWork(per_connection=10**6))
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        auth = envelope("authenticate", {"strUserName": row.username, "strPassword": password})
        text = client.post("/qbwc", content=auth).text
        ticket = text.split("<tns:string>", 1)[1].split("<", 1)[0]
        yield Target(client, row.username, password, ticket)


def envelope(operation: str, params: dict[str, str]) -> bytes:
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in params.items())
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}">'
        f'<soap:Body><{operation} xmlns="{TNS}">{inner}</{operation}></soap:Body></soap:Envelope>'
    ).encode()


_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=60
)
_VALUE = st.one_of(
    _TEXT,
    st.sampled_from(["", "16", "-1", "0x80040400", "<QBXML/>", "&amp;", "]]>", "99999999999"]),
)


@st.composite
def requests(
    draw: st.DrawFn, ticket: str, username: str, password: str
) -> tuple[bytes, dict[str, str]]:
    operation = draw(st.sampled_from(sorted(PARAMETERS)))
    names = PARAMETERS[operation] + draw(
        st.lists(st.sampled_from(["extra", "strEvil"]), max_size=1)
    )
    params = {name: draw(_VALUE) for name in names if draw(st.booleans()) or name == "ticket"}
    if "ticket" in params:
        params["ticket"] = draw(st.sampled_from([ticket, ticket, "", "x" * 65, params["ticket"]]))
    if operation == "authenticate" and draw(st.booleans()):
        params.update(strUserName=username, strPassword=draw(st.sampled_from([password, "wrong"])))
    body = bytearray(envelope(operation, params))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(body)))
        kind = draw(st.sampled_from(["insert", "delete", "overwrite", "truncate", "prefix"]))
        chunk = draw(st.binary(min_size=1, max_size=12))
        if kind == "insert":
            body[at:at] = chunk
        elif kind == "delete":
            del body[at : at + len(chunk)]
        elif kind == "overwrite":
            body[at : at + len(chunk)] = chunk
        elif kind == "truncate":
            del body[at:]
        else:
            body[0:0] = chunk
    headers: dict[str, str] = {}
    charset = draw(st.sampled_from(CHARSETS))
    headers["Content-Type"] = "text/xml" + (f"; charset={charset}" if charset is not None else "")
    action = draw(st.sampled_from([None, f'"{TNS}{operation}"', f'"{TNS}getLastError"', '""']))
    if action is not None:
        headers["SOAPAction"] = action
    return bytes(body), headers


def check_answer(response: httpx.Response) -> None:
    assert response.status_code in (200, 413, 500), response.status_code
    assert response.headers["content-type"].startswith("text/xml"), response.text[:200]
    root = safexml.parse_document(response.content)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    body = root.find(f"{{{SOAP_ENV}}}Body")
    assert body is not None and len(body) == 1
    if response.status_code == 200:
        assert body[0].tag.startswith(f"{{{TNS}}}") and body[0].tag.endswith("Response")
    else:
        code = body[0].findtext("faultcode") or ""
        assert code.split(":")[-1].split(".")[0] == "Client", response.text[:400]


def test_whatever_arrives_the_answer_is_soap_and_never_a_server_fault(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    cases = 0

    @given(request=requests(target.ticket, target.username, target.password))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(request: tuple[bytes, dict[str, str]]) -> None:
        nonlocal cases
        cases += 1
        body, headers = request
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            check_answer(target.client.post("/qbwc", content=body, headers=headers))
        tracebacks = [r for r in caplog.records if r.exc_info]
        assert not tracebacks, tracebacks[0].getMessage()

    run()
    print(f"SOAP fuzz: {cases} cases, 0 failures")

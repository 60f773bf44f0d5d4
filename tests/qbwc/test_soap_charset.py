"""Issue 18 item 4: the body's encoding is decided once and spyne gets exactly the bytes
that were checked, with that charset; item 10: SOAPAction must match the operation.

Before the fix the check decoded by the XML declaration and spyne by the HTTP charset:
``charset=utf-7`` turned ``+ADwAeAAvAD4-`` into an element for spyne only (and a DOCTYPE hidden
that way reached spyne), and a UTF-8 body sent as ``charset=utf-16`` gave a 500 with a
traceback in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from connector.qbwc.server.errors import ForbiddenXml
from connector.qbwc.server.soap import SOAP_ENV, TNS, create_wsgi_app
from connector.qbwc.server.soap_encoding import decide_encoding
from connector.qbwc.server.soap_guard import SoapGuard
from connector.qbxml import safexml
from connector.settings import Settings
from connector.store.db import Database
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection, soap_envelope

UTF7_DOCTYPE = (
    b"+ADwAIQ-DOCTYPE x +AFs-+ADwAIQ-ENTITY e SYSTEM +ACI-file:///etc/passwd+ACIAPgBd-+AD4-"
)


@dataclass
class Spy:
    """Stands in for spyne behind the guard: records what reaches it."""

    bodies: list[tuple[str, bytes]] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.bodies.append((environ["CONTENT_TYPE"], environ["wsgi.input"].read()))
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [b"<ok/>"]


@pytest.fixture
def spy() -> Iterator[tuple[Spy, httpx.Client]]:
    inner = Spy()
    guard = SoapGuard(inner)
    with httpx.Client(transport=httpx.WSGITransport(app=guard), base_url="http://t") as client:
        yield inner, client


def fault(response: httpx.Response) -> str:
    assert response.status_code == 500, response.text[:300]
    root = safexml.parse_document(response.content)
    code = root.findtext(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/faultcode") or ""
    assert code.endswith("Client"), response.text[:300]
    return root.findtext(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/faultstring") or ""


def post(client: httpx.Client, body: bytes, content_type: str, **headers: str) -> httpx.Response:
    return client.post("/qbwc", content=body, headers={"Content-Type": content_type, **headers})


@pytest.mark.parametrize("charset", ["utf-7", "UTF-7", "iso-8859-1", "cp500", "x-unknown"])
def test_a_charset_other_than_utf8_or_utf16_never_reaches_spyne(
    spy: tuple[Spy, httpx.Client], charset: str
) -> None:
    inner, client = spy
    body = soap_envelope("clientVersion", strVersion="1").replace(
        b">1<", b">" + UTF7_DOCTYPE + b"<"
    )
    text = fault(post(client, body, f"text/xml; charset={charset}"))
    assert "charset" in text
    assert inner.bodies == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(
            soap_envelope("serverVersion"), "text/xml; charset=utf-16", id="utf8-bytes-as-utf16"
        ),
        pytest.param(
            soap_envelope("serverVersion").decode().encode("utf-16"),
            "text/xml; charset=utf-8",
            id="utf16-bytes-as-utf8",
        ),
        pytest.param(
            soap_envelope("serverVersion").decode().encode("utf-16-le"),
            "text/xml; charset=utf-16be",
            id="wrong-byte-order",
        ),
        pytest.param(
            soap_envelope("serverVersion").replace(b'encoding="utf-8"', b'encoding="utf-16"'),
            "text/xml",
            id="declaration-says-utf16",
        ),
        pytest.param(
            soap_envelope("serverVersion").replace(b'encoding="utf-8"', b'encoding="utf-7"'),
            "text/xml; charset=utf-8",
            id="declaration-says-utf7",
        ),
        pytest.param(
            soap_envelope("clientVersion", strVersion="é").replace("é".encode(), b"\xe9"),
            "text/xml; charset=utf-8",
            id="latin1-bytes-as-utf8",
        ),
    ],
)
def test_disagreeing_signs_are_refused_without_a_traceback(
    spy: tuple[Spy, httpx.Client], body: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    inner, client = spy
    with caplog.at_level(logging.DEBUG):
        fault(post(client, body, content_type))
    assert inner.bodies == []
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize(
    ("codec", "content_type", "handed"),
    [
        pytest.param("utf-8", "text/xml; charset=utf-8", "utf-8", id="utf-8"),
        pytest.param("utf-8", "text/xml", "utf-8", id="utf-8-no-charset"),
        pytest.param("utf-8-sig", "text/xml; charset=UTF-8", "utf-8-sig", id="utf-8-bom"),
        pytest.param("utf-16", "text/xml; charset=utf-16", "utf-16", id="utf-16-bom"),
        pytest.param("utf-16-be", 'text/xml; charset="UTF-16BE"', "utf-16-be", id="utf-16-be"),
        pytest.param("utf-16-le", "application/soap+xml", "utf-16-le", id="utf-16-le-no-charset"),
    ],
)
def test_spyne_gets_the_checked_bytes_with_the_decided_charset(
    spy: tuple[Spy, httpx.Client], codec: str, content_type: str, handed: str
) -> None:
    inner, client = spy
    body = soap_envelope("clientVersion", strVersion="2.3 é").decode().encode(codec)
    if codec.startswith("utf-16"):
        body = body.replace('encoding="utf-8"'.encode(codec)[2 if codec == "utf-16" else 0 :], b"")
    response = post(client, body, content_type)
    assert response.status_code == 200, response.text[:300]
    assert inner.bodies == [(f"text/xml; charset={handed}", body)]


def test_decide_encoding_refuses_utf32() -> None:
    with pytest.raises(ForbiddenXml):
        decide_encoding("<a/>".encode("utf-32"))


@pytest.fixture
def endpoint(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    cheap_hashing(monkeypatch)
    make_connection(sqlite_db, "Charset Co")
    app = create_wsgi_app(
        sqlite_db, Settings.from_env({}, database_url="sqlite://"), ScriptedWork()
    )
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        yield client


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_the_real_service_answers_every_accepted_encoding(
    endpoint: httpx.Client, codec: str
) -> None:
    declared = "utf-16" if codec.startswith("utf-16") else "utf-8"
    body = (
        soap_envelope("clientVersion", strVersion="2.3.0.36")
        .replace(b'encoding="utf-8"', f'encoding="{declared}"'.encode())
        .decode()
        .encode(codec)
    )
    response = post(endpoint, body, f"text/xml; charset={codec.removesuffix('-sig')}")
    assert response.status_code == 200, response.text[:300]
    assert "clientVersionResult" in response.text


@pytest.mark.parametrize(
    "action",
    [f'"{TNS}authenticate"', f"{TNS}getLastError", '"closeConnection"', '"urn:evil"'],
)
def test_a_soap_action_naming_another_operation_is_refused(
    endpoint: httpx.Client, action: str
) -> None:
    body = soap_envelope("clientVersion", strVersion="2.3.0.36")
    text = fault(post(endpoint, body, "text/xml; charset=utf-8", SOAPAction=action))
    assert "SOAPAction" in text


@pytest.mark.parametrize(
    "action", [f'"{TNS}clientVersion"', f"{TNS}clientVersion", '"clientVersion"', '""', ""]
)
def test_a_matching_or_empty_soap_action_is_accepted(endpoint: httpx.Client, action: str) -> None:
    body = soap_envelope("clientVersion", strVersion="2.3.0.36")
    response = post(endpoint, body, "text/xml; charset=utf-8", SOAPAction=action)
    assert response.status_code == 200, response.text[:300]

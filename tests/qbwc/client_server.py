"""Test helpers for the client over real HTTP(S): a scripted SOAP service as an ASGI app,
uvicorn on loopback in a thread, and a self-signed certificate made with the openssl CLI.

The scripted service answers the way a .NET QBWC service does (document/literal,
``<methodResponse xmlns="http://developer.intuit.com/"><methodResult>``), so the client's
envelope reading is exercised on realistic bytes.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from lxml import etree

from connector.qbwc.client.envelopes import SOAP_ENV, TNS, SoapCallError, escape_text
from connector.qbxml.safexml import parse_document
from qbd_emulator.child_service import free_port
from tests.qbwc.client_doubles import ScriptedService
from tests.requirements import require_executable

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "serverVersion": ("server_version", ()),
    "clientVersion": ("client_version", ("strVersion",)),
    "authenticate": ("authenticate", ("strUserName", "strPassword")),
    "sendRequestXML": (
        "send_request_xml",
        (
            "ticket",
            "strHCPResponse",
            "strCompanyFileName",
            "qbXMLCountry",
            "qbXMLMajorVers",
            "qbXMLMinorVers",
        ),
    ),
    "receiveResponseXML": ("receive_response_xml", ("ticket", "response", "hresult", "message")),
    "connectionError": ("connection_error", ("ticket", "hresult", "message")),
    "getLastError": ("get_last_error", ("ticket",)),
    "closeConnection": ("close_connection", ("ticket",)),
}


def _envelope(inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>{inner}</soap:Body></soap:Envelope>'
    ).encode()


def _result(method: str, value: object) -> bytes:
    if isinstance(value, tuple):
        items = "".join(f"<string>{escape_text(str(v))}</string>" for v in value)
    else:
        items = escape_text(str(value))
    return _envelope(
        f'<{method}Response xmlns="{TNS}"><{method}Result>{items}</{method}Result>'
        f"</{method}Response>"
    )


def _fault(text: str) -> bytes:
    return _envelope(
        f"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{escape_text(text)}"
        "</faultstring></soap:Fault>"
    )


class ScriptedSoapApp:
    """ASGI app serving ``service`` at any path; ``raw`` replaces a method's reply bytes."""

    def __init__(self, service: ScriptedService, raw: dict[str, bytes] | None = None) -> None:
        self.service = service
        self.raw = raw or {}
        self.actions: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        self.actions.append(headers.get(b"soapaction", b"").decode())
        status, payload = self.answer(body)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/xml; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def answer(self, body: bytes) -> tuple[int, bytes]:
        call = parse_document(body).find(f"{{{SOAP_ENV}}}Body")[0]  # type: ignore[index]
        method = etree.QName(call).localname
        if method in self.raw:
            return 200, self.raw[method]
        name, params = _METHODS[method]
        values = {etree.QName(c).localname: c.text or "" for c in call}
        args: list[object] = [values.get(p, "") for p in params]
        if method == "sendRequestXML":
            args[4], args[5] = int(str(args[4])), int(str(args[5]))
        try:
            return 200, _result(method, getattr(self.service, name)(*args))
        except SoapCallError as exc:
            return 500, _fault(exc.detail)


@contextmanager
def serve(app: Any, port: int | None = None, **ssl: str) -> Iterator[int]:
    """Run ``app`` under uvicorn on 127.0.0.1 in a thread; yields the port."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **ssl)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port} (port taken?)")
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():  # a connection still open: stop without waiting for it
            server.force_exit = True
            thread.join(timeout=5)


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for ``localhost`` (SAN) and its key, via the openssl CLI."""
    openssl = require_executable("openssl", how="apt-get install -y openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key

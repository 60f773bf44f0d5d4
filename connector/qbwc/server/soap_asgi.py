"""The ``/qbwc`` endpoint as ASGI: the Web Connector's hot calls answered directly, every
other request through the screened spyne path (``SoapGuard`` behind a2wsgi).

Owns: reading a POST's body on the event loop (at most ``FAST_MAX_BODY`` bytes; a
receiveResponseXML up to the response limit while ``soap_page.PageScan`` sees the Web
Connector's shape, its response text unescaped chunk by chunk as it arrives), and when
``soap_fast.recognise`` knows it (and the Content-Type and SOAPAction agree with it, as the
guard would check): serverVersion and clientVersion answered on the loop, authenticate and
the ticket calls (sendRequestXML, receiveResponseXML, getLastError, closeConnection) run by
``QbwcService`` in a thread of this front's pool (they hash or wait on the store's row
locks), the answer being the bytes spyne would write. Anything else, including every GET,
reaches the WSGI application with the bytes already read replayed in front of the rest of
the stream, exactly as it arrived; so does a body over a limit, which the guard refuses.
Why (issue 12): through a2wsgi, the guard's screen and spyne, a call that does no work
cost about 2 ms of CPU and five thread hand-overs, and a page a parse of its envelope; here
a call costs the HTTP server's own work and a page a few scans of its bytes.
Must not: decide anything a call means (``service``) or answer what it does not recognise.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.qbwc.server.service import QbwcService
from connector.qbwc.server.soap_encoding import http_charset
from connector.qbwc.server.soap_fast import (
    FAST_MAX_BODY,
    INTERNAL_ERROR,
    FastCall,
    answer_envelope,
    recognise,
    xml_safe,
)
from connector.qbwc.server.soap_page import PageScan, page_scan
from connector.qbwc.server.soap_screen import DEFAULT_MAX_BODY, TNS

log = logging.getLogger(__name__)

_CONTENT_TYPE = [(b"content-type", b"text/xml; charset=utf-8")]
Answer = str | int | list[str]


def _text(value: str | int | None) -> str:
    return "" if value is None else str(value)


def call_service(service: QbwcService, call: FastCall, source: str = "") -> Answer:
    """What the spyne method of ``call.operation`` returns (``soap.build_spyne_application``);
    ``source``: the caller's address (authenticate throttles wrong passwords by it)."""
    a = call.arguments
    if call.operation == "serverVersion":
        return xml_safe(service.server_version())
    if call.operation == "clientVersion":
        version = a["strVersion"]
        return xml_safe(service.client_version(None if version is None else str(version)))
    if call.operation == "authenticate":
        answer = service.authenticate(_text(a["strUserName"]), _text(a["strPassword"]), source)
        return [xml_safe(item) for item in answer]
    if call.operation == "sendRequestXML":
        major, minor = a["qbXMLMajorVers"], a["qbXMLMinorVers"]
        return xml_safe(service.send_request_xml(
            _text(a["ticket"]), _text(a["strHCPResponse"]), _text(a["strCompanyFileName"]),
            _text(a["qbXMLCountry"]), major if isinstance(major, int) else None,
            minor if isinstance(minor, int) else None,
        ))  # fmt: skip
    if call.operation == "receiveResponseXML":
        return service.receive_response_xml(
            _text(a["ticket"]), _text(a["response"]), _text(a["hresult"]), _text(a["message"])
        )
    if call.operation == "getLastError":
        return xml_safe(service.get_last_error(_text(a["ticket"])))
    assert call.operation == "closeConnection", call.operation
    return xml_safe(service.close_connection(_text(a["ticket"])))


ON_THE_LOOP = frozenset({"serverVersion", "clientVersion"})
"""Answered without a thread: no store, no WorkSource, a few microseconds."""


class SoapFront:
    """ASGI application of ``/qbwc``: fast answers for recognised calls, ``fallback`` (the
    WSGI endpoint under a2wsgi) for everything else."""

    def __init__(
        self,
        fallback: ASGIApp,
        service: QbwcService,
        *,
        pool: ThreadPoolExecutor | None = None,
        response_limit: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.fallback = fallback
        self.service = service
        self.pool = pool or ThreadPoolExecutor(10, thread_name_prefix="qbwc")
        """Where ticket calls run: the service passes a2wsgi's, so no more calls reach the
        store at once than before (its connection pool is sized for them)."""
        self.response_limit = response_limit
        """The guard's limit for receiveResponseXML: a larger body goes to the guard, which
        refuses it (and records the lost page by its ticket)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("query_string"):
            await self.fallback(scope, receive, send)
            return
        read: list[Message] = []
        chunks: list[bytes] = []
        size, complete, scan = 0, True, None
        while True:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                complete = False
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if scan is not None:
                complete = size <= self.response_limit and scan.feed(chunks[-1])
            elif size > FAST_MAX_BODY:
                scan = self._page_scan(chunks, scope)
                complete = scan is not None and size <= self.response_limit
            if not complete or not message.get("more_body", False):
                break
        call = None
        if complete and scan is not None:
            call = self._page(scan)
        elif complete:  # a small body, in one piece
            body = b"".join(chunks)
            read[:] = [{"type": "http.request", "body": body, "more_body": False}]
            call = recognise(body)
            del body
        del chunks
        if call is None or not _headers_agree(scope, call.operation):
            await self.fallback(scope, _replay(read, receive), send)
            return
        read.clear()  # the body's bytes go before the call (a page's before its text is joined)
        if scan is not None:
            call.arguments["response"] = scan.text.text()
        await self._answer(call, _source(scope), send)

    def _page(self, scan: PageScan) -> FastCall | None:
        """The call a page read whole makes, its response text still in ``scan.text``."""
        envelope = scan.envelope()
        if envelope is None or not scan.text.finish():
            return None
        call = recognise(envelope, self.response_limit)
        return call if call is not None and call.arguments.get("response") == "" else None

    def _page_scan(self, chunks: list[bytes], scope: Scope) -> PageScan | None:
        """Past ``FAST_MAX_BODY``, a receiveResponseXML of the Web Connector's shape is read
        on (up to the response limit, when its Content-Length, if any, is within it)."""
        declared = _content_length(scope)
        if declared is not None and declared > self.response_limit:
            return None
        return page_scan(b"".join(chunks))

    async def _answer(self, call: FastCall, source: str, send: Send) -> None:
        status, payload = 200, b""
        try:
            if call.operation in ON_THE_LOOP:
                value = call_service(self.service, call)
            else:
                loop = asyncio.get_running_loop()
                value = await loop.run_in_executor(
                    self.pool, call_service, self.service, call, source
                )
            payload = answer_envelope(call.operation, value)
        except Exception:
            log.exception("QBWC %s failed", call.operation)  # spyne logs it too, and answers:
            status, payload = 500, INTERNAL_ERROR
        length = [(b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": status,
                    "headers": _CONTENT_TYPE + length})  # fmt: skip
        await send({"type": "http.response.body", "body": payload})


def _source(scope: Scope) -> str:
    """The caller's address as a2wsgi gives spyne ``REMOTE_ADDR``."""
    client = scope.get("client")
    return str(client[0]) if client else ""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def _headers_agree(scope: Scope, operation: str) -> bool:
    """Content-Type and SOAPAction as the guard accepts them without a question: text/xml
    (or none) in UTF-8 (or no charset), and no SOAPAction or the operation's own."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            text = value.decode("latin-1")
            charset = http_charset(text)
            if not text.lower().startswith("text/xml") or (
                charset is not None and charset.lower() not in ("utf-8", "utf8")
            ):
                return False
        elif name == b"soapaction":
            action = value.decode("latin-1").strip().strip('"').strip()
            if action and action not in (TNS + operation, operation):
                return False
    return True


def _replay(read: list[Message], receive: Receive) -> Receive:
    """``receive`` with the messages already taken given back first."""
    pending = list(read)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        message: Message = await receive()
        return message

    return replay

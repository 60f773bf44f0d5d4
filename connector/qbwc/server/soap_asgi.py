"""The ``/qbwc`` endpoint as ASGI: the Web Connector's hot calls answered directly, every
other request through the screened spyne path (``SoapGuard`` behind a2wsgi).

Owns: reading a POST's body on the event loop (at most ``FAST_MAX_BODY`` bytes; a
receiveResponseXML up to the response limit while ``soap_page.PageScan`` sees the Web
Connector's shape, its response text unescaped chunk by chunk as it arrives; past
``IN_MEMORY`` the body's bytes and the text wait in temporary files, so a large report is
not held in memory, and a long text reaches the service as a ``TextSpool``), and when
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
from connector.qbwc.server.soap_read import ReadBody
from connector.qbwc.server.soap_screen import DEFAULT_MAX_BODY, TNS
from connector.qbwc.server.text_spool import IN_MEMORY, Response, TextSpool

log = logging.getLogger(__name__)

_CONTENT_TYPE = [(b"content-type", b"text/xml; charset=utf-8")]
Answer = str | int | list[str]


def _text(value: str | int | None) -> str:
    return "" if value is None else str(value)


def call_service(
    service: QbwcService, call: FastCall, source: str = "", response: Response | None = None
) -> Answer:
    """What the spyne method of ``call.operation`` returns (``soap.build_spyne_application``);
    ``source``: the caller's address (authenticate throttles wrong passwords by it);
    ``response``: a page's text, read apart from the call's other parameters."""
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
        text = _text(a["response"]) if response is None else response
        return service.receive_response_xml(
            _text(a["ticket"]), text, _text(a["hresult"]), _text(a["message"])
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
        in_memory: int = IN_MEMORY,
    ) -> None:
        self.fallback = fallback
        self.service = service
        self.pool = pool or ThreadPoolExecutor(10, thread_name_prefix="qbwc")
        """Where ticket calls run: the service passes a2wsgi's, so no more calls reach the
        store at once than before (its connection pool is sized for them)."""
        self.response_limit = response_limit
        """The guard's limit for receiveResponseXML: a larger body goes to the guard, which
        refuses it (and records the lost page by its ticket)."""
        self.in_memory = in_memory
        """Bytes of a body, and of a page's text, held in memory: past them they
        wait in temporary files (``soap_read``, ``text_spool``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("query_string"):
            await self.fallback(scope, receive, send)
            return
        read = ReadBody(self.in_memory)
        try:
            call, scan = await self._read(scope, receive, read)
            if call is None or not _headers_agree(scope, call.operation):
                if scan is not None:
                    scan.text.close()
                await self.fallback(scope, _replay(read, receive), send)
                return
            read.close()  # the body's bytes go before the call (a page's before its text)
            text = scan.text.text() if scan is not None else None
            try:
                await self._answer(call, _source(scope), send, text)
            finally:
                if isinstance(text, TextSpool):
                    text.close()
        finally:
            read.close()

    async def _read(
        self, scope: Scope, receive: Receive, read: ReadBody
    ) -> tuple[FastCall | None, PageScan | None]:
        """Read the body into ``read``: the call it makes when it is whole and recognised
        (a page's text still in the scan), and the page's scan if one started."""
        chunks: list[bytes] = []  # until a page's scan starts
        size, complete, scan = 0, True, None
        while True:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                complete = False
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if scan is not None:
                complete = size <= self.response_limit and scan.feed(chunk)
            else:
                chunks.append(chunk)
                if size > FAST_MAX_BODY:
                    scan = self._page_scan(chunks, scope)
                    complete = scan is not None and size <= self.response_limit
                    chunks = []
            if not complete or not message.get("more_body", False):
                break
        if not complete:
            return None, scan
        if scan is not None:
            return self._page(scan), scan
        body = b"".join(chunks)  # a small body, in one piece
        read.replace(body)
        return recognise(body), None

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
        return page_scan(b"".join(chunks), self.in_memory)

    async def _answer(
        self, call: FastCall, source: str, send: Send, response: Response | None = None
    ) -> None:
        status, payload = 200, b""
        try:
            if call.operation in ON_THE_LOOP:
                value = call_service(self.service, call)
            else:
                loop = asyncio.get_running_loop()
                value = await loop.run_in_executor(
                    self.pool, call_service, self.service, call, source, response
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


def _replay(read: ReadBody, receive: Receive) -> Receive:
    """``receive`` with the messages already taken given back first, exactly as they came."""
    pending = read.messages()

    async def replay() -> Message:
        for message in pending:
            return message
        message = await receive()
        return message

    return replay

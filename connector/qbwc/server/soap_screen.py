"""Reading a SOAP request body while screening it, before any tree is built (issue 18 item 1).

Owns: the byte limits of a POST to ``/qbwc`` and the envelope's shape. The body is read in
chunks and every chunk goes through ``connector.qbxml.prescan`` as it arrives, so a hostile
body is refused after the first chunk that crosses a limit, never after it was read whole or
parsed into a tree:

- until the operation element has been seen, and for every operation but
  ``receiveResponseXML``, the body may be at most ``BodyLimits.call`` bytes (1 MiB: the
  largest of them, sendRequestXML with its HostQuery/CompanyQuery/PreferencesQuery reply,
  is a few kilobytes); ``receiveResponseXML`` carries a page of records and may use
  ``BodyLimits.response`` (the service's ``soap_max_body_bytes``);
- the envelope must be SOAP 1.1, with at most one Header and exactly one Body, holding exactly
  one element: a known operation in ``http://developer.intuit.com/``; the operation is
  refused as soon as its start tag has arrived.
Must not: know what the operations mean, or keep more than the body's own bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from connector.qbwc.server.errors import BodyTooLarge, ForbiddenXml, MalformedSoap, SoapRequestError
from connector.qbwc.server.soap_encoding import decide_encoding
from connector.qbxml.errors import XmlParseError, XmlSecurityError
from connector.qbxml.prescan import Prescan, PrescanLimits

TNS = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENVELOPE, BODY = f"{{{SOAP_ENV}}}Envelope", f"{{{SOAP_ENV}}}Body"
OPERATIONS = frozenset(
    {
        "serverVersion",
        "clientVersion",
        "authenticate",
        "sendRequestXML",
        "receiveResponseXML",
        "connectionError",
        "getLastError",
        "closeConnection",
        "getInteractiveURL",
        "interactiveDone",
        "interactiveRejected",
    }
)
LARGE_OPERATION = "receiveResponseXML"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MAX_CALL_BODY = 1024 * 1024
CHUNK = 64 * 1024
LOGGED_PREFIX = 256
_SNIFF = 256  # bytes read before the encoding is decided (an XML declaration fits)


@dataclass(frozen=True)
class BodyLimits:
    response: int = DEFAULT_MAX_BODY
    """receiveResponseXML's limit."""
    call: int = DEFAULT_MAX_CALL_BODY
    """Every other call's limit, and the limit until the operation is known."""


@dataclass(frozen=True)
class Screened:
    body: bytes
    operation: str
    encoding: str


Read = Callable[[int], bytes]


def read_screened(
    read: Read,
    declared_length: int | None,
    limits: BodyLimits,
    prescan: PrescanLimits,
    charset: str | None = None,
) -> Screened:
    """Read and screen a body whose HTTP charset is ``charset``; raises a
    ``SoapRequestError`` at the first problem. A body declared larger than any limit is
    read only until its operation shows (within the call limit), so a receiveResponseXML
    over the limit can name its ticket (``BodyTooLarge.ticket``)."""
    reader = _Reader(limits, declared_length, prescan, charset)
    over = declared_length is not None and declared_length > limits.response
    try:
        try:
            return _read_all(read, reader)
        except SoapRequestError as exc:
            if over and not isinstance(exc, BodyTooLarge):
                raise BodyTooLarge(limits.response) from None  # too large, whatever else
            raise
    except SoapRequestError as exc:
        # what the log may say of a refused body: its size so far and a bounded prefix
        exc.received = reader.total
        exc.head = reader.chunks[0][:LOGGED_PREFIX] if reader.chunks else b""
        if isinstance(exc, BodyTooLarge) and reader.operation:
            exc.operation = reader.operation
            if reader.operation == LARGE_OPERATION:
                exc.ticket = _ticket(b"".join(reader.chunks[:2]), reader.encoding)
        raise


class _Reader:
    def __init__(
        self, limits: BodyLimits, declared: int | None, prescan: PrescanLimits, charset: str | None
    ) -> None:
        self.limits, self.declared, self.prescan_limits = limits, declared, prescan
        self.charset = charset
        self.limit = limits.call
        self.total = 0
        self.chunks: list[bytes] = []
        self.scan: Prescan | None = None
        self.encoding = ""
        self.operation = ""

    def take(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.limit:
            raise BodyTooLarge(self.limit)
        self.chunks.append(chunk)
        if self.scan is None:
            if self.total < _SNIFF:
                return
            self._start(b"".join(self.chunks))
        else:
            self.scan.feed(chunk)
        if not self.operation:
            self._find_operation()

    def finish(self) -> Screened:
        if self.scan is None:
            self._start(b"".join(self.chunks))
        assert self.scan is not None
        self.scan.close()
        self._find_operation()
        _check_envelope(self.scan.top)
        body = b"".join(self.chunks)
        self.chunks.clear()  # one copy of the body from here on
        return Screened(body, self.operation, self.encoding)

    def _start(self, head: bytes) -> None:
        self.encoding = decide_encoding(head, self.charset)
        self.scan = Prescan(self.encoding, self.prescan_limits)
        if head:
            self.scan.feed(head)

    def _find_operation(self) -> None:
        assert self.scan is not None
        top = self.scan.top
        if top and top[0] != (1, ENVELOPE):
            raise MalformedSoap(f"expected a SOAP 1.1 Envelope, got {top[0][1]!r}")
        operation = _operation(top)
        if operation is None:
            return
        self.operation = operation
        self.limit = self.limits.response if operation == LARGE_OPERATION else self.limits.call
        if self.total > self.limit or (self.declared or 0) > self.limit:
            raise BodyTooLarge(self.limit)


def _read_all(read: Read, reader: _Reader) -> Screened:
    try:
        while chunk := read(min(CHUNK, reader.limit + 1 - reader.total)):
            reader.take(chunk)
        return reader.finish()
    except XmlSecurityError as exc:
        raise ForbiddenXml(f"refused XML: {exc}") from None
    except XmlParseError as exc:
        raise MalformedSoap(f"not well-formed XML: {exc}") from None


_TICKET = re.compile(
    r"<(?:[\w.-]+:)?ticket(?:\s[^<>]*)?>\s*([^<>\s]{1,64})\s*</(?:[\w.-]+:)?ticket\s*>"
)


def _ticket(head: bytes, encoding: str) -> str:
    """receiveResponseXML's ticket (its first parameter, so within the first chunks), or "".
    Read from a prefix the screen accepted so far; the service treats it like any ticket
    (a session is found by it, or the call is for no session)."""
    found = _TICKET.search(head[: 2 * CHUNK].decode(encoding or "utf-8", errors="replace"))
    return found.group(1) if found else ""


def check_soap_action(header: str | None, operation: str) -> None:
    """A SOAPAction header, when present and not empty, must name the body's operation
    (PROTOCOL.md 1.1: ``http://developer.intuit.com/<methodName>``; issue 18 item 10)."""
    action = (header or "").strip().strip('"').strip()
    if action and action not in (TNS + operation, operation):
        raise MalformedSoap(
            f"SOAPAction {action[:120]!r} does not match the operation {operation!r}"
        )


def _operation(top: list[tuple[int, str]]) -> str | None:
    """The operation's name once its start tag under the Body was seen (checked at once)."""
    parent = ""
    for depth, tag in top:
        if depth == 2:
            parent = tag
        elif depth == 3 and parent == BODY:
            namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
            if namespace != TNS or name not in OPERATIONS:
                raise MalformedSoap(f"unknown operation {tag[:200]!r} (namespace must be {TNS})")
            return name
    return None


def _check_envelope(top: list[tuple[int, str]]) -> None:
    if [tag for depth, tag in top if depth == 2].count(BODY) != 1:
        raise MalformedSoap("the envelope must have exactly one SOAP Body")
    parent, calls = "", 0
    for depth, tag in top:
        parent = tag if depth == 2 else parent
        calls += depth == 3 and parent == BODY
    if calls != 1:
        raise MalformedSoap("the SOAP Body must hold exactly one operation element")

"""SOAP envelopes as the Web Connector writes and reads them (client side, pure).

Owns: the byte-exact request envelopes QBWC sends (``build_request``), reading the
service's replies (``read_string_result``, ``read_array_result``, ``read_int_result``) and
the client-side call error (``SoapCallError``). Must not: do I/O (see ``transport``).

Facts: SOAP 1.1 document/literal, namespace ``http://developer.intuit.com/``, SOAPAction
``http://developer.intuit.com/<method>`` (PROTOCOL.md 1.1). The envelope layout below is
the one recorded from QBWC 2.0 (``reference/soap/consolibyte-log-2008``): an XML
declaration, the ``soap``/``xsi``/``xsd`` prefixes, no whitespace, the method element
carrying a default namespace, empty strings as ``<name />``, and only ``&``, ``<``, ``>``
escaped in text (.NET's XmlSerializer leaves quotes alone). Replies are parsed only
through ``connector.qbxml.safexml`` (no DTD or entities, size-capped): a hostile or broken
reply becomes a ``SoapCallError``, never an exception of another kind. The interactive-mode
methods are absent: this client does not support interactive mode (PROTOCOL.md 1.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from lxml import etree

from connector.qbxml.errors import XmlInputError
from connector.qbxml.safexml import parse_document

TNS = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MAX_REPLY_BYTES = 64 * 1024 * 1024
"""Replies carry whole qbXML requests; QuickBooks itself chokes long before this."""

_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<soap:Envelope xmlns:soap="{SOAP_ENV}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>'
)
_TAIL = "</soap:Body></soap:Envelope>"


class QbwcMethod(Enum):
    """The web methods QBWC calls (PG ch.10), by their wire names."""

    SERVER_VERSION = "serverVersion"
    CLIENT_VERSION = "clientVersion"
    AUTHENTICATE = "authenticate"
    SEND_REQUEST_XML = "sendRequestXML"
    RECEIVE_RESPONSE_XML = "receiveResponseXML"
    CONNECTION_ERROR = "connectionError"
    GET_LAST_ERROR = "getLastError"
    CLOSE_CONNECTION = "closeConnection"

    @property
    def soap_action(self) -> str:
        return TNS + self.value


class FailureKind(Enum):
    """Why a SOAP call did not give a usable answer."""

    FAULT = "fault"
    """The service answered a SOAP fault."""
    MALFORMED = "malformed"
    """Not well-formed XML, or not the expected response element (QBWC1042's wording)."""
    HTTP = "http"
    """An HTTP error status without a SOAP fault (e.g. 404 on a wrong AppURL)."""
    TRANSPORT = "transport"
    """No answer at all: connection refused, timeout, TLS failure."""
    CERTIFICATE = "certificate"
    """The server certificate could not be verified (QBWC1048)."""


class SoapCallError(Exception):
    """A Web Connector call that failed; the client maps it to a QBWC10xx code."""

    def __init__(self, method: QbwcMethod, kind: FailureKind, detail: str) -> None:
        self.method = method
        self.kind = kind
        self.detail = detail
        super().__init__(f"{method.value}: {kind.value}: {detail}")


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_request(method: QbwcMethod, params: Sequence[tuple[str, str | int]] = ()) -> bytes:
    """The request envelope QBWC sends for ``method`` with ``params`` in order."""
    if not params:
        body = f'<{method.value} xmlns="{TNS}" />'
    else:
        inner = "".join(_param(name, value) for name, value in params)
        body = f'<{method.value} xmlns="{TNS}">{inner}</{method.value}>'
    return (_HEAD + body + _TAIL).encode("utf-8")


def _param(name: str, value: str | int) -> str:
    text = str(value)
    if text == "":
        return f"<{name} />"
    return f"<{name}>{escape_text(text)}</{name}>"


# --- replies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpReply:
    """What came back over HTTP for one call."""

    status: int
    body: bytes
    content_type: str = ""


def _result(method: QbwcMethod, reply: HttpReply) -> etree._Element | None:
    """The ``<methodResult>`` element (``None`` = absent, i.e. a null result)."""
    try:
        root = parse_document(reply.body, max_bytes=MAX_REPLY_BYTES)
    except XmlInputError as exc:
        if reply.status >= 400:
            raise SoapCallError(method, FailureKind.HTTP, f"HTTP {reply.status}") from None
        raise SoapCallError(
            method, FailureKind.MALFORMED, f"Response is not well-formed XML. {exc}"
        ) from None
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if root.tag != f"{{{SOAP_ENV}}}Envelope" or body is None:
        if reply.status >= 400:  # an error page that happens to be well-formed XML
            raise SoapCallError(method, FailureKind.HTTP, f"HTTP {reply.status}")
        raise SoapCallError(method, FailureKind.MALFORMED, "the reply is not a SOAP 1.1 envelope")
    fault = body.find(f"{{{SOAP_ENV}}}Fault")
    if fault is not None:
        code = fault.findtext("faultcode") or ""
        text = fault.findtext("faultstring") or ""
        raise SoapCallError(method, FailureKind.FAULT, f"{code}: {text}".strip(": "))
    if reply.status >= 400:
        raise SoapCallError(method, FailureKind.HTTP, f"HTTP {reply.status}")
    response = body.find(f"{{{TNS}}}{method.value}Response")
    if response is None:
        raise SoapCallError(
            method, FailureKind.MALFORMED, f"no <{method.value}Response> in namespace {TNS}"
        )
    for child in response:
        if isinstance(child.tag, str) and etree.QName(child).localname == method.value + "Result":
            return child
    return None


def read_string_result(method: QbwcMethod, reply: HttpReply) -> str:
    """A string result; a missing or nil result reads as ``""`` (.NET's null)."""
    result = _result(method, reply)
    return "" if result is None else (result.text or "")


def read_array_result(method: QbwcMethod, reply: HttpReply) -> tuple[str, ...]:
    """An ``ArrayOfString`` result (authenticate): the ``<string>`` items in order."""
    result = _result(method, reply)
    if result is None:
        return ()
    return tuple(
        (item.text or "")
        for item in result
        if isinstance(item.tag, str) and etree.QName(item).localname == "string"
    )


def read_int_result(method: QbwcMethod, reply: HttpReply) -> int:
    """An ``int`` result (receiveResponseXML); absent or not a number is malformed."""
    result = _result(method, reply)
    text = "" if result is None else (result.text or "").strip()
    try:
        return int(text)
    except ValueError:
        raise SoapCallError(
            method, FailureKind.MALFORMED, f"{method.value}Result is not an integer: {text!r}"
        ) from None

"""The WSGI layer in front of spyne: nothing reaches the SOAP stack unscreened.

Owns: a plain GET/HEAD answering 200 (QBWC and browsers probe AppURL, qbwc/qbwc#30), the
WSDL passthrough (with Intuit's SOAPAction values), and for POSTs: the body read with a byte
limit, the body screened through ``connector.qbxml.safexml`` (no DTD, no entities) and checked
to be a SOAP 1.1 envelope carrying one known operation in ``http://developer.intuit.com/``;
anything else gets a SOAP Client fault, never HTML, before spyne parses anything and before any
state can change.
Must not: know what the operations mean (``connector.qbwc.service`` does).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from connector.qbwc.errors import BodyTooLarge, ForbiddenXml, MalformedSoap, SoapRequestError
from connector.qbxml import safexml
from connector.qbxml.errors import QbxmlError, XmlSecurityError

log = logging.getLogger(__name__)

TNS = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
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
DEFAULT_MAX_BODY = 64 * 1024 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def fault_envelope(faultcode: str, message: str) -> bytes:
    """A SOAP 1.1 fault (built with lxml, so any text is escaped)."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{faultcode}"
    etree.SubElement(fault, "faultstring").text = message
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def screen_soap_body(body: bytes, max_bytes: int) -> str:
    """Refuse anything but a SOAP 1.1 envelope with one known operation; returns its name."""
    try:
        root = safexml.parse_document(body, max_bytes=max_bytes)
    except XmlSecurityError as exc:
        raise ForbiddenXml(f"refused XML: {exc}") from None
    except QbxmlError as exc:
        raise MalformedSoap(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise MalformedSoap(f"expected a SOAP 1.1 Envelope, got {root.tag!r}")
    bodies = [child for child in root if child.tag == f"{{{SOAP_ENV}}}Body"]
    if len(bodies) != 1:
        raise MalformedSoap("the envelope must have exactly one SOAP Body")
    calls = [child for child in bodies[0] if isinstance(child.tag, str)]
    if len(calls) != 1:
        raise MalformedSoap("the SOAP Body must hold exactly one operation element")
    name = etree.QName(calls[0])
    if name.namespace != TNS or name.localname not in OPERATIONS:
        raise MalformedSoap(f"unknown operation {calls[0].tag!r} (namespace must be {TNS})")
    return name.localname


def read_body(environ: dict[str, Any], max_bytes: int) -> bytes:
    """The request body, refusing (early, by Content-Length, or while reading) past the limit."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(max_bytes)
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(65536, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise BodyTooLarge(max_bytes)
        chunks.append(chunk)


INFO_PAGE = (
    b"<!DOCTYPE html><html><head><title>qbd-connector</title></head><body>"
    b"<p>QuickBooks Web Connector endpoint. POST SOAP 1.1 here; the WSDL is at ?wsdl.</p>"
    b"</body></html>"
)


class SoapGuard:
    """WSGI wrapper: GET page, WSDL passthrough, screened POSTs, faults for everything else."""

    def __init__(self, spyne_app: WsgiApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.spyne_app = spyne_app
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        query = str(environ.get("QUERY_STRING", ""))
        if method == "GET" and query.split("=")[0].lower() in ("wsdl", "singlewsdl"):
            return self._wsdl({**environ, "QUERY_STRING": "wsdl"}, start_response)
        if method in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [b"" if method == "HEAD" else INFO_PAGE]
        if method != "POST":
            return self._fault(start_response, "Client", f"method {method} not allowed", 405)
        try:
            body = read_body(environ, self.max_body)
            screen_soap_body(body, self.max_body)
        except SoapRequestError as exc:
            return self._fault(start_response, exc.faultcode, exc.message, 500)
        return self._dispatch(environ, body, start_response)

    def _run_spyne(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return lambda _data: None

        payload = b"".join(self.spyne_app(environ, capture))
        status, headers = captured
        return status, headers, payload

    @staticmethod
    def _send(
        start_response: StartResponse, status: str, headers: list[tuple[str, str]], payload: bytes
    ) -> list[bytes]:
        kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*kept, ("Content-Length", str(len(payload)))])
        return [payload]

    def _wsdl(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        status, headers, payload = self._run_spyne(environ)
        for name in OPERATIONS:  # spyne writes bare names; Intuit's WSDL has tns + name
            payload = payload.replace(
                f'soapAction="{name}"'.encode(), f'soapAction="{TNS}{name}"'.encode()
            )
        return self._send(start_response, status, headers, payload)

    def _dispatch(
        self, environ: dict[str, Any], body: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        inner = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        if "xml" not in str(environ.get("CONTENT_TYPE", "")).lower():
            # The body was screened as a SOAP envelope; spyne refuses other content types.
            inner["CONTENT_TYPE"] = "text/xml; charset=utf-8"
        try:
            status, headers, payload = self._run_spyne(inner)
        except Exception:
            log.exception("spyne failed on a screened request")
            return self._fault(start_response, "Server", "internal error", 500)
        content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
        if "xml" not in content_type or not payload.lstrip().startswith(b"<"):
            return self._fault(start_response, "Server", "internal error", 500)
        return self._send(start_response, status, headers, payload)

    @staticmethod
    def _fault(
        start_response: StartResponse, code: str, message: str, http_status: int
    ) -> list[bytes]:
        payload = fault_envelope(code, message)
        reason = {405: "Method Not Allowed", 500: "Internal Server Error"}[http_status]
        start_response(
            f"{http_status} {reason}",
            [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

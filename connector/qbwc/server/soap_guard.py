"""The WSGI layer in front of spyne: nothing reaches the SOAP stack unscreened.

Owns: a plain GET/HEAD answering 200 (QBWC and browsers probe AppURL, qbwc/qbwc#30), the
WSDL passthrough (with Intuit's SOAPAction values), and for POSTs: the body read and screened
chunk by chunk (``connector.qbwc.server.soap_screen``: byte limits per operation, element count and
depth, no DTD, no entities) and checked to be a SOAP 1.1 envelope carrying one known operation
in ``http://developer.intuit.com/``; anything else gets a SOAP Client fault (HTTP 413 for a body
over its limit), never HTML, before any tree is built and before any state can change.
Must not: know what the operations mean (``connector.qbwc.server.service`` does).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from lxml import etree

from connector.qbwc.server.errors import BodyTooLarge, SoapRequestError
from connector.qbwc.server.soap_encoding import http_charset, spyne_charset
from connector.qbwc.server.soap_screen import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_CALL_BODY,
    LARGE_OPERATION,
    OPERATIONS,
    SOAP_ENV,
    TNS,
    BodyLimits,
    Screened,
    check_soap_action,
    read_screened,
)
from connector.qbxml.prescan import PrescanLimits

log = logging.getLogger(__name__)


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


def result_envelope(operation: str, value: str) -> bytes:
    """``<operation>Response`` with its ``<operation>Result`` as Intuit's WSDL names them."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    response = etree.SubElement(body, f"{{{TNS}}}{operation}Response", nsmap={"tns": TNS})
    etree.SubElement(response, f"{{{TNS}}}{operation}Result").text = value
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def declared_length(environ: dict[str, Any]) -> int | None:
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    return int(declared) if declared.isdigit() else None


INFO_PAGE = (
    b"<!DOCTYPE html><html><head><title>qbd-connector</title></head><body>"
    b"<p>QuickBooks Web Connector endpoint. POST SOAP 1.1 here; the WSDL is at ?wsdl.</p>"
    b"</body></html>"
)


class SoapGuard:
    """WSGI wrapper: GET page, WSDL passthrough, screened POSTs, faults for everything else."""

    def __init__(
        self,
        spyne_app: WsgiApp,
        max_body: int = DEFAULT_MAX_BODY,
        *,
        limits: BodyLimits | None = None,
        prescan: PrescanLimits | None = None,
        response_refused: Callable[[str, str], int] | None = None,
    ) -> None:
        self.spyne_app = spyne_app
        self.response_refused = response_refused
        """``(ticket, why) -> receiveResponseXMLResult`` for a page over the limit whose
        ticket arrived: the session records it and goes on (issue 18 item 2)."""
        self.limits = limits or BodyLimits(
            response=max_body, call=min(max_body, DEFAULT_MAX_CALL_BODY)
        )
        self.prescan = prescan or PrescanLimits()

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
            screened = read_screened(
                environ["wsgi.input"].read,
                declared_length(environ),
                self.limits,
                self.prescan,
                http_charset(str(environ.get("CONTENT_TYPE", ""))),
            )
            check_soap_action(environ.get("HTTP_SOAPACTION"), screened.operation)
        except SoapRequestError as exc:
            status = 413 if isinstance(exc, BodyTooLarge) else 500
            log.info(
                "refused a SOAP request from %s: %s (Content-Length %s, %d bytes read; "
                "it starts %r)",
                environ.get("REMOTE_ADDR", "?"),
                exc.message,
                environ.get("CONTENT_LENGTH") or "none",
                exc.received,
                exc.head,
            )
            if isinstance(exc, BodyTooLarge) and exc.ticket and self.response_refused:
                return self._refused_page(start_response, exc)
            return self._fault(start_response, exc.faultcode, exc.message, status)
        return self._dispatch(environ, screened, start_response)

    def _refused_page(self, start_response: StartResponse, exc: BodyTooLarge) -> list[bytes]:
        """Answer a receiveResponseXML too large to take as the session decides (it records
        the lost page and asks again smaller), as a normal result: the Web Connector goes on
        with sendRequestXML (or getLastError for a negative value)."""
        assert self.response_refused is not None
        why = (
            f"QuickBooks' response (more than {exc.limit} bytes) is over the service's limit "
            f"of {exc.limit} bytes (QBD_SOAP_MAX_BODY_BYTES)"
        )
        try:
            value = self.response_refused(exc.ticket, why)
        except Exception:
            log.exception("recording a response too large to take failed")
            return self._fault(start_response, exc.faultcode, exc.message, 413)
        payload = result_envelope(LARGE_OPERATION, str(value))
        headers = [
            ("Content-Type", "text/xml; charset=utf-8"),
            ("Content-Length", str(len(payload))),
        ]
        start_response("200 OK", headers)
        return [payload]

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
        self, environ: dict[str, Any], screened: Screened, start_response: StartResponse
    ) -> Iterable[bytes]:
        body = screened.body
        inner = {
            **environ,
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            # spyne decodes by this charset: the encoding the screen decided and checked
            "CONTENT_TYPE": f"text/xml; charset={spyne_charset(screened.encoding, body[:3])}",
        }
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
        reason = HTTPStatus(http_status).phrase
        headers = [
            ("Content-Type", "text/xml; charset=utf-8"),
            ("Content-Length", str(len(payload))),
        ]
        start_response(f"{http_status} {reason}", headers)
        return [payload]

"""The Web Connector SOAP endpoint: a spyne service behind a guarding WSGI layer.

Owns: the wire contract of PROTOCOL.md 1.1-1.2: SOAP 1.1 document/literal in the
``http://developer.intuit.com/`` namespace, operation, parameter and result names exactly as
Intuit's WSDL (``authenticateResult`` is an ``ArrayOfString`` of ``string`` items,
``receiveResponseXMLResult`` an ``int``), ``serverVersion`` with or without ``strVersion``,
the three interactive-mode calls, and the WSDL at ``?wsdl``. The guard (``SoapGuard``) makes
sure that a plain GET answers 200 (QBWC and browsers probe AppURL, qbwc/qbwc#30), that a POST
never gets HTML, and that oversized bodies, DTDs/entities, garbage, wrong namespaces and
unknown operations get a SOAP Client fault *before* spyne parses anything (the body is read
with a byte limit and screened through ``connector.qbxml.safexml``).
Must not: hold protocol logic (``QbwcService`` answers every call).
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from lxml import etree

from connector.qbwc.errors import BodyTooLarge, ForbiddenXml, MalformedSoap, SoapRequestError
from connector.qbwc.service import QbwcConfig, QbwcService, new_ticket, utcnow
from connector.qbwc.work import WorkSource
from connector.qbxml import safexml
from connector.qbxml.errors import QbxmlError, XmlSecurityError
from connector.store.db import Database

with warnings.catch_warnings():
    # spyne 2.14 bundles an old ``six`` and imports deprecated stdlib modules at import time;
    # harmless, but they must not turn into errors where warnings are errors (pytest).
    warnings.simplefilter("ignore", ImportWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import spyne.const
    from spyne import Application, ComplexModel, Integer32, ServiceBase, Unicode, rpc
    from spyne.protocol.soap import Soap11
    from spyne.server.wsgi import WsgiApplication

# spyne runs a full ``gc.collect()`` at most once a second after a call (to close file
# descriptors of attachments, which we never take). In a large process that pause holds the
# GIL for every concurrent request (measured: 0.4 s under load, the whole p99); leave
# collection to Python.
spyne.const.MIN_GC_INTERVAL = float("inf")

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


class ArrayOfString(ComplexModel):  # type: ignore[misc]
    """Intuit's ``tns:ArrayOfString``: a sequence of nillable ``string`` elements."""

    __namespace__ = TNS
    __type_name__ = "ArrayOfString"
    string = Unicode(max_occurs="unbounded", nillable=True)


def _text(value: str | None) -> str:
    return value or ""


def build_spyne_application(service: QbwcService) -> Application:
    """A spyne ``Application`` whose methods delegate to ``service``."""

    class QBWebConnectorSvc(ServiceBase):  # type: ignore[misc]
        @rpc(Unicode(min_occurs=0), _returns=Unicode)  # type: ignore[untyped-decorator]
        def serverVersion(ctx: object, strVersion: str | None = None) -> str:
            return service.server_version()

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def clientVersion(ctx: object, strVersion: str | None) -> str:
            return service.client_version(strVersion)

        @rpc(Unicode, Unicode, _returns=ArrayOfString)  # type: ignore[untyped-decorator]
        def authenticate(ctx: object, strUserName: str | None, strPassword: str | None) -> Any:
            return ArrayOfString(string=service.authenticate(strUserName, strPassword))

        @rpc(Unicode, Unicode, Unicode, Unicode, Integer32, Integer32, _returns=Unicode)  # type: ignore[untyped-decorator]
        def sendRequestXML(
            ctx: object,
            ticket: str | None,
            strHCPResponse: str | None,
            strCompanyFileName: str | None,
            qbXMLCountry: str | None,
            qbXMLMajorVers: int | None,
            qbXMLMinorVers: int | None,
        ) -> str:
            return service.send_request_xml(
                _text(ticket),
                _text(strHCPResponse),
                _text(strCompanyFileName),
                _text(qbXMLCountry),
                qbXMLMajorVers,
                qbXMLMinorVers,
            )

        @rpc(Unicode, Unicode, Unicode, Unicode, _returns=Integer32)  # type: ignore[untyped-decorator]
        def receiveResponseXML(
            ctx: object,
            ticket: str | None,
            response: str | None,
            hresult: str | None,
            message: str | None,
        ) -> int:
            return service.receive_response_xml(
                _text(ticket), _text(response), _text(hresult), _text(message)
            )

        @rpc(Unicode, Unicode, Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def connectionError(
            ctx: object, ticket: str | None, hresult: str | None, message: str | None
        ) -> str:
            return service.connection_error(_text(ticket), _text(hresult), _text(message))

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def getLastError(ctx: object, ticket: str | None) -> str:
            return service.get_last_error(_text(ticket))

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def closeConnection(ctx: object, ticket: str | None) -> str:
            return service.close_connection(_text(ticket))

        @rpc(Unicode, Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def getInteractiveURL(ctx: object, wcTicket: str | None, sessionID: str | None) -> str:
            return service.get_interactive_url(_text(wcTicket), _text(sessionID))

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def interactiveDone(ctx: object, wcTicket: str | None) -> str:
            return service.interactive_done(_text(wcTicket))

        @rpc(Unicode, Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def interactiveRejected(ctx: object, wcTicket: str | None, reason: str | None) -> str:
            return service.interactive_rejected(_text(wcTicket), _text(reason))

    return Application(
        [QBWebConnectorSvc],
        tns=TNS,
        name="QBWebConnectorSvcSoap",
        in_protocol=Soap11(validator="lxml"),
        out_protocol=Soap11(),
    )


# --------------------------------------------------------------------------- the guard
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


def create_wsgi_app(
    database: Database,
    settings: object,
    work_source: WorkSource,
    *,
    config: QbwcConfig | None = None,
    clock: Callable[[], datetime] = utcnow,
    ticket_factory: Callable[[], str] = new_ticket,
) -> WsgiApp:
    """The ``/qbwc`` WSGI application (H6 mounts it in the FastAPI app through a2wsgi)."""
    qbwc_config = config or QbwcConfig.from_settings(settings)
    service = QbwcService(
        database, work_source, qbwc_config, clock=clock, ticket_factory=ticket_factory
    )
    max_body = int(getattr(settings, "soap_max_body_bytes", DEFAULT_MAX_BODY))
    return SoapGuard(WsgiApplication(build_spyne_application(service)), max_body)

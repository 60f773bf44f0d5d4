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
The service mounts ``create_asgi_app``: ``soap_asgi.SoapFront`` answers the Web Connector's
hot calls when their bytes have exactly QBWC's shape (``soap_fast``), as spyne would answer
them, and hands everything else to this guarded spyne application (issue 12).
Must not: hold protocol logic (``QbwcService`` answers every call).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.types import ASGIApp

from connector import logbounds
from connector.qbwc.server.config import QbwcConfig, new_ticket, utcnow
from connector.qbwc.server.service import QbwcService
from connector.qbwc.server.soap_asgi import SoapFront
from connector.qbwc.server.soap_fast import xml_safe
from connector.qbwc.server.soap_guard import SoapGuard, WsgiApp, fault_envelope
from connector.qbwc.server.soap_screen import DEFAULT_MAX_BODY, SOAP_ENV, TNS, BodyLimits
from connector.qbwc.server.work import RESPONSE_TOO_LARGE, WorkSource
from connector.settings import Settings
from connector.store.db import Database

__all__ = [
    "SOAP_ENV",
    "TNS",
    "ArrayOfString",
    "build_spyne_application",
    "create_asgi_app",
    "create_wsgi_app",
    "fault_envelope",
    "guarded_wsgi_app",
]

with warnings.catch_warnings():
    # spyne 2.14 imports ``cgi``, deprecated on Python 3.11 and 3.12 (legacy-cgi on 3.13); its
    # vendored six is repaired by connector/spyne_compat.py, installed by ``import connector``.
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


class ArrayOfString(ComplexModel):  # type: ignore[misc]
    """Intuit's ``tns:ArrayOfString``: a sequence of nillable ``string`` elements."""

    __namespace__ = TNS
    __type_name__ = "ArrayOfString"
    string = Unicode(max_occurs="unbounded", nillable=True)


def _text(value: str | None) -> str:
    return value or ""


def build_spyne_application(service: QbwcService) -> Application:
    """A spyne ``Application`` whose methods delegate to ``service``. String answers pass
    ``xml_safe``: lxml refuses characters XML cannot carry, and spyne then answered an
    envelope without a Body."""

    class QBWebConnectorSvc(ServiceBase):  # type: ignore[misc]
        @rpc(Unicode(min_occurs=0), _returns=Unicode)  # type: ignore[untyped-decorator]
        def serverVersion(ctx: object, strVersion: str | None = None) -> str:
            return xml_safe(service.server_version())

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def clientVersion(ctx: object, strVersion: str | None) -> str:
            return xml_safe(service.client_version(strVersion))

        @rpc(Unicode, Unicode, _returns=ArrayOfString)  # type: ignore[untyped-decorator]
        def authenticate(ctx: Any, strUserName: str | None, strPassword: str | None) -> Any:
            source = str(ctx.transport.req_env.get("REMOTE_ADDR") or "")
            answer = service.authenticate(strUserName, strPassword, source)
            return ArrayOfString(string=[xml_safe(item) for item in answer])

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
            request = service.send_request_xml(
                _text(ticket),
                _text(strHCPResponse),
                _text(strCompanyFileName),
                _text(qbXMLCountry),
                qbXMLMajorVers,
                qbXMLMinorVers,
            )
            return xml_safe(request)

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
            return xml_safe(service.connection_error(_text(ticket), _text(hresult), _text(message)))

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def getLastError(ctx: object, ticket: str | None) -> str:
            return xml_safe(service.get_last_error(_text(ticket)))

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def closeConnection(ctx: object, ticket: str | None) -> str:
            return xml_safe(service.close_connection(_text(ticket)))

        @rpc(Unicode, Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def getInteractiveURL(ctx: object, wcTicket: str | None, sessionID: str | None) -> str:
            return xml_safe(service.get_interactive_url(_text(wcTicket), _text(sessionID)))

        @rpc(Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def interactiveDone(ctx: object, wcTicket: str | None) -> str:
            return xml_safe(service.interactive_done(_text(wcTicket)))

        @rpc(Unicode, Unicode, _returns=Unicode)  # type: ignore[untyped-decorator]
        def interactiveRejected(ctx: object, wcTicket: str | None, reason: str | None) -> str:
            return xml_safe(service.interactive_rejected(_text(wcTicket), _text(reason)))

    return Application(
        [QBWebConnectorSvc],
        tns=TNS,
        name="QBWebConnectorSvcSoap",
        # huge_tree: the escaped qbXML of receiveResponseXML is one text node, and libxml2
        # caps a text node near 10 MB without it (issue 18 item 2: every session stopped at
        # a 21.7 MB page). Only text is lifted in effect: ``SoapGuard`` has screened the
        # body first (its byte limit, 1 MiB for every other call; element count and depth;
        # no DTD, no entity), and entities stay unresolved.
        in_protocol=Soap11(validator="lxml", huge_tree=True),
        out_protocol=Soap11(),
    )


def create_wsgi_app(
    database: Database,
    settings: Settings,
    work_source: WorkSource,
    *,
    config: QbwcConfig | None = None,
    clock: Callable[[], datetime] = utcnow,
    ticket_factory: Callable[[], str] = new_ticket,
) -> WsgiApp:
    """The ``/qbwc`` WSGI application: every call through the guard and spyne."""
    service = _service(database, settings, work_source, config, clock, ticket_factory)
    return guarded_wsgi_app(service, settings)


def create_asgi_app(database: Database, settings: Settings, work_source: WorkSource) -> ASGIApp:
    """The ``/qbwc`` ASGI application the service mounts: the Web Connector's hot calls
    answered by ``SoapFront``, everything else by the WSGI application under a2wsgi."""
    from a2wsgi import WSGIMiddleware

    service = _service(database, settings, work_source, None, utcnow, new_ticket)
    fallback = WSGIMiddleware(guarded_wsgi_app(service, settings))  # type: ignore[arg-type]  # a2wsgi: looser types
    limit = settings.soap_max_body_bytes or DEFAULT_MAX_BODY
    return SoapFront(fallback, service, pool=fallback.executor, response_limit=limit)  # type: ignore[arg-type]


def _service(
    database: Database,
    settings: Settings,
    work_source: WorkSource,
    config: QbwcConfig | None,
    clock: Callable[[], datetime],
    ticket_factory: Callable[[], str],
) -> QbwcService:
    logbounds.install()  # hostile bodies reach log lines through spyne (issue 18 item 5)
    qbwc_config = config or QbwcConfig.from_settings(settings)
    return QbwcService(
        database, work_source, qbwc_config, clock=clock, ticket_factory=ticket_factory
    )


def guarded_wsgi_app(service: QbwcService, settings: Settings) -> WsgiApp:
    """spyne over ``service`` behind ``SoapGuard`` with the settings' body limits."""
    max_body = settings.soap_max_body_bytes or DEFAULT_MAX_BODY
    # spyne refuses bodies past its own limit (2 MB by default): the guard's limit is the one
    wsgi = WsgiApplication(build_spyne_application(service), max_content_length=max_body)
    limits = BodyLimits(response=max_body, call=min(max_body, settings.soap_max_call_body_bytes))

    def response_refused(ticket: str, why: str) -> int:
        return service.receive_response_xml(ticket, "", RESPONSE_TOO_LARGE, why)

    return SoapGuard(wsgi, limits=limits, response_refused=response_refused)

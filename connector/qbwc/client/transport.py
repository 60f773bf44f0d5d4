"""The Web Connector's side of the wire: SOAP over HTTP(S) with httpx.

Owns: the ``RemoteQbwcService`` seam (the eight web methods QBWC calls, as typed Python
calls), its SOAP implementation ``SoapQbwcService`` over a one-method ``SoapTransport``, and
``HttpxTransport`` (TLS verification with an optional CA file, timeouts, retry policy).
Must not: decide what to call next (that is ``runner``) or parse qbXML.

Retry policy: the real Web Connector does not retry a web-method call blindly (PG ch.10:
every call failure ends the update with a QBWC10xx error), and a call that reached the
service may have changed its state. So ``HttpxTransport`` retries only a *connect* failure
(the request never left the machine), at most ``connect_retries`` times; timeouts, resets
and HTTP errors are reported as they are.
"""

from __future__ import annotations

import ssl
from typing import Protocol

import httpx

from connector.qbwc.client.envelopes import (
    FailureKind,
    HttpReply,
    QbwcMethod,
    SoapCallError,
    build_request,
    read_array_result,
    read_int_result,
    read_string_result,
)

USER_AGENT = "Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services Client Protocol 2.0.50727.8806)"
"""What .NET 2.0 web-service proxies (QBWC) send. Uncertain: the exact build number varies."""


class SoapTransport(Protocol):
    """Posts one SOAP envelope; raises ``SoapCallError`` (TRANSPORT/CERTIFICATE) when no answer."""

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply: ...


class RemoteQbwcService(Protocol):
    """The web service as the Web Connector sees it (PG ch.10). Every call may raise
    ``SoapCallError``. (``connector.qbwc.server.service.QbwcService`` is the server side.)"""

    def server_version(self) -> str: ...

    def client_version(self, str_version: str) -> str: ...

    def authenticate(self, user_name: str, password: str) -> tuple[str, ...]: ...

    def send_request_xml(
        self,
        ticket: str,
        hcp_response: str,
        company_file_name: str,
        country: str,
        major_version: int,
        minor_version: int,
    ) -> str: ...

    def receive_response_xml(
        self, ticket: str, response: str, hresult: str, message: str
    ) -> int: ...

    def connection_error(self, ticket: str, hresult: str, message: str) -> str: ...

    def get_last_error(self, ticket: str) -> str: ...

    def close_connection(self, ticket: str) -> str: ...


class SoapQbwcService:
    """``RemoteQbwcService`` over SOAP: envelopes as QBWC writes them, replies read strictly.
    Every call goes through ``_call``, where a subclass may watch or refuse it (the agent's
    ``WatchedService``)."""

    def __init__(self, transport: SoapTransport) -> None:
        self._transport = transport

    def _call(self, method: QbwcMethod, params: tuple[tuple[str, str | int], ...]) -> HttpReply:
        return self._transport.post(method, build_request(method, params))

    def server_version(self) -> str:
        # Sent with NO parameters, as QBWC 2.x does (PROTOCOL.md 1.1, WCWS).
        method = QbwcMethod.SERVER_VERSION
        return read_string_result(method, self._call(method, ()))

    def client_version(self, str_version: str) -> str:
        method = QbwcMethod.CLIENT_VERSION
        return read_string_result(method, self._call(method, (("strVersion", str_version),)))

    def authenticate(self, user_name: str, password: str) -> tuple[str, ...]:
        method = QbwcMethod.AUTHENTICATE
        params = (("strUserName", user_name), ("strPassword", password))
        return read_array_result(method, self._call(method, params))

    def send_request_xml(
        self,
        ticket: str,
        hcp_response: str,
        company_file_name: str,
        country: str,
        major_version: int,
        minor_version: int,
    ) -> str:
        method = QbwcMethod.SEND_REQUEST_XML
        params: tuple[tuple[str, str | int], ...] = (
            ("ticket", ticket),
            ("strHCPResponse", hcp_response),
            ("strCompanyFileName", company_file_name),
            ("qbXMLCountry", country),
            ("qbXMLMajorVers", major_version),
            ("qbXMLMinorVers", minor_version),
        )
        return read_string_result(method, self._call(method, params))

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        method = QbwcMethod.RECEIVE_RESPONSE_XML
        params = (("ticket", ticket), ("response", response), ("hresult", hresult))
        return read_int_result(method, self._call(method, (*params, ("message", message))))

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        method = QbwcMethod.CONNECTION_ERROR
        params = (("ticket", ticket), ("hresult", hresult), ("message", message))
        return read_string_result(method, self._call(method, params))

    def get_last_error(self, ticket: str) -> str:
        method = QbwcMethod.GET_LAST_ERROR
        return read_string_result(method, self._call(method, (("ticket", ticket),)))

    def close_connection(self, ticket: str) -> str:
        method = QbwcMethod.CLOSE_CONNECTION
        return read_string_result(method, self._call(method, (("ticket", ticket),)))


class HttpxTransport:
    """``SoapTransport`` over httpx.

    ``verify``: ``True`` (system CAs), ``False`` (tests only), or a CA bundle file for a
    self-signed test certificate (QBWC needs such certificates installed, PG p.17).
    """

    def __init__(
        self,
        url: str,
        *,
        verify: bool | str = True,
        timeout: float = 60.0,
        connect_retries: int = 1,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self._connect_retries = max(0, connect_retries)
        self._client = client or httpx.Client(
            verify=_ssl_context(verify), timeout=timeout, follow_redirects=False
        )

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{method.soap_action}"',
            "User-Agent": USER_AGENT,
        }
        for attempt in range(self._connect_retries + 1):
            try:
                response = self._client.post(self.url, content=envelope, headers=headers)
            except httpx.ConnectError as exc:
                if _is_certificate_error(exc):
                    raise SoapCallError(method, FailureKind.CERTIFICATE, str(exc)) from None
                if attempt < self._connect_retries:
                    continue  # never sent: safe to try again
                raise SoapCallError(method, FailureKind.TRANSPORT, str(exc)) from None
            except httpx.HTTPError as exc:
                raise SoapCallError(method, FailureKind.TRANSPORT, _describe(exc)) from None
            content_type = response.headers.get("content-type", "")
            return HttpReply(response.status_code, response.content, content_type)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpxTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _ssl_context(verify: bool | str) -> ssl.SSLContext | bool:
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return ssl.create_default_context() if verify else False


def _is_certificate_error(exc: httpx.ConnectError) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        cause = cause.__cause__ or cause.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _describe(exc: httpx.HTTPError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

"""The QBWC client: one update session, call for call as Intuit's Web Connector runs it.

Owns: the order of web-method calls and what the client does with each answer
(``run_session``). Its values (``SessionSummary``, ``SessionResult``, ``ClientConfig``) are
in ``summary``, the Host/Company/Preferences queries in ``host_queries``. The web
service is reached through the ``RemoteQbwcService`` seam (``transport``), QuickBooks
through ``RequestProcessor``; waiting is an injected ``sleep``. ``_Run`` is one long
sequence (about 300 lines) kept in one class on purpose: split, the call order would scatter.
Must not: speak HTTP or XML envelopes itself, import the emulator, or raise on anything the
service or QuickBooks answers (every failure ends up in the summary).

The sequence (PROTOCOL.md 1.1-1.4, PG ch.2 p.20-24, ch.10):
serverVersion() with no parameters -> clientVersion(strVersion): ``E:``/``O:`` stop, ``W:``
warns and goes on -> authenticate: ``nvu``/``none``/``busy`` stop (with [2] postpone and
[3] minimum-run seconds), so does any positive [2] (postponed); anything else is the company
file (``""`` = the open one) ->
OpenConnection + BeginSession; on failure connectionError(ticket, hresult hex, message),
``done`` stops, any other answer is a path to retry with (once: QBWC tries twice,
PG App. A QBWC1007/1008) -> Host/Company/Preferences queries -> sendRequestXML (first call
carries strHCPResponse) / receiveResponseXML loop: 100 = done, negative = getLastError then
stop; ``""`` from sendRequestXML -> getLastError: ``NoOp`` waits (~5 s) and asks again,
``Interactive mode`` is not supported here, anything else stops -> EndSession,
CloseConnection on QuickBooks -> closeConnection(ticket).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TypeVar

from connector.processors.base import ProcessorError, RequestProcessor
from connector.qbwc.client.envelopes import FailureKind, QbwcMethod, SoapCallError
from connector.qbwc.client.host_queries import build_hcp_request, read_host
from connector.qbwc.client.summary import (
    ClientConfig,
    SessionResult,
    SessionSummary,
    call_error_text,
)
from connector.qbwc.client.transport import RemoteQbwcService
from connector.qbwc.qwc import Qwc, check_app_url
from connector.qbxml.errors import XmlInputError

T = TypeVar("T")

__all__ = [
    "ClientConfig",
    "SessionResult",
    "SessionSummary",
    "build_hcp_request",
    "read_host",
    "run_session",
]


class _Stop(Exception):
    def __init__(self, result: SessionResult) -> None:
        self.result = result


class _Run:
    def __init__(
        self,
        qwc: Qwc,
        service: RemoteQbwcService,
        processor: RequestProcessor,
        config: ClientConfig,
        sleep: Callable[[float], None],
    ) -> None:
        self.qwc, self.service, self.qb = qwc, service, processor
        self.config, self.sleep = config, sleep
        self.out = SessionSummary(result=SessionResult.NO_REQUEST, calls=())
        """What the run has gathered so far; ``result`` is set when it ends (``summary``)."""
        self.qb_connected = False
        self.qb_ticket: str | None = None

    # -- calling the service -----------------------------------------------------------

    def call(self, method: QbwcMethod, fn: Callable[[], T]) -> T:
        self.called(method)
        try:
            return fn()
        except SoapCallError as exc:
            self.error(call_error_text(exc))
            raise _Stop(SessionResult.SOAP_ERROR) from None

    def called(self, method: QbwcMethod) -> None:
        self.out = replace(self.out, calls=(*self.out.calls, method.value))

    def error(self, text: str) -> None:
        self.out = replace(self.out, errors=(*self.out.errors, text))

    def warn(self, text: str) -> None:
        self.out = replace(self.out, warnings=(*self.out.warnings, text))

    def stop(self, result: SessionResult, error: str | None = None) -> _Stop:
        if error:
            self.error(error)
        return _Stop(result)

    # -- the phases ---------------------------------------------------------------------

    def execute(self, password: str) -> SessionResult:
        try:
            self.versions()
            status = self.authenticate(password)
        except _Stop as stop:
            return stop.result
        try:
            self.open_quickbooks(status)
            return self.exchange()
        except _Stop as stop:
            return stop.result
        finally:
            self.close_quickbooks()
            self.close_connection()

    def versions(self) -> None:
        """serverVersion and clientVersion are optional callbacks (PG p.21): a fault or no
        answer is logged and QBWC goes on to authenticate (which then fails if the service
        is unreachable). A clientVersion reply QBWC cannot read stops the update (QBWC1046).
        Uncertain: the real client's handling of a failed serverVersion is not documented."""
        self.called(QbwcMethod.SERVER_VERSION)
        try:
            self.out = replace(self.out, server_version=self.service.server_version())
        except SoapCallError as exc:
            self.warn(call_error_text(exc))
        self.called(QbwcMethod.CLIENT_VERSION)
        try:
            reply = self.service.client_version(self.config.qbwc_version)
        except SoapCallError as exc:
            if exc.kind is FailureKind.MALFORMED:
                raise self.stop(
                    SessionResult.SOAP_ERROR,
                    "QBWC1046: Application sent incorrect syntax return value for "
                    f"clientVersion(). Update cannot continue. {exc.detail}",
                ) from None
            self.warn(call_error_text(exc))
            return
        self.judge_client_version(reply)

    def judge_client_version(self, reply: str) -> None:
        prefix, text = reply[:2].upper(), reply[2:]
        if prefix == "W:":
            self.warn(f"clientVersion warning: {text}")
        elif prefix == "E:":
            raise self.stop(
                SessionResult.CLIENT_VERSION_REJECTED,
                f"QBWC1037: Application sent following error message when checking version "
                f"of QB web connector. Update aborted. {text}",
            )
        elif prefix == "O:":
            raise self.stop(
                SessionResult.CLIENT_VERSION_REJECTED,
                f"QBWC1037: The web service requires QuickBooks Web Connector version {text} "
                f"or later (this is {self.config.qbwc_version}).",
            )

    def authenticate(self, password: str) -> str:
        answer = self.call(
            QbwcMethod.AUTHENTICATE,
            lambda: self.service.authenticate(self.qwc.user_name, password),
        )
        if len(answer) < 2:
            raise self.stop(
                SessionResult.SOAP_ERROR,
                f"QBWC1012: Authentication failed due to error message: authenticate "
                f"returned {len(answer)} element(s), expected at least 2",
            )
        postpone = self.seconds(answer, 2)
        self.out = replace(
            self.out,
            ticket=answer[0],
            postpone_seconds=postpone,
            min_run_seconds=self.seconds(answer, 3),
        )
        status = answer[1]
        verdicts = {
            "nvu": SessionResult.INVALID_USER,
            "none": SessionResult.NO_WORK,
            "busy": SessionResult.BUSY,
        }
        verdict = verdicts.get(status.strip().lower())
        if verdict is not None:
            # PG p.21: "none"/"nvu" -> message, closeConnection, stop (busy alike, PG p.63).
            if verdict is SessionResult.INVALID_USER:
                self.error(
                    "QBWC1040: Web connector did not provide a valid username and/or password."
                )
            self.close_connection()
            raise _Stop(verdict)
        if postpone is not None and postpone > 0:
            # PG p.62-63 (examples 1, 3): a company file plus [2] seconds still means "the
            # current update process is discontinued". Uncertain: whether QBWC then calls
            # closeConnection is not documented; we do, as for none/nvu (frees the ticket).
            self.close_connection()
            raise _Stop(SessionResult.POSTPONED)
        return status

    def seconds(self, answer: tuple[str, ...], index: int) -> int | None:
        if len(answer) <= index or not answer[index].strip():
            return None
        try:
            return int(answer[index].strip())
        except ValueError:
            self.warn(f"authenticate[{index}] is not a number: {answer[index]!r}")
            return None

    def open_quickbooks(self, company_file: str) -> None:
        """OpenConnection + BeginSession, tried twice at most (PG App. A QBWC1007/1008);
        each failure is reported through connectionError, whose answer is ``done`` or the
        company file to retry with (``""`` = the open one, PG p.22, p.69)."""
        failure = self.try_open(company_file)
        if failure is None:
            return
        retry_with = self.connection_error(failure)
        if retry_with is not None:
            failure = self.try_open(retry_with)
            if failure is None:
                return
            self.connection_error(failure)  # told again; no third try whatever it says
        raise self.stop(
            SessionResult.CONNECTION_ERROR,
            f"QBWC1013: Error connecting to QuickBooks. Returning error message to "
            f"application. {failure.hresult_text}: {failure.message}",
        )

    def try_open(self, company_file: str) -> ProcessorError | None:
        try:
            if not self.qb_connected:
                self.qb.open_connection(self.qwc.app_id, self.qwc.app_name)
                self.qb_connected = True
            self.qb_ticket = self.qb.begin_session(company_file, self.config.file_mode)
        except ProcessorError as exc:
            return exc
        self.out = replace(self.out, company_file=company_file)
        return None

    def connection_error(self, failure: ProcessorError) -> str | None:
        """connectionError; ``None`` when the service said ``done`` (any case, PG p.69)."""
        reply = self.call(
            QbwcMethod.CONNECTION_ERROR,
            lambda: self.service.connection_error(
                self.out.ticket, failure.hresult_text, failure.message
            ),
        )
        return None if reply.strip().lower() == "done" else reply

    def exchange(self) -> SessionResult:
        hcp, country, major, minor = self.host_company_preferences()
        company = self.company_file_name()
        while True:
            # strHCPResponse only on the first call of the session (PG p.22, p.80).
            hcp_now, hcp = hcp, ""
            request = self.call(
                QbwcMethod.SEND_REQUEST_XML,
                partial(
                    self.service.send_request_xml,
                    self.out.ticket,
                    hcp_now,
                    company,
                    country,
                    major,
                    minor,
                ),
            )
            if request == "":
                self.after_empty_request()
                continue
            percent = self.process(request)
            self.out = replace(self.out, percent=percent)
            if percent < 0:
                self.last_error()
                return SessionResult.SERVICE_ERROR
            if percent >= 100:
                return SessionResult.DONE
            done = self.out.requests_processed + self.out.processor_errors
            if done >= self.config.max_requests:
                raise self.stop(SessionResult.REQUEST_LIMIT, "stopped after max_requests")

    def after_empty_request(self) -> None:
        """``""`` from sendRequestXML: getLastError says NoOp, interactive, or an error."""
        text = self.last_error()
        word = text.strip().lower()
        if word == "noop":
            self.out = replace(self.out, noops=self.out.noops + 1)
            if self.out.noops > self.config.max_noops:
                raise self.stop(
                    SessionResult.NOOP_LIMIT, f"gave up after {self.config.max_noops} NoOp"
                )
            self.sleep(self.config.noop_wait_seconds)
            return
        if word == "interactive mode":
            raise self.stop(
                SessionResult.INTERACTIVE_NOT_SUPPORTED,
                "the service asked for interactive mode, which this client does not support",
            )
        raise _Stop(SessionResult.SERVICE_ERROR if word else SessionResult.NO_REQUEST)

    def last_error(self) -> str:
        text = self.call(
            QbwcMethod.GET_LAST_ERROR, lambda: self.service.get_last_error(self.out.ticket)
        )
        self.out = replace(self.out, last_error=text)
        return text

    def process(self, request: str) -> int:
        assert self.qb_ticket is not None
        response, hresult, message = "", "", ""
        try:
            response = self.qb.process_request(self.qb_ticket, request)
            self.out = replace(self.out, requests_processed=self.out.requests_processed + 1)
        except ProcessorError as exc:
            # PG p.77: the processor threw -> empty response, hresult and message.
            hresult, message = exc.hresult_text, exc.message
            self.out = replace(self.out, processor_errors=self.out.processor_errors + 1)
            self.warn(f"request processor: {hresult}: {message}")
        return self.call(
            QbwcMethod.RECEIVE_RESPONSE_XML,
            lambda: self.service.receive_response_xml(self.out.ticket, response, hresult, message),
        )

    def host_company_preferences(self) -> tuple[str, str, int, int]:
        assert self.qb_ticket is not None
        request = build_hcp_request(self.config.hcp_qbxml_version, self.qwc.owner_id)
        try:
            hcp = self.qb.process_request(self.qb_ticket, request)
            country, (major, minor) = read_host(hcp)
        except (ProcessorError, ValueError, XmlInputError) as exc:
            raise self.stop(
                SessionResult.HCP_FAILED,
                "QBWC1014: Could not get Host/Company/Preference Query response from "
                f"QuickBooks. Job ending. {exc}",
            ) from None
        self.out = replace(self.out, qbxml_version=f"{major}.{minor}")
        return hcp, country, major, minor

    def company_file_name(self) -> str:
        assert self.qb_ticket is not None
        try:
            return self.qb.get_current_company_file_name(self.qb_ticket)
        except ProcessorError as exc:
            self.warn(f"GetCurrentCompanyFileName: {exc}")
            return self.out.company_file

    # -- ending -------------------------------------------------------------------------

    def close_quickbooks(self) -> None:
        try:
            if self.qb_ticket is not None:
                self.qb.end_session(self.qb_ticket)
            if self.qb_connected:
                self.qb.close_connection()
        except ProcessorError as exc:
            self.warn(f"QBWC1015: {exc}")
        self.qb_ticket, self.qb_connected = None, False

    def close_connection(self) -> None:
        if QbwcMethod.CLOSE_CONNECTION.value in self.out.calls:
            return
        try:
            message = self.call(
                QbwcMethod.CLOSE_CONNECTION, lambda: self.service.close_connection(self.out.ticket)
            )
        except _Stop:
            return
        self.out = replace(self.out, close_message=message)

    def summary(self, result: SessionResult) -> SessionSummary:
        return replace(self.out, result=result)


def run_session(
    qwc: Qwc,
    password: str,
    service: RemoteQbwcService,
    processor: RequestProcessor,
    *,
    config: ClientConfig | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SessionSummary:
    """Run one update session for ``qwc``; never raises for what the other side does."""
    problems = check_app_url(qwc.app_name, qwc.app_url)
    if problems:
        return SessionSummary(
            result=SessionResult.URL_REFUSED, calls=(), errors=tuple(map(str, problems))
        )
    run = _Run(qwc, service, processor, config or ClientConfig(), sleep)
    return run.summary(run.execute(password))

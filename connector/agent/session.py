"""One update of one company: the QBWC client against AppURL, QuickBooks behind a processor.

Owns: building the session's parts (the company's processor from the registry, the SOAP
transport to the QWC's AppURL), watching it (each receiveResponseXML percentage goes to
``on_progress``; the last QuickBooks hresult is kept for the advice), stopping it cleanly
(when ``stop`` is set, the session ends at the next request boundary: after a
receiveResponseXML has returned, the client is told the next sendRequestXML cannot be sent,
so it ends QuickBooks' session and calls closeConnection; the service has stored every page
it acknowledged and keeps its cursor) and judging how it ended (``advice.judge``).
Must not: schedule (``schedule``/``daemon``) or touch the agent's files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from connector.agent.advice import Outcome, OutcomeKind, judge
from connector.agent.config import CompanyConfig
from connector.processors.base import FileMode, ProcessorError, RequestProcessor
from connector.processors.registry import (
    AuthPreferences,
    Finishable,
    ProcessorSpec,
    ProcessorUnavailable,
    create_processor,
)
from connector.qbwc.client import ClientConfig, run_session
from connector.qbwc.client.envelopes import FailureKind, HttpReply, QbwcMethod, SoapCallError
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService, SoapTransport

STOPPING = "the agent is stopping"
AGENT_CLIENT = ClientConfig(noop_wait_seconds=1.0)
"""QBWC waits ~5 s after a NoOp (PG p.72); the agent asks again after one second: the service
answers NoOp while it finishes storing pages, and a desktop sync should not idle."""


class WatchedService(SoapQbwcService):
    """``SoapQbwcService`` that reports progress and refuses to go on once ``stop`` is set
    (before a sendRequestXML: a request boundary)."""

    def __init__(
        self, transport: SoapTransport, stop: threading.Event, on_progress: Callable[[int], None]
    ) -> None:
        super().__init__(transport)
        self.stop, self.on_progress = stop, on_progress
        self.stopped = False

    def _call(self, method: QbwcMethod, params: tuple[tuple[str, str | int], ...]) -> HttpReply:
        if method is QbwcMethod.SEND_REQUEST_XML and self.stop.is_set():
            self.stopped = True
            raise SoapCallError(method, FailureKind.TRANSPORT, STOPPING)
        return super()._call(method, params)

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        percent = super().receive_response_xml(ticket, response, hresult, message)
        if 0 <= percent <= 100:
            self.on_progress(percent)
        return percent


class WatchedProcessor:
    """``RequestProcessor`` passing every call on and keeping the last hresult it raised."""

    def __init__(self, inner: RequestProcessor) -> None:
        self.inner = inner
        self.last_hresult: int | None = None

    def _watch(self, exc: ProcessorError) -> ProcessorError:
        self.last_hresult = exc.hresult
        return exc

    def open_connection(self, app_id: str, app_name: str) -> None:
        try:
            self.inner.open_connection(app_id, app_name)
        except ProcessorError as exc:
            raise self._watch(exc) from None

    def begin_session(self, company_file: str, mode: FileMode = FileMode.DO_NOT_CARE) -> str:
        try:
            return self.inner.begin_session(company_file, mode)
        except ProcessorError as exc:
            raise self._watch(exc) from None

    def process_request(self, ticket: str, request: str) -> str:
        try:
            return self.inner.process_request(ticket, request)
        except ProcessorError as exc:
            raise self._watch(exc) from None

    def end_session(self, ticket: str) -> None:
        self.inner.end_session(ticket)

    def close_connection(self) -> None:
        self.inner.close_connection()

    def get_current_company_file_name(self, ticket: str) -> str:
        return self.inner.get_current_company_file_name(ticket)


def processor_spec(company: CompanyConfig) -> ProcessorSpec:
    qwc = company.qwc
    preferences = AuthPreferences(
        is_read_only=qwc.is_read_only,
        unattended_mode=qwc.unattended_mode_pref.value if qwc.unattended_mode_pref else None,
        personal_data=qwc.personal_data_pref.value if qwc.personal_data_pref else None,
        auth_flags=qwc.auth_flags,
    )
    return ProcessorSpec(
        kind=company.processor.value,
        qwc_xml=company.qwc_xml,
        preferences=preferences,
        company_file=company.company_file,
        seed=company.seed,
        size=company.size,
        cassette=company.cassette,
    )


def run_company_session(
    company: CompanyConfig,
    password: str,
    stop: threading.Event,
    on_progress: Callable[[int], None],
    *,
    timeout: float = 120.0,
    client_config: ClientConfig | None = None,
) -> Outcome:
    """One session; never raises for what QuickBooks or the service does."""
    try:
        processor = WatchedProcessor(create_processor(processor_spec(company)))
    except ProcessorUnavailable as exc:
        return Outcome(OutcomeKind.FAILED, str(exc), "choose a processor available here")
    except ProcessorError as exc:
        return judge_open_failure(exc)
    qwc = company.qwc
    with HttpxTransport(qwc.app_url, timeout=timeout) as http:
        service = WatchedService(http, stop, on_progress)
        summary = run_session(
            qwc, password, service, processor, config=client_config or AGENT_CLIENT
        )
    outcome = judge(summary, processor.last_hresult, stopped=service.stopped)
    if isinstance(processor.inner, Finishable):
        problem = processor.inner.finish()
        if problem and not outcome.failed:
            return Outcome(OutcomeKind.FAILED, problem, "the recorded session no longer matches")
    return outcome


def judge_open_failure(exc: ProcessorError) -> Outcome:
    from connector.agent.advice import describe_hresult

    meaning, advice = describe_hresult(exc.hresult)
    return Outcome(
        OutcomeKind.FAILED, f"{exc.hresult_text}: {meaning}. {exc.message}", advice, None, None,
        exc.hresult_text,
    )  # fmt: skip

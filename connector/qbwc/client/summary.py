"""What one QBWC client session produced, and how the client is configured.

Owns: ``SessionResult`` (how a session ended), ``SessionSummary`` (the calls made, counts,
errors and the service's answers), ``ClientConfig``, when the scheduler runs the next update
after a session (``next_run_in``: authenticate's postpone [2] and minimum interval [3]) and
the QBWC10xx wording of a failed web-method call (PG App. A). Must not: run anything (``runner`` does).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from connector.processors.base import FileMode
from connector.qbwc.client.envelopes import FailureKind, QbwcMethod, SoapCallError

__all__ = ["ClientConfig", "SessionResult", "SessionSummary", "call_error_text", "next_run_in"]


class SessionResult(Enum):
    DONE = "done"
    """receiveResponseXML reached 100."""
    NO_WORK = "none"
    INVALID_USER = "nvu"
    BUSY = "busy"
    POSTPONED = "postponed"
    """authenticate gave a company file (or ``""``) but also [2] seconds: "the current update
    process is discontinued and will resume after" them (PG p.62, p.63 examples 1 and 3)."""
    CLIENT_VERSION_REJECTED = "client_version_rejected"
    """clientVersion answered ``E:`` or ``O:`` (QBWC1037)."""
    CONNECTION_ERROR = "connection_error"
    """QuickBooks could not be opened; connectionError was called (QBWC1013)."""
    HCP_FAILED = "hcp_failed"
    """QuickBooks did not answer the Host/Company/Preferences queries (QBWC1014)."""
    SERVICE_ERROR = "service_error"
    """The service ended the session: a negative percentage, or ``""`` plus an error text."""
    NO_REQUEST = "no_request"
    """sendRequestXML answered ``""`` and getLastError gave no text: nothing to report."""
    INTERACTIVE_NOT_SUPPORTED = "interactive_not_supported"
    NOOP_LIMIT = "noop_limit"
    REQUEST_LIMIT = "request_limit"
    URL_REFUSED = "url_refused"
    """AppURL failed QBWC's checks (QBWC1001/QBWC1010); nothing was called."""
    SOAP_ERROR = "soap_error"
    """A web-method call failed (QBWC1012/1036/1041-1046/1048)."""


@dataclass(frozen=True)
class ClientConfig:
    qbwc_version: str = "2.3.0.215"
    """Sent to clientVersion; a real QBWC 2.3 build (jsgoupil/quickbooks-sync#62)."""
    file_mode: FileMode = FileMode.DO_NOT_CARE
    noop_wait_seconds: float = 5.0
    """QBWC pauses "currently 5 seconds" after NoOp (PG p.72)."""
    max_noops: int = 12
    max_requests: int = 100_000
    """A guard a real QBWC lacks, so a looping service cannot hang a test or the agent."""
    hcp_qbxml_version: str = "13.0"
    """qbXML version of the Host/Company/Preferences request. Uncertain: QBWC's own choice is
    not documented; 13.0 is the lowest version this project speaks."""


@dataclass(frozen=True)
class SessionSummary:
    result: SessionResult
    calls: tuple[str, ...]
    """Web-method names in the order they were called."""
    requests_processed: int = 0
    """qbXML requests QuickBooks answered."""
    processor_errors: int = 0
    """qbXML requests on which the request processor threw (passed on as hresult)."""
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    ticket: str = ""
    server_version: str = ""
    postpone_seconds: int | None = None
    min_run_seconds: int | None = None
    last_error: str = ""
    """The last getLastError text."""
    close_message: str = ""
    company_file: str = ""
    qbxml_version: str = ""
    percent: int | None = None
    noops: int = 0

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["result"] = self.result.value
        data["calls"] = list(self.calls)
        data["errors"] = list(self.errors)
        data["warnings"] = list(self.warnings)
        return data


def next_run_in(summary: SessionSummary, every_seconds: int | None) -> int | None:
    """Seconds from this update's start to the next scheduled one (``None``: no schedule).

    ``every_seconds`` is the QWC's Scheduler interval (Auto Run). As QBWC does (PG p.62-64,
    examples 1-7): authenticate's [3] raises the interval to at least that many seconds
    ("Next Run Time = Last Run Time + y"), and [2] postpones the next update by that many
    seconds instead ("Next Run Time = Last Run Time + x"). PG p.62: both only act with Auto
    Run on, so without a schedule there is no next run (a postponed update is still reported
    in ``postpone_seconds``)."""
    if every_seconds is None:
        return None
    if every_seconds <= 0:
        raise ValueError(f"the scheduler interval must be positive, got {every_seconds}")
    if summary.postpone_seconds is not None and summary.postpone_seconds > 0:
        return summary.postpone_seconds
    return max(every_seconds, summary.min_run_seconds or 0)


# PG App. A: the error QBWC reports when a web-method call throws.
_CALL_ERRORS = {
    QbwcMethod.SERVER_VERSION: ("QBWC1036", "Error countered during version check"),
    QbwcMethod.CLIENT_VERSION: ("QBWC1036", "Error countered during version check"),
    QbwcMethod.AUTHENTICATE: ("QBWC1012", "Authentication failed due to error message"),
    QbwcMethod.SEND_REQUEST_XML: ("QBWC1041", "SendRequestXML failed due to error message"),
    QbwcMethod.RECEIVE_RESPONSE_XML: ("QBWC1042", "ReceiveResponseXML failed due to error message"),
    QbwcMethod.GET_LAST_ERROR: ("QBWC1043", "getLastError failed due to error message"),
    QbwcMethod.CLOSE_CONNECTION: ("QBWC1044", "CloseConnection failed due to error message"),
    QbwcMethod.CONNECTION_ERROR: ("QBWC1045", "ConnectionError failed due to error message"),
}


def call_error_text(exc: SoapCallError) -> str:
    """The QBWC10xx line for a failed call, e.g. ``QBWC1042: ReceiveResponseXML failed ...``."""
    if exc.kind is FailureKind.CERTIFICATE:
        return f"QBWC1048: QuickBooks Web Connector could not verify the web application server certificate. {exc.detail}"
    code, text = _CALL_ERRORS[exc.method]
    return f"{code}: {text}: {exc.detail}"

"""What a session's end means to the user, and what they can do about it.

Owns: ``Outcome`` (succeeded | failed | stopped, the message shown, the advice) and
``judge`` (a ``SessionSummary`` plus the QuickBooks hresult the processor raised, if any, to
an ``Outcome``); the table of QuickBooks hresults (PROTOCOL.md 1.8) with the action the user
can take. Pure: no I/O. Classified by result and hresult, never by message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from connector.processors.base import hresult_text
from connector.qbwc.client import SessionResult, SessionSummary


class OutcomeKind(Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"
    """The agent stopped during the session (it ended cleanly at a request boundary)."""


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    message: str
    advice: str = ""
    postpone_seconds: int | None = None
    min_run_seconds: int | None = None
    hresult: str | None = None

    @property
    def failed(self) -> bool:
        return self.kind is OutcomeKind.FAILED


# PROTOCOL.md 1.8 (confidence there); the action is ours: what a user at the PC can do.
HRESULT_ADVICE: dict[int, tuple[str, str]] = {
    0x80040400: (
        "QuickBooks found an error when parsing the provided XML text stream",
        "the service sent a request QuickBooks refused; it is reported and retried, contact support if it persists",
    ),
    0x80040401: ("Could not access QuickBooks", "start QuickBooks, then press Sync now"),
    0x80040402: (
        "Unexpected error; see qbsdklog.txt",
        "restart QuickBooks; if it persists send qbsdklog.txt to support",
    ),
    0x80040403: (
        "Could not open the specified company data file",
        "check the company file path and that the file is not open elsewhere",
    ),
    0x80040406: (
        "Invalid company file name or file not found",
        "check the company file path (agent add-company --company-file)",
    ),
    0x80040408: (
        "Could not start QuickBooks",
        "start QuickBooks once by hand and check it opens, then press Sync now",
    ),
    0x8004040A: (
        "A company file is already open and it differs from the requested one",
        "close the other company file in QuickBooks, or open this company's file",
    ),
    0x8004040D: ("The ticket parameter is invalid", "press Sync now to start a new session"),
    0x80040410: (
        "The company file is open in a different mode than the one requested",
        "switch QuickBooks to multi-user mode, or close the company file",
    ),
    0x80040416: (
        "QuickBooks is not running and no company file was given",
        "give the company file path (agent add-company --company-file) or open QuickBooks",
    ),
    0x80040417: (
        "QuickBooks is open with no company file and none was specified",
        "open the company file in QuickBooks, or give its path",
    ),
    0x80040418: (
        "This application has not accessed this company file before",
        "log in to QuickBooks as the Admin, open the file and allow the application",
    ),
    0x8004041A: (
        "This application has no permission to access this company file",
        "in QuickBooks: Edit > Preferences > Integrated Applications, allow this application",
    ),
    0x8004041D: (
        "This application is not allowed to log in automatically",
        "in QuickBooks: Integrated Applications, allow access even when QuickBooks is not running",
    ),
    0x8004041F: (
        "This edition of QuickBooks does not support integration",
        "use QuickBooks Pro, Premier or Enterprise",
    ),
    0x80040420: (
        "The QuickBooks user has denied access",
        "in QuickBooks (as Admin): Integrated Applications, grant access to this application",
    ),
    0x80040422: (
        "The application needs single-user mode but another application uses the file",
        "close the other application or switch the file to single-user mode",
    ),
    0x80040424: (
        "QuickBooks did not finish initialising",
        "wait a minute; the agent tries again",
    ),
}

_SUCCESS_TEXT = {
    SessionResult.DONE: "Synced",
    SessionResult.NO_WORK: "No Data Exchange",
    SessionResult.NO_REQUEST: "Nothing to exchange",
    SessionResult.BUSY: "Application Busy",
    SessionResult.POSTPONED: "Update postponed by application",
}

_FAILURE_ADVICE = {
    SessionResult.INVALID_USER: "the password is wrong or was changed: remove the company and "
    "add it again with the current password",
    SessionResult.CLIENT_VERSION_REJECTED: "the service needs a newer agent: let the agent "
    "update itself, or install the latest release",
    SessionResult.HCP_FAILED: "open QuickBooks and the company file, then press Sync now",
    SessionResult.SERVICE_ERROR: "the service reported the error above; the agent tries "
    "again, contact support if it persists",
    SessionResult.SOAP_ERROR: "check this PC's internet connection and that the service is "
    "up; the agent tries again",
    SessionResult.URL_REFUSED: "the QWC file's address is refused (it must be https): get a "
    "new QWC file from the service",
    SessionResult.INTERACTIVE_NOT_SUPPORTED: "the service asked for an interactive session, "
    "which the agent does not offer: use Intuit's Web Connector for this application",
    SessionResult.NOOP_LIMIT: "the service kept the session waiting; the agent tries again",
    SessionResult.REQUEST_LIMIT: "the session was stopped after too many requests; the agent "
    "tries again",
    SessionResult.CONNECTION_ERROR: "start QuickBooks and open the company file, then press "
    "Sync now",
}


def describe_hresult(hresult: int) -> tuple[str, str]:
    """(QuickBooks' meaning, what the user can do) for an hresult of PROTOCOL.md 1.8."""
    return HRESULT_ADVICE.get(
        hresult & 0xFFFFFFFF,
        ("QuickBooks reported an error", "check that QuickBooks runs, then press Sync now"),
    )


def judge(summary: SessionSummary, hresult: int | None = None, stopped: bool = False) -> Outcome:
    """The outcome of one session. ``hresult``: the last error the processor raised."""
    postpone, min_run = summary.postpone_seconds, summary.min_run_seconds
    if stopped:
        return Outcome(
            OutcomeKind.STOPPED,
            "Stopped with the agent (ended at a request boundary)",
            "the next start resumes the sync",
            postpone,
            min_run,
        )
    text = _SUCCESS_TEXT.get(summary.result)
    if text is not None:
        if summary.result is SessionResult.DONE:
            text = f"{text}: {summary.requests_processed} requests"
        elif postpone:
            text = f"{text} (next in {postpone} s)"
        return Outcome(OutcomeKind.SUCCEEDED, text, "", postpone, min_run)
    message = _failure_message(summary)
    advice = _FAILURE_ADVICE.get(summary.result, "the agent tries again")
    code = None
    if hresult is not None and summary.result in (
        SessionResult.CONNECTION_ERROR,
        SessionResult.HCP_FAILED,
    ):
        meaning, advice = describe_hresult(hresult)
        code = hresult_text(hresult)
        message = f"{code}: {meaning}. {message}"
    return Outcome(OutcomeKind.FAILED, message, advice, postpone, min_run, code)


def _failure_message(summary: SessionSummary) -> str:
    parts = list(summary.errors)
    if summary.last_error and summary.last_error not in parts:
        parts.append(summary.last_error)
    return " ".join(parts) or summary.result.value

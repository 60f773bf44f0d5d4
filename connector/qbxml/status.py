"""The one table classifying QuickBooks' qbXML statusCodes and hresults.

Owns: what each ``statusCode`` (PROTOCOL.md 1.9) and each hresult (PROTOCOL.md 1.8) means for
the connector, as a ``StatusClass``; each row keeps a short meaning and where it comes from.
Codes missing from the table are classified by the documented ranges (0-499 info,
500-999 warning, 1000+ error, 2000-2999 "not supported for QuickBooks") and, when the response
gave one, by the severity QuickBooks sent. Must not: look at message text (quickbooks-php's
counter-example, STYLE.md), do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "HRESULTS",
    "STATUS_CODES",
    "StatusClass",
    "StatusRule",
    "classify_hresult",
    "classify_status",
    "describe_hresult",
    "describe_status",
    "parse_hresult",
]


class StatusClass(Enum):
    OK = "ok"
    NO_MATCH = "no_match"
    """Status 1: a query found nothing. Not an error."""
    WARNING = "warning"
    RETRY_LATER = "retry_later"
    """Locks, busy file, QuickBooks not ready: the same request may succeed later."""
    STALE_EDIT_SEQUENCE = "stale_edit_sequence"
    DUPLICATE_NAME = "duplicate_name"
    BAD_REFERENCE = "bad_reference"
    NOT_FOUND = "not_found"
    UNSUPPORTED = "unsupported"
    """Request, field, feature or qbXML version not supported by this QuickBooks."""
    PERMISSION = "permission"
    INVALID_ITERATOR = "invalid_iterator"
    FATAL = "fatal"

    @property
    def is_error(self) -> bool:
        return self not in (StatusClass.OK, StatusClass.NO_MATCH, StatusClass.WARNING)


@dataclass(frozen=True)
class StatusRule:
    status_class: StatusClass
    meaning: str
    source: str


_INTUIT = "Intuit status-codes page"
_PHP = "quickbooks-php Callbacks/SQL/Errors.php"
_ETECH = "etechrecovery QBFC list"
_QUBE = "QuBe Sync code list"
_QBFC = "Intuit QBFC sample InvoiceAdd.cs"
_3RD = "third-party QBFC code (medium confidence)"


def _r(status_class: StatusClass, meaning: str, source: str) -> StatusRule:
    return StatusRule(status_class, meaning, source)


C = StatusClass

STATUS_CODES: dict[int, StatusRule] = {
    0: _r(C.OK, "Status OK", _INTUIT),
    1: _r(C.NO_MATCH, "A query request did not find a matching object", f"{_INTUIT}; {_PHP}"),
    500: _r(C.NOT_FOUND, "One or more objects cannot be found (warning)", f"{_INTUIT}; {_PHP}"),
    501: _r(C.UNSUPPORTED, "Object not in this qbXML specification", f"{_INTUIT}; {_ETECH}"),
    510: _r(C.UNSUPPORTED, "Object cannot be returned", f"{_INTUIT}; {_ETECH}"),
    530: _r(C.UNSUPPORTED, "Unsupported field in this qbXML version", f"{_INTUIT}; {_ETECH}"),
    531: _r(C.UNSUPPORTED, "Unsupported enumeration value", f"{_INTUIT}; {_ETECH}"),
    550: _r(C.WARNING, "Notes could not be saved", f"{_INTUIT}; {_ETECH}"),
    560: _r(C.WARNING, "Deprecated field", f"{_INTUIT}; {_ETECH}"),
    # Message-set error recovery (PROTOCOL.md 1.5): no stored state for oldMessageSetID.
    600: _r(C.NOT_FOUND, "Error recovery: no cleared state to return", f"{_ETECH}; {_QBFC}"),
    1000: _r(C.FATAL, "Internal error", f"{_ETECH}; {_PHP}"),
    1030: _r(C.UNSUPPORTED, "Unsupported message (request not implemented)", _ETECH),
    1060: _r(C.FATAL, "Invalid requestID (longer than 50 characters)", _ETECH),
    3000: _r(C.FATAL, "Invalid object ID (format)", "django-quickbooks; QODBC list"),
    3010: _r(C.FATAL, "Invalid boolean value", "django-quickbooks; QODBC list"),
    3020: _r(C.FATAL, "Invalid date value", "django-quickbooks; QODBC list"),
    3030: _r(C.FATAL, "Invalid date range", "django-quickbooks; QODBC list"),
    3100: _r(C.DUPLICATE_NAME, "Name of list element already in use", f"{_PHP}; {_QUBE}"),
    3120: _r(C.NOT_FOUND, "Object specified in the request cannot be found", f"{_PHP}; {_QUBE}"),
    3130: _r(C.BAD_REFERENCE, "Invalid reference to a parent", "hotglue customer-batch-mixed"),
    3140: _r(C.BAD_REFERENCE, "Invalid reference to a QuickBooks object", _QUBE),
    3150: _r(C.FATAL, "Missing required element", _QUBE),
    3170: _r(C.RETRY_LATER, "Cannot modify (modified by another user)", f"{_PHP}; {_QUBE}"),
    3175: _r(C.RETRY_LATER, "Element in use / could not be locked", f"{_PHP}; {_QUBE}"),
    3176: _r(C.RETRY_LATER, "Element locked (failed to acquire the lock)", f"{_PHP}; {_QUBE}"),
    3180: _r(C.RETRY_LATER, "Error saving (often a lock)", f"{_PHP}; {_QUBE}"),
    3200: _r(C.STALE_EDIT_SEQUENCE, "EditSequence out of date", f"{_PHP}; qbwc-kit; {_QUBE}"),
    3210: _r(C.FATAL, "Invalid field value", _PHP),
    3250: _r(C.UNSUPPORTED, "Feature not enabled or not in this edition", _PHP),
    3260: _r(C.PERMISSION, "Insufficient permission level", _PHP),
    3261: _r(C.PERMISSION, "No permission to access personal data", f"{_PHP}; {_QUBE}"),
    # 3262-3264: one source only (low confidence).
    3262: _r(C.PERMISSION, "Payroll subscription required", f"{_QUBE} (low confidence)"),
    3263: _r(C.PERMISSION, "Read-only access", f"{_QUBE} (low confidence)"),
    3264: _r(C.PERMISSION, "Merchant services subscription required", f"{_QUBE} (low)"),
    3391: _r(C.INVALID_ITERATOR, "The iteratorID is not valid", "quickbooks-php#183"),
    9001: _r(C.FATAL, "Error recovery: checksum mismatch for newMessageSetID", _QBFC),
    9002: _r(C.NOT_FOUND, "Error recovery: no stored response", _QBFC),
    9004: _r(C.FATAL, "Error recovery: MessageSetID longer than 24 characters", _QBFC),
    9005: _r(C.FATAL, "Error recovery: unable to store response", _QBFC),
}

HRESULTS: dict[int, StatusRule] = {
    0x80040400: _r(C.FATAL, "QuickBooks could not parse the request XML", "WCWS; qbwc#53"),
    0x80040401: _r(C.RETRY_LATER, "Could not access QuickBooks", "WCWS"),
    0x80040402: _r(C.FATAL, "Unexpected error (see qbsdklog.txt)", "WCWS"),
    0x80040403: _r(C.FATAL, "Could not open the company data file", _3RD),
    0x80040406: _r(C.FATAL, "Invalid company file name / file not found", _3RD),
    0x80040408: _r(C.RETRY_LATER, "Could not start QuickBooks", "qbws#9"),
    # The user has another company file open; once it is closed the same request works.
    0x8004040A: _r(C.RETRY_LATER, "Another company file is already open", _3RD),
    0x8004040D: _r(C.FATAL, "The ticket parameter is invalid", f"{_PHP} (medium)"),
    0x80040410: _r(C.RETRY_LATER, "Company file open in another mode", _3RD),
    0x80040416: _r(C.RETRY_LATER, "QuickBooks not running: company file name needed", "Intuit"),
    0x80040417: _r(C.RETRY_LATER, "QuickBooks open with no company file", _3RD),
    0x80040418: _r(C.PERMISSION, "First access must be granted by the QuickBooks admin", _3RD),
    0x8004041A: _r(C.PERMISSION, "Application lacks permission for this company file", _3RD),
    0x8004041D: _r(C.PERMISSION, "Application not allowed to log in automatically", _3RD),
    0x8004041F: _r(C.UNSUPPORTED, "QuickBooks Basic does not support integration", _3RD),
    0x80040420: _r(C.PERMISSION, "The QuickBooks user has denied access", "Conductor"),
    0x80040422: _r(C.RETRY_LATER, "Single-user mode needed; another app uses the file", _3RD),
    # Text caught by Intuit's US_CDN_UK_CustomerQuery SDK sample; quickbooks-php users log it
    # with this hresult (medium confidence: not in PROTOCOL.md 1.8).
    0x80040423: _r(C.UNSUPPORTED, "The requested qbXML version is not supported", _3RD),
    0x80040424: _r(C.RETRY_LATER, "QuickBooks did not finish initialising", _3RD),
}

_RANGES = "PROTOCOL.md 1.9 ranges"
_SEVERITY_CLASS = {"info": C.OK, "warn": C.WARNING, "warning": C.WARNING, "error": C.FATAL}


def describe_status(code: int, severity: str | None = None) -> StatusRule:
    """The table row for ``code``, or a rule derived from severity and the documented ranges."""
    if code in STATUS_CODES:
        return STATUS_CODES[code]
    if 2000 <= code <= 2999:
        return _r(C.UNSUPPORTED, "Not supported for QuickBooks (2000-2999)", _RANGES)
    by_severity = _SEVERITY_CLASS.get((severity or "").strip().lower())
    if by_severity is not None:
        return _r(by_severity, f"Unlisted code with severity {severity}", "response severity")
    if 0 <= code <= 499:
        return _r(C.OK, "Unlisted informational code (0-499)", _RANGES)
    if 500 <= code <= 999:
        return _r(C.WARNING, "Unlisted warning code (500-999)", _RANGES)
    return _r(C.FATAL, "Unlisted error code", _RANGES)


def classify_status(code: int, severity: str | None = None) -> StatusClass:
    """Classify a ``statusCode``; ``severity`` (``Info``/``Warn``/``Error``) only matters for
    codes the table does not list."""
    return describe_status(code, severity).status_class


def parse_hresult(hresult: int | str) -> int:
    """``0x80040400``, ``80040400``, ``-2147220480`` or an int -> the unsigned 32-bit value."""
    value = hresult if isinstance(hresult, int) else _hresult_from_text(hresult)
    if not -(2**31) <= value < 2**32:
        raise ValueError(f"hresult out of 32-bit range: {hresult!r}")
    return value & 0xFFFFFFFF


def _hresult_from_text(hresult: str) -> int:
    text = hresult.strip().lower()
    if not text.isascii() or "_" in text:  # int() would take 8004_0400 and other digits
        raise ValueError(f"not an hresult: {hresult!r}")
    try:
        if text.startswith(("0x", "-0x")):
            return int(text, 16)
        if len(text) == 8 and not text.startswith("-"):
            return int(text, 16)  # QBWC-style eight hex digits without the 0x prefix
        return int(text, 10)  # a signed decimal, as .NET prints an HRESULT
    except ValueError:
        raise ValueError(f"not an hresult: {hresult!r}") from None


def describe_hresult(hresult: int | str) -> StatusRule:
    """The table row for ``hresult``; unknown hresults are fatal."""
    value = parse_hresult(hresult)
    return HRESULTS.get(value) or _r(C.FATAL, f"Unlisted hresult 0x{value:08X}", "default")


def classify_hresult(hresult: int | str) -> StatusClass:
    """Classify an hresult as QBWC reports it (hex string) or as an int. Bad text -> ValueError."""
    return describe_hresult(hresult).status_class

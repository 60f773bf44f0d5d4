"""qbXML statuses the fake QuickBooks answers with, and the processor-level refusals.

Owns: the one table of status codes and QuickBooks' message texts the handlers use, and the
exceptions that carry them out of a handler:

    StatusError              one ``*Rs`` answers with statusCode/statusSeverity/statusMessage
    RecoveryStatus           message-set error recovery answers with messageSetStatusCode
    Refusal                  (a ProcessorError) the whole request is refused, with ``detail``
      ParseRefusal           0x80040400: not well-formed, or not valid for the version's schema
      VersionRefusal         0x80040423: a qbXML version the product does not support

Processor-level refusals (the whole request is refused, QBXMLRP2 raises a COM error) are
``connector.processors.base.ProcessorError`` with the hresults of PROTOCOL.md 1.8; the
texts are here (``HRESULT_MESSAGES``). Must not: build XML or touch the company file.

Message texts are QuickBooks' own where a recorded response shows them
(``../shared/reference/responses``: 1, 500, 3100, 3120, 3130, 3140); the others are
modelled on the same wording (marked ``# uncertain`` below). Statuses the company model
raises (3200 stale EditSequence, 3100/3140 on its own checks, ...) carry the model's texts
(``qbd_emulator.errors``), completed by ``handlers.model_message``; 3200's
'The provided edit sequence "<es>" is out-of-date.' is the text QuickBooks sent in the
flowlink/quickbooks_desktop_integration specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from connector.processors.base import ProcessorError
from connector.qbxml.values import Status


class Severity:
    INFO = "Info"
    WARN = "Warn"
    ERROR = "Error"


class Hresult(IntEnum):
    """COM errors QBXMLRP2 raises (PROTOCOL.md 1.8)."""

    PARSE_ERROR = 0x80040400
    COULD_NOT_ACCESS = 0x80040401
    UNEXPECTED = 0x80040402
    COULD_NOT_OPEN_FILE = 0x80040403
    INVALID_FILE_NAME = 0x80040406
    COULD_NOT_START = 0x80040408
    OTHER_FILE_OPEN = 0x8004040A
    INVALID_TICKET = 0x8004040D
    NO_FILE_OPEN = 0x80040417
    UNSUPPORTED_VERSION = 0x80040423


HRESULT_MESSAGES: dict[Hresult, str] = {
    Hresult.PARSE_ERROR: "QuickBooks found an error when parsing the provided XML text stream.",
    Hresult.COULD_NOT_ACCESS: "Could not access QuickBooks.",
    Hresult.UNEXPECTED: "Unexpected error. Check the qbsdklog.txt file for possible additional information.",
    Hresult.COULD_NOT_OPEN_FILE: "Could not open the specified QuickBooks company data file.",
    # medium confidence (PROTOCOL.md 1.8: third-party code comments)
    Hresult.INVALID_FILE_NAME: "The specified file name is invalid or the file does not exist.",
    Hresult.COULD_NOT_START: "Could not start QuickBooks.",
    # medium confidence (PROTOCOL.md 1.8)
    Hresult.OTHER_FILE_OPEN: (
        "A QuickBooks company data file is already open and it is different from the one requested."
    ),
    Hresult.INVALID_TICKET: "The ticket parameter is invalid.",  # medium confidence
    # medium confidence (PROTOCOL.md 1.8: third-party code comment); wording uncertain
    Hresult.NO_FILE_OPEN: (
        "QuickBooks is open but no company file is open, and no company file name was given."
    ),
    # Intuit's US_CDN_UK_CustomerQuery sample (QBXML_SDK_Samples) tests Err.Description for
    # exactly this text; quickbooks-php users log it with hresult 0x80040423.
    Hresult.UNSUPPORTED_VERSION: (
        "The version of QBXML that was requested is not supported or is unknown."
    ),
}

OK_MESSAGE = "Status OK"
INVALID_ARGUMENT = (
    "QuickBooks error message: Invalid argument.  The specified record does not exist in the list."
)


class Refusal(ProcessorError):
    """A whole request refused with QuickBooks' exact message (what QBWC passes on), plus
    ``detail``: what the fake objected to, for logs and the command line only."""

    def __init__(self, code: Hresult, detail: str) -> None:
        super().__init__(code, HRESULT_MESSAGES[code])
        self.detail = detail

    def __str__(self) -> str:
        return f"{super().__str__()} ({self.detail})"


class ParseRefusal(Refusal):
    """0x80040400: QuickBooks' parser or the version's schema rejects the request."""

    def __init__(self, detail: str) -> None:
        super().__init__(Hresult.PARSE_ERROR, detail)


class VersionRefusal(Refusal):
    """0x80040423: the ``<?qbxml version?>`` is not one the product supports."""

    def __init__(self, detail: str) -> None:
        super().__init__(Hresult.UNSUPPORTED_VERSION, detail)


@dataclass(frozen=True)
class StatusError(Exception):
    """A handler's answer is an error (or warning) status instead of records."""

    code: int
    message: str
    severity: str = Severity.ERROR

    def status(self) -> Status:
        return Status(self.code, self.severity, self.message)


@dataclass(frozen=True)
class RecoveryStatus(Exception):
    """Error recovery answers with ``messageSetStatusCode`` (PROTOCOL.md 1.5)."""

    code: int


def no_match() -> StatusError:
    """Status 1 (Info): real text from flowlink/item_inventory_query_rs_empty.xml."""
    return StatusError(1, "A query request did not find a matching object in QuickBooks", "Info")


def not_found_in_query(name: str) -> StatusError:
    """Status 500 (Warn): a ListID/FullName asked for is missing (qbwc-qbwc 500 sample)."""
    return StatusError(
        500,
        "The query request has not been fully completed. There was a required element "
        f'("{name}") that could not be found in QuickBooks.',
        Severity.WARN,
    )


def object_not_found(object_id: str) -> StatusError:
    """Status 3120: real text from qbwc-qbwc/CustomerQueryRs_statusCode3120_Error.xml."""
    return StatusError(
        3120, f'Object "{object_id}" specified in the request cannot be found.  {INVALID_ARGUMENT}'
    )


def duplicate_name(name: str) -> StatusError:
    """Status 3100: real text from hotglue customer-batch-mixed."""
    return StatusError(3100, f'The name "{name}" of the list element is already in use.')


def invalid_reference(target: str, name: str, where: str) -> StatusError:
    """Status 3140: real text from flowlink sales_order_add_rs_invalid_record_ref.xml."""
    return StatusError(
        3140,
        f'There is an invalid reference to QuickBooks {target} "{name}" in the {where}.  '
        f"{INVALID_ARGUMENT}",
    )


def invalid_parent(name: str, list_name: str) -> StatusError:
    """Status 3130: real text from hotglue customer-batch-mixed."""
    return StatusError(
        3130,
        f'There is an invalid reference to a parent "{name}" in the {list_name} list.  '
        f"{INVALID_ARGUMENT}",
    )


def invalid_iterator(iterator_id: str) -> StatusError:
    """Status 3391 (consolibyte/quickbooks-php#183)."""
    return StatusError(3391, f'The iteratorID "{iterator_id}" is not valid.')


MAX_REQUEST_ID = 50


def invalid_request_id(request_id: str) -> StatusError:
    """Status 1060: Intuit's status-code table ("possibly too long. (The maximum is 50
    characters.)"); the wording follows the table's explanation column."""
    return StatusError(
        1060,
        f'The request ID "{request_id}" is invalid, possibly too long. '
        f"(The maximum is {MAX_REQUEST_ID} characters.)",
    )


def invalid_field(message: str) -> StatusError:
    return StatusError(3210, message)


def cannot_delete(object_id: str, reason: str) -> StatusError:
    # uncertain: 3170 wording.
    return StatusError(3170, f'There was an error when deleting "{object_id}".  {reason}')


def not_supported(request: str) -> StatusError:
    """1030: the fake does not model this request type (honest refusal, never a fake success)."""
    return StatusError(1030, f"The request {request} is not supported by this QuickBooks.")

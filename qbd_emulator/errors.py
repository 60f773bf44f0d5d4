"""Errors of the fake QuickBooks: one tree, each class carrying what QuickBooks answers.

Owns every exception the emulator raises on purpose, the hresults QBXMLRP2 raises with
their texts (PROTOCOL.md 1.8) and QuickBooks' status texts (PROTOCOL.md 1.9): one module
for one tree (STYLE rule 6), hence a little over 300 lines. A handler or
the company model raises a ``StatusError``; ``handlers.dispatch`` turns it into the ``*Rs``
status with ``error.status(request)`` (no message is patched on the way: the class knows
its wording). Must not: build XML, touch the company file or do I/O.

Tree::

    Exception
     +-- EmulatorError                              raised on purpose by the emulator
     |    +-- StatusError (code, severity, message)  a qbXML status on one *Rs
     |    |    +-- NoMatch                  1   Info  a query found nothing
     |    |    +-- QueryIncomplete        500   Warn  a ListID/FullName asked for is missing
     |    |    +-- NotSupportedError     1030        a request or filter the fake does not model
     |    |    +-- InvalidRequestIdError 1060        requestID longer than 50 characters
     |    |    +-- DuplicateNameError    3100        name of a list element already in use
     |    |    +-- ObjectNotFoundError   3120        ListID/TxnID not found
     |    |    +-- InvalidParentError    3130        ParentRef names nothing
     |    |    +-- InvalidReferenceError 3140        a *Ref names nothing (or the wrong kind)
     |    |    +-- MissingElementError   3150        a required element is absent
     |    |    +-- CannotDeleteError     3170        the object is in use
     |    |    +-- StaleEditSequenceError 3200       EditSequence is not the current one
     |    |    +-- InvalidFieldError     3210        a value QuickBooks refuses
     |    |    |    +-- OverpaymentError 3210        a payment applies more than is open
     |    |    +-- FeatureNotEnabledError 3250       a list or txn type this file does not have
     |    |    +-- InvalidIteratorError  3391        iteratorID unknown or expired
     |    +-- CompanyFileError                       a company file cannot be read or written
     |    +-- Refusal (hresult, detail)              the whole request refused (also a
     |         +-- ParseRefusal    0x80040400        connector ProcessorError: QBXMLRP2
     |         +-- VersionRefusal  0x80040423        raises a COM error)
     +-- connector.processors.base.ProcessorError

Message texts are QuickBooks' own where a recorded response shows them
(``../shared/reference/responses``: 1, 500, 3100, 3120, 3130, 3140); the others are
modelled on the same wording (marked ``# uncertain``). 3200's 'The provided edit sequence
"<es>" is out-of-date.' is the text QuickBooks sent in the flowlink specs.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from connector.processors.base import ProcessorError
from connector.qbxml.values import Status

__all__ = [
    "HRESULT_MESSAGES",
    "INVALID_ARGUMENT",
    "MAX_REQUEST_ID",
    "OK_MESSAGE",
    "CannotDeleteError",
    "CompanyFileError",
    "DuplicateNameError",
    "EmulatorError",
    "FeatureNotEnabledError",
    "Hresult",
    "InvalidFieldError",
    "InvalidIteratorError",
    "InvalidParentError",
    "InvalidReferenceError",
    "InvalidRequestIdError",
    "MissingElementError",
    "NoMatch",
    "NotSupportedError",
    "ObjectNotFoundError",
    "OverpaymentError",
    "ParseRefusal",
    "QueryIncomplete",
    "Refusal",
    "Severity",
    "StaleEditSequenceError",
    "StatusError",
    "VersionRefusal",
]


class Severity(StrEnum):
    """``statusSeverity`` on a ``*Rs`` (PROTOCOL.md 1.9)."""

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
MAX_REQUEST_ID = 50


class EmulatorError(Exception):
    """Base of everything the emulator raises on purpose."""


# --- statuses on one *Rs -----------------------------------------------------------------


class StatusError(EmulatorError):
    """A handler's answer is a status (an error, a warning or an info) instead of records.
    Subclasses fix ``code`` and word the message as QuickBooks does; codes without a
    class of their own (3020 bad date, 3030 bad range, 9100s macros) use this one."""

    def __init__(self, code: int, message: str, severity: Severity = Severity.ERROR) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.severity = severity

    def status(self, request: str = "") -> Status:
        """The status on the answer to ``request`` (e.g. ``CustomerAdd``)."""
        return Status(self.code, self.severity, self.message)


class NoMatch(StatusError):
    def __init__(self) -> None:
        # Real text: flowlink/item_inventory_query_rs_empty.xml.
        super().__init__(
            1, "A query request did not find a matching object in QuickBooks", Severity.INFO
        )


class QueryIncomplete(StatusError):
    def __init__(self, name: str) -> None:
        # Real text: qbwc-qbwc 500 sample.
        super().__init__(
            500,
            "The query request has not been fully completed. There was a required element "
            f'("{name}") that could not be found in QuickBooks.',
            Severity.WARN,
        )


class NotSupportedError(StatusError):
    """1030: the fake does not model this (an honest refusal, never a fake success)."""

    def __init__(self, message: str) -> None:
        super().__init__(1030, message)

    @classmethod
    def request(cls, request: str) -> NotSupportedError:
        return cls(f"The request {request} is not supported by this QuickBooks.")


class InvalidRequestIdError(StatusError):
    def __init__(self, request_id: str) -> None:
        # Intuit's status-code table: "possibly too long. (The maximum is 50 characters.)"
        super().__init__(
            1060,
            f'The request ID "{request_id}" is invalid, possibly too long. '
            f"(The maximum is {MAX_REQUEST_ID} characters.)",
        )


class DuplicateNameError(StatusError):
    def __init__(self, name: str) -> None:
        # Real text: hotglue customer-batch-mixed.
        super().__init__(3100, f'The name "{name}" of the list element is already in use.')


class ObjectNotFoundError(StatusError):
    def __init__(self, object_id: str) -> None:
        # Real text: qbwc-qbwc/CustomerQueryRs_statusCode3120_Error.xml.
        super().__init__(
            3120,
            f'Object "{object_id}" specified in the request cannot be found.  {INVALID_ARGUMENT}',
        )
        self.object_id = object_id


class InvalidParentError(StatusError):
    def __init__(self, name: str, list_name: str) -> None:
        # Real text: hotglue customer-batch-mixed.
        super().__init__(
            3130,
            f'There is an invalid reference to a parent "{name}" in the {list_name} list.  '
            f"{INVALID_ARGUMENT}",
        )


class InvalidReferenceError(StatusError):
    """3140. Real text (flowlink sales_order_add_rs_invalid_record_ref.xml): 'There is an
    invalid reference to QuickBooks <target> "<name>" in the <where>.  <INVALID_ARGUMENT>';
    ``where`` is the request's object (``SalesOrder`` for a SalesOrderAdd) unless given."""

    def __init__(self, target: str, name: str, where: str = "", detail: str = "") -> None:
        self.target, self.name, self.where, self.detail = target, name, where, detail
        super().__init__(3140, self._text(where))

    def _text(self, where: str) -> str:
        place = f" in the {where}" if where else ""
        head = f'There is an invalid reference to QuickBooks {self.target} "{self.name}"'
        return f"{head}{self.detail}{place}.  {INVALID_ARGUMENT}"

    def status(self, request: str = "") -> Status:
        where = self.where or request.removesuffix("Add").removesuffix("Mod")
        return Status(self.code, self.severity, self._text(where))


class MissingElementError(StatusError):
    def __init__(self, element: str) -> None:
        super().__init__(3150, f'There is a missing element: "{element}".')


class CannotDeleteError(StatusError):
    def __init__(self, object_id: str, reason: str) -> None:
        # uncertain: 3170 wording.
        super().__init__(3170, f'There was an error when deleting "{object_id}".  {reason}')


class StaleEditSequenceError(StatusError):
    def __init__(self, edit_sequence: str) -> None:
        # PROTOCOL.md 1.9, KIT testing.py, flowlink specs.
        super().__init__(3200, f'The provided edit sequence "{edit_sequence}" is out-of-date.')


class InvalidFieldError(StatusError):
    """3210: a value QuickBooks refuses (PROTOCOL.md 1.9, PHP Errors.php)."""

    def __init__(self, message: str) -> None:
        super().__init__(3210, message)


class OverpaymentError(InvalidFieldError):
    """3210 "cannot pay more than the amount due" (PROTOCOL.md 1.9: PHP Errors.php)."""


class FeatureNotEnabledError(StatusError):
    def __init__(self, feature: str) -> None:
        super().__init__(3250, f"This feature is not enabled or not available: {feature}.")


class InvalidIteratorError(StatusError):
    def __init__(self, iterator_id: str) -> None:
        # consolibyte/quickbooks-php#183.
        super().__init__(3391, f'The iteratorID "{iterator_id}" is not valid.')


# --- other answers and refusals ------------------------------------------------------------


class CompanyFileError(EmulatorError):
    """A company file is unreadable, of an unknown format version, or inconsistent."""


class Refusal(ProcessorError, EmulatorError):
    """A whole request or session refused with QuickBooks' exact message (what QBWC passes
    on), plus ``detail``: what the fake objected to, for logs and the command line only."""

    def __init__(self, code: Hresult, detail: str = "") -> None:
        super().__init__(code, HRESULT_MESSAGES[code])
        self.detail = detail

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} ({self.detail})" if self.detail else text


class ParseRefusal(Refusal):
    """0x80040400: QuickBooks' parser or the version's schema rejects the request."""

    def __init__(self, detail: str) -> None:
        super().__init__(Hresult.PARSE_ERROR, detail)


class VersionRefusal(Refusal):
    """0x80040423: the ``<?qbxml version?>`` is not one the product supports."""

    def __init__(self, detail: str) -> None:
        super().__init__(Hresult.UNSUPPORTED_VERSION, detail)

"""Errors of the fake QuickBooks, each carrying the qbXML status code it answers with.

Owns: the exception tree below. Handlers turn a ``QBStatusError`` into a ``*Rs`` element
with ``statusCode``/``statusSeverity``/``statusMessage`` (PROTOCOL.md 1.9); nothing here
knows about XML. Must not: do I/O.

Tree::

    EmulatorError
     +-- QBStatusError (code, severity, message)        a qbXML status on one *Rs
          +-- DuplicateNameError      3100  name of list element already in use
          +-- ObjectNotFoundError     3120  object (ListID/TxnID) not found
          +-- InvalidReferenceError   3140  a *Ref points at nothing (or the wrong kind)
          +-- StaleEditSequenceError  3200  EditSequence is not the current one
          +-- OverpaymentError        3210  a payment applies more than is open
     +-- CompanyFileError                                a company file cannot be read/written

Other handlers (H4) append their own classes under ``QBStatusError``.
"""

from __future__ import annotations


class EmulatorError(Exception):
    """Base of everything the emulator raises on purpose."""


class QBStatusError(EmulatorError):
    """A failure QuickBooks reports as a status on the ``*Rs`` element, not an hresult."""

    code: int = 1000
    severity: str = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DuplicateNameError(QBStatusError):
    # Message shape: QuickBooks says 'The name "X" of the list element is already in use.'
    code = 3100


class ObjectNotFoundError(QBStatusError):
    # Real text (reference/responses/qbwc-qbwc/CustomerQueryRs_statusCode3120_Error.xml):
    # 'Object "<id>" specified in the request cannot be found.'
    code = 3120


class InvalidReferenceError(QBStatusError):
    # 'There is an invalid reference to QuickBooks <Kind> "<name>" in the <Rq>.' (PROTOCOL 1.9)
    code = 3140


class StaleEditSequenceError(QBStatusError):
    # 'The provided edit sequence "<es>" is out-of-date.' (PROTOCOL 1.9, KIT testing.py)
    code = 3200


class OverpaymentError(QBStatusError):
    # PROTOCOL.md 1.9: 3210 "cannot pay more than the amount due" (PHP Errors.php).
    code = 3210


class CompanyFileError(EmulatorError):
    """A company file is unreadable, of an unknown format version, or inconsistent."""

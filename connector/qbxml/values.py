"""The values the qbXML layer hands out: parsed response events and record values.

Owns: the shapes every other package agrees on. A record is a ``dict`` keyed by qbXML
element names exactly as QuickBooks spells them (``ListID``, ``CustomerRef``,
``InvoiceLineRet``), in schema order; leaves are typed by the schema (``Decimal`` for
AMTTYPE/PRICETYPE/QUANTYPE/PERCENTTYPE, ``datetime`` with its UTC offset kept for
DATETIMETYPE, ``date`` for DATETYPE, ``bool`` for BOOLTYPE, ``int`` for INTTYPE, ``str``
otherwise); an element the schema allows more than once is always a ``list`` (even with
one member); an aggregate (``CustomerRef``, ``BillAddress``) is a nested ``dict``.
The fake QuickBooks keeps its company file in this same shape, so the store can be
compared to the company record for record.
Must not: do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

Value: TypeAlias = "str | int | bool | Decimal | date | datetime | RecordData | list[Value]"
RecordData: TypeAlias = "dict[str, Value]"


@dataclass(frozen=True)
class Status:
    """``statusCode``/``statusSeverity``/``statusMessage`` of one ``*Rs`` (or message set)."""

    code: int
    severity: str = "Info"
    message: str = ""


@dataclass(frozen=True)
class MessageSet:
    """Attributes of ``QBXMLMsgsRs``: error-recovery fields (PROTOCOL.md 1.5)."""

    new_message_set_id: str | None = None
    message_set_status: Status | None = None


@dataclass(frozen=True)
class ResponseStart:
    """One ``*Rs`` element began; its records follow as ``Record`` events."""

    name: str
    """e.g. ``CustomerQueryRs``."""
    request_id: str | None
    status: Status
    iterator_remaining: int | None = None
    iterator_id: str | None = None
    ret_count: int | None = None


@dataclass(frozen=True)
class Record:
    """One ``*Ret`` element, parsed."""

    ret: str
    """e.g. ``CustomerRet``, ``ItemServiceRet``."""
    data: RecordData = field(hash=False)
    request_id: str | None = None


Event: TypeAlias = "MessageSet | ResponseStart | Record"

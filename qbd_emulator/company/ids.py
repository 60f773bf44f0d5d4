"""QuickBooks-shaped identifiers: ListID, TxnID, TxnLineID, EditSequence.

Owns: the formats and the counters that make them unique. QuickBooks writes a ListID as
an 8-digit upper-case hex counter, a dash and a 10-digit number derived from the creation
time (``80000001-1215265593``); TxnIDs and TxnLineIDs share one shorter hex counter
(``1A2-1215265593``); an EditSequence is a 10-digit number that QuickBooks takes from the
modification time (seen in reference/responses: ``1215265593``-like values).
Uncertain: whether QuickBooks keeps one ListID counter per list; we keep one for all lists,
which is at least as unique. Must not: read the clock (``now`` is always passed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

LIST_ID_RE = re.compile(r"^[0-9A-F]{8}-[0-9]{10}$")
TXN_ID_RE = re.compile(r"^[0-9A-F]{1,8}-[0-9]{10}$")
EDIT_SEQUENCE_RE = re.compile(r"^[0-9]{10}$")

FIRST_LIST_COUNTER = 0x80000001
_MIN_STAMP = 1_000_000_000
_MAX_STAMP = 9_999_999_999


def stamp(now: datetime) -> int:
    """The 10-digit epoch-like number QuickBooks puts after the dash."""
    if now.tzinfo is None:
        raise ValueError("now must carry a UTC offset")
    return min(max(int(now.timestamp()), _MIN_STAMP), _MAX_STAMP)


def format_id(counter: int, stamp_value: int) -> str:
    if counter <= 0 or stamp_value < _MIN_STAMP or stamp_value > _MAX_STAMP:
        raise ValueError(f"bad id parts {counter!r}, {stamp_value!r}")
    return f"{counter:X}-{stamp_value:010d}"


def edit_sequence(now: datetime, previous: str | None = None) -> str:
    """A new EditSequence for a change at ``now``; always differs from ``previous``
    (two changes in one second get consecutive numbers, never the same one)."""
    value = stamp(now)
    if previous is not None and previous.isdigit() and int(previous) >= value:
        value = int(previous) + 1
    return f"{min(value, _MAX_STAMP):010d}"


@dataclass
class IdCounters:
    """The company file's counters; saved with it so IDs never repeat after a reload."""

    next_list: int = FIRST_LIST_COUNTER
    next_txn: int = 1
    next_txn_number: int = 1

    def list_id(self, now: datetime) -> str:
        value = format_id(self.next_list, stamp(now))
        self.next_list += 1
        return value

    def txn_id(self, now: datetime) -> str:
        """A TxnID or TxnLineID (QuickBooks draws both from one sequence)."""
        value = format_id(self.next_txn, stamp(now))
        self.next_txn += 1
        return value

    def txn_number(self) -> int:
        value = self.next_txn_number
        self.next_txn_number += 1
        return value

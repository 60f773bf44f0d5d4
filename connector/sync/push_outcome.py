"""What QuickBooks' answer to a push means, purely (issue 19, writes).

Owns: the request IDs a push goes out under (``request_ids``: the write and, for a Mod, the
re-read that follows it in the same message set), the message set itself (``push_document``:
``newMessageSetID`` always; ``oldMessageSetID`` too when an earlier send's answer was lost,
so QuickBooks answers from what it stored instead of applying the write again, PROTOCOL.md
1.5) and reading the answer (``read_outcome``): ``succeeded`` (status 0 or a warning) with
the saved record, ``conflict`` (3200, a stale EditSequence) with QuickBooks' current record
from the re-read, ``pending`` again when the record is in use (3170/3175/3176: a later
session retries), ``failed`` with the status code and message otherwise. An answer that
carries a message-set status and no response to the write (recovery could not tell) is a
failure with that code: never a blind resend.
Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from connector.qbxml import build
from connector.qbxml.datatypes import BY_RET
from connector.qbxml.encode import OnError
from connector.qbxml.filters import QueryFilter
from connector.qbxml.status import StatusClass, classify_status
from connector.qbxml.values import Event, MessageSet, Record, ResponseStart
from connector.sync.writes import Write

IN_USE = frozenset({3170, 3175, 3176})
"""The record is in use or locked (PROTOCOL.md 1.9): the push is retried in a later session,
at most ``MAX_IN_USE`` times (3170 also answers a deletion QuickBooks refuses for good, e.g.
a transaction with payments applied, which must not hold the company's queue forever).
3180 ("error saving", which PHP also retries) fails the push (uncertain)."""
MAX_IN_USE = 5
RE_READ = "-r"
"""Suffix of the re-read's requestID beside a Mod's."""


def push_document(
    write: Write, version: str, request_id: str, message_set_id: str, *, recover: bool
) -> str:
    """The qbXML document of one push: the write, then for a Mod or a Void a query of the
    record, run even when the write fails (``continueOnError``): a conflict shows QuickBooks'
    version, and a voided transaction (TxnVoidRs carries no record) lands in the store.
    ``recover``: the same ``newMessageSetID`` again, named as ``oldMessageSetID`` too, so a
    set QuickBooks stored is answered from its stored response and one it never saw is run
    (uncertain: how real QuickBooks treats oldMessageSetID equal to newMessageSetID is the
    fake QuickBooks' reading of Intuit's ErrRecovery samples, PROTOCOL.md 1.5; only a run
    against real QuickBooks, the Windows runner, can confirm it)."""
    requests = [write.element(version, request_id)]
    if write.operation in ("mod", "void"):
        dt = write.data_type
        object_id = str(write.value[dt.id_field])
        filters = (
            QueryFilter(txn_ids=(object_id,), include_line_items=True)
            if dt.id_field == "TxnID"
            else QueryFilter(list_ids=(object_id,))
        )
        requests.append(build.query(dt, version, filters, request_id=request_id + RE_READ))
    return build.request_document(
        version,
        requests,
        on_error=OnError.CONTINUE,
        new_message_set_id=message_set_id,
        old_message_set_id=message_set_id if recover else None,
    )


@dataclass(frozen=True)
class Outcome:
    status: str
    """succeeded, failed, conflict, or pending (in use: retried in a later session)."""
    qb_id: str | None = None
    status_code: int | None = None
    message: str | None = None
    records: list[Record] = field(default_factory=list)
    """Records to store: the saved one, or on a conflict QuickBooks' current one."""


def answers(events: Iterable[Event], request_id: str, message_set_id: str) -> bool:
    """Whether a response answers the push sent under ``request_id`` or in the message set
    ``message_set_id`` (QuickBooks echoes it; a recovered answer keeps the first requestID)."""
    ids = (request_id, request_id + RE_READ) if request_id else ()
    for event in events:
        if (
            isinstance(event, MessageSet)
            and bool(message_set_id)
            and event.new_message_set_id == message_set_id
        ):
            return True
        if isinstance(event, ResponseStart) and event.request_id in ids:
            return True
    return False


def read_outcome(events: Iterable[Event], write: Write, attempts: int = 1) -> Outcome:
    """The push's outcome from the answer to its message set (``attempts``: how many times
    it went out): the write's response is the one whose requestID is not a re-read's."""
    starts: dict[str, ResponseStart] = {}
    recs: dict[str, list[Record]] = {}
    message_set: MessageSet | None = None
    current: str | None = None
    for event in events:
        if isinstance(event, MessageSet):
            message_set = event
        elif isinstance(event, ResponseStart):
            current = "read" if (event.request_id or "").endswith(RE_READ) else "write"
            starts.setdefault(current, event)
        elif current is not None:
            recs.setdefault(current, []).append(event)
    start = starts.get("write")
    if start is None:
        status = message_set.message_set_status if message_set else None
        code = status.code if status else None
        text = status.message if status and status.message else "no answer to the write"
        return Outcome("failed", status_code=code, message=f"message-set recovery: {text}")
    kind = classify_status(start.status.code, start.status.severity)
    code, text = start.status.code, start.status.message
    if kind in (StatusClass.OK, StatusClass.WARNING):
        # a Del/Void answer's leaves are no record (TxnVoidRs: TxnVoidType, TxnID, ...)
        saved = [r for r in recs.get("write", []) if r.ret in BY_RET] or recs.get("read", [])
        qb_id = _id_of(saved, write) or _named_id(write)
        return Outcome("succeeded", qb_id, code or None, text or None, saved)
    if kind is StatusClass.STALE_EDIT_SEQUENCE:
        return Outcome("conflict", _named_id(write), code, text, recs.get("read", []))
    if code in IN_USE and attempts < MAX_IN_USE:
        return Outcome("pending", None, code, text)
    return Outcome("failed", None, code, text)


def _id_of(saved: list[Record], write: Write) -> str | None:
    for record in saved:
        value = record.data.get(write.data_type.id_field)
        if isinstance(value, str):
            return value
    return None


def _named_id(write: Write) -> str | None:
    value = write.value.get(write.data_type.id_field)
    return value if isinstance(value, str) else None

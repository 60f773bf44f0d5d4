"""Storing one qbXML response: records upserted in batches, deletions marked, a page summary.

Owns: turning the parser's events (``connector.qbxml.values``) for the one in-flight request
into store writes inside the caller's transaction, and the ``PageResult`` that moves the
cursor. A response whose requestID is not the one in flight (a duplicate, or an answer to a
request a broken session abandoned) is ignored whole, so re-delivered pages never double
count. Memory stays bounded by the batch size, not the page size.
Must not: commit, or decide what the cursor becomes (``cursors``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection

from connector.qbxml.datatypes import BY_RET, DataType, Kind
from connector.qbxml.status import classify_status
from connector.qbxml.values import Event, Record, RecordData, ResponseStart
from connector.store import records as store
from connector.store.records import IncomingRecord, UpsertCounts
from connector.sync.cursors import PageResult
from connector.sync.normalise import normalise
from connector.sync.plan import LIST_DEL_TYPES, TXN_DEL_TYPES

BATCH = 500


class ApplyError(ValueError):
    """A response QuickBooks should never send (a record without its ID, a foreign Ret)."""


@dataclass(frozen=True)
class Applied:
    page: PageResult | None
    """None: the response did not answer the request in flight, nothing was stored."""
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    deleted: int = 0


def _offset_minutes(value: datetime) -> int | None:
    offset = value.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def incoming(dt: DataType, record: Record, qb_id: str | None = None) -> IncomingRecord:
    data: RecordData = record.data
    ident = qb_id or data.get(dt.id_field)
    if not isinstance(ident, str) or not ident:
        raise ApplyError(f"{record.ret} without {dt.id_field} in a {dt.response}")
    problem = store.unstorable(ident, data)
    if problem is not None:
        raise ApplyError(f"{record.ret} with {problem} in a {dt.response}")
    modified = data.get("TimeModified")
    stamp = modified if isinstance(modified, datetime) else None
    edit = data.get("EditSequence")
    return IncomingRecord(
        data_type=dt.key,
        qb_id=ident,
        ret=record.ret,
        data=data,
        normalised=normalise(dt.key, record.ret, ident, data),
        time_modified=None if stamp is None else stamp.isoformat(),
        time_modified_utc=None if stamp is None else utc(stamp),
        edit_sequence=edit if isinstance(edit, str) else None,
    )


class _Page:
    """Accumulates what the cursor needs to know while records stream by."""

    def __init__(self) -> None:
        self.count = 0
        self.max_time: datetime | None = None
        self._max_utc: datetime | None = None  # utc(max_time), kept to convert once per record
        self.offsets: list[int] = []

    def see(self, stamp: object) -> None:
        self.count += 1
        if not isinstance(stamp, datetime):
            return
        stamp_utc = utc(stamp)
        if self._max_utc is None or stamp_utc >= self._max_utc:
            self.max_time, self._max_utc = stamp, stamp_utc
        minutes = _offset_minutes(stamp)
        if minutes is not None and minutes not in self.offsets:
            self.offsets.append(minutes)

    def result(self, start: ResponseStart) -> PageResult:
        status = start.status
        return PageResult(
            status_code=status.code,
            status_class=classify_status(status.code, status.severity),
            message=status.message,
            iterator_id=start.iterator_id,
            remaining=start.iterator_remaining,
            count=self.count,
            max_time=self.max_time,
            min_offset=min(self.offsets) if self.offsets else None,
            max_offset=max(self.offsets) if self.offsets else None,
        )


INT_MAX = 2**31 - 1
"""The largest count or code a cursor or a run's error keeps (32-bit columns on PostgreSQL)."""
ITERATOR_ID_MAX = 64
"""The longest iteratorID a cursor keeps (QuickBooks sends a 38-character GUID)."""


def unusable(start: ResponseStart) -> str | None:
    """Why the head of a response cannot move a cursor, or None. The schema types these
    attributes as unbounded integers (INTTYPE is xsd:integer) but no QuickBooks sends a
    count beyond 32 bits (issue 18 item 7: 99999999999999999999 overflowed the store)."""
    remaining = start.iterator_remaining
    if remaining is not None and not 0 <= remaining <= INT_MAX:
        return f"iteratorRemainingCount={remaining} in a {start.name}"
    if not -INT_MAX - 1 <= start.status.code <= INT_MAX:
        return f"statusCode={start.status.code} in a {start.name}"
    if start.iterator_id is not None and len(start.iterator_id) > ITERATOR_ID_MAX:
        return f"an iteratorID of {len(start.iterator_id)} characters in a {start.name}"
    return None


def _records_of(
    events: Iterator[Event], dt: DataType, request_id: str
) -> tuple[ResponseStart | None, Iterator[Record]]:
    for event in events:
        if isinstance(event, ResponseStart):
            if event.name != dt.response or event.request_id != request_id:
                return None, iter(())
            problem = unusable(event)
            if problem is not None:
                raise ApplyError(problem)
            return event, (e for e in events if isinstance(e, Record))
    return None, iter(())


@dataclass(frozen=True)
class ReadPage:
    """A response of a record query read before its write transaction (``read_page``)."""

    page: PageResult | None
    """None: the response did not answer the request, nothing is to be stored."""
    items: list[IncomingRecord]


def read_page(dt: DataType, request_id: str, events: Iterable[Event]) -> ReadPage:
    """The records of a page (not of deletions) ready to write, JSON texts made: what
    ``apply_page`` does before its SQL, done outside the transaction so that writers (the Web
    Connector's next call) wait only for the SQL. Holds the whole page: for pages applied
    behind, which are held whole anyway."""
    assert dt.kind is not Kind.DELETED, "deletions are marked in line"
    start, recs = _records_of(iter(events), dt, request_id)
    if start is None:
        return ReadPage(None, [])
    page = _Page()
    items = []
    for record in recs:
        items.append(incoming(dt, record).with_texts())
        page.see(record.data.get("TimeModified"))
    return ReadPage(page.result(start), items)


def apply_page(
    conn: Connection,
    company_id: str,
    dt: DataType,
    request_id: str,
    events: Iterable[Event] | ReadPage,
    now: datetime,
) -> Applied:
    """Store the answer to request ``request_id`` (a query of ``dt``)."""
    if isinstance(events, ReadPage):
        counts = UpsertCounts()
        for at in range(0, len(events.items), BATCH):
            counts += store.upsert_records(conn, company_id, events.items[at : at + BATCH], now)
        return Applied(events.page, counts)
    start, recs = _records_of(iter(events), dt, request_id)
    if start is None:
        return Applied(None)
    page = _Page()
    if dt.kind is Kind.DELETED:
        deleted = _apply_deletions(conn, company_id, dt, recs, page, now)
        return Applied(page.result(start), deleted=deleted)
    counts = UpsertCounts()
    batch: list[IncomingRecord] = []
    for record in recs:
        item = incoming(dt, record)
        page.see(record.data.get("TimeModified"))
        batch.append(item)
        if len(batch) >= BATCH:
            counts += store.upsert_records(conn, company_id, batch, now)
            batch = []
    counts += store.upsert_records(conn, company_id, batch, now)
    return Applied(page.result(start), counts)


def _apply_deletions(
    conn: Connection,
    company_id: str,
    dt: DataType,
    recs: Iterator[Record],
    page: _Page,
    now: datetime,
) -> int:
    table, type_field, id_field = (
        (LIST_DEL_TYPES, "ListDelType", "ListID")
        if dt.key == "deleted_lists"
        else (TXN_DEL_TYPES, "TxnDelType", "TxnID")
    )
    by_key: dict[str, list[str]] = {}
    for record in recs:
        page.see(record.data.get("TimeDeleted"))
        kind, ident = record.data.get(type_field), record.data.get(id_field)
        if not isinstance(kind, str) or not isinstance(ident, str):
            raise ApplyError(f"{record.ret} without {type_field} or {id_field}")
        for key in table.get(kind, ()):
            by_key.setdefault(key, []).append(ident)
    return sum(store.mark_deleted(conn, company_id, key, ids, now) for key, ids in by_key.items())


def apply_hcp(conn: Connection, company_id: str, events: Iterable[Event], now: datetime) -> int:
    """Store HostRet, CompanyRet and PreferencesRet from ``strHCPResponse``; returns how many."""
    stored = 0
    for event in events:
        if isinstance(event, Record) and event.ret in ("HostRet", "CompanyRet", "PreferencesRet"):
            dt = BY_RET[event.ret]
            store.upsert_records(conn, company_id, [incoming(dt, event, qb_id=dt.key)], now)
            stored += 1
    return stored

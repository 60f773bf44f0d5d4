"""The synced records of each company: bulk upserts, deletion marks, reads.
About 460 lines: the driver-level batch SQL and the lossless JSON form it writes change together.

Owns: the ``records`` table's queries and the lossless JSON form of a parsed record
(``connector.qbxml.values``: ``Decimal``, ``date`` and ``datetime`` with its offset survive a
round trip through the store). One response's records are written with one SELECT of the
known ids plus one ``INSERT ... ON CONFLICT DO UPDATE`` executemany per batch, whatever the
page size; on PostgreSQL the known ids are not selected: one statement upserts the batch's
columns as arrays (``unnest``), skips unchanged rows itself and returns which rows it inserted
(see ``_upsert_returning``). Must not: decide what to fetch (``connector.sync``) or commit
(callers pass the connection of their transaction).

Speed (issue 5): the batch statements are SQL text built once per dialect and run at driver
level (``exec_driver_sql``), values converted here as SQLAlchemy would (the dialect's own
DateTime bind processor), because SQLAlchemy's per-row parameter processing cost more than
SQLite's work; JSON is written with orjson (same text as ``json.dumps``; ``json`` remains the
fallback for what orjson refuses, e.g. integers beyond 64 bits).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Dialect, Select, Table, func, select, update

from connector.qbxml.values import RecordData
from connector.store.tables_sync import records

_TAGS: dict[str, Callable[[str], object]] = {
    "$decimal": Decimal,
    "$date": date.fromisoformat,
    "$datetime": datetime.fromisoformat,
}


def _tag(value: object) -> dict[str, str]:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):  # before date: datetime is a date
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot store a {type(value).__name__} in a record: {value!r}")


def _untag(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        key = next(iter(obj))
        if key in _TAGS:
            return _TAGS[key](obj[key])
    return obj


# Dates and date-times go to ``_tag`` (orjson would write its own form, untagged).
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _json_text(value: object, default: Callable[[Any], object] | None = None) -> str:
    """Compact JSON, non-ASCII kept: the text ``json.dumps`` gives, written by orjson."""
    try:
        return orjson.dumps(value, default=default, option=_ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:  # an int beyond 64 bits, a lone surrogate, deep nesting
        return json.dumps(value, default=default, separators=(",", ":"), ensure_ascii=False)


def encode_data(data: RecordData) -> str:
    """A record value as JSON text; qbXML element names never start with ``$``."""
    return _json_text(data, _tag)


def decode_data(text: str) -> RecordData:
    value: RecordData = json.loads(text, object_hook=_untag)
    return value


QB_ID_MAX = 36
"""qbXML IDTYPE's maxLength (qbxmltypes130-160.xsd): ListID, TxnID and the like."""
EDIT_SEQUENCE_MAX = 16
"""EditSequence's maxLength in the qbXML schemas."""
NAME_MAX = 4096
"""A bound far above any qbXML name (Name 31-41, FullName 159 characters)."""
_NAME_FIELDS = ("Name", "FullName")


def unstorable(qb_id: str, data: RecordData) -> str | None:
    """Why a record QuickBooks could not have sent cannot be stored, or None (issue 18 item
    6: a 10,000-character ListID was stored; PostgreSQL refuses NUL characters)."""
    if len(qb_id) > QB_ID_MAX or not qb_id.isprintable():
        return f"an id of {len(qb_id)} characters or with control characters (IDTYPE: {QB_ID_MAX})"
    edit = data.get("EditSequence")
    if isinstance(edit, str) and (len(edit) > EDIT_SEQUENCE_MAX or not edit.isprintable()):
        return f"an EditSequence of {len(edit)} characters or with control characters"
    for field in _NAME_FIELDS:
        name = data.get(field)
        if isinstance(name, str) and (len(name) > NAME_MAX or "\x00" in name):
            return f"a {field} of {len(name)} characters or with a NUL character"
    return None


@dataclass(frozen=True)
class IncomingRecord:
    """One record as a response delivered it, ready to store."""

    data_type: str
    qb_id: str
    ret: str
    data: RecordData
    normalised: dict[str, Any]
    time_modified: str | None = None
    time_modified_utc: datetime | None = None
    edit_sequence: str | None = None
    texts: tuple[str, str] | None = None
    """``data`` and ``normalised`` as the JSON the store writes, when made before the write
    transaction (``with_texts``); else they are written at the upsert."""

    def with_texts(self) -> IncomingRecord:
        """This record with its JSON texts made now (outside a transaction, by a caller that
        wants the transaction short)."""
        return replace(self, texts=(encode_data(self.data), _json_text(self.normalised)))


@dataclass(frozen=True)
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True)
class StoredRow:
    id: int
    company_id: str
    data_type: str
    qb_id: str
    ret: str
    data: RecordData
    normalised: dict[str, Any]
    time_modified: str | None
    edit_sequence: str | None
    deleted_at: datetime | None
    updated_at: datetime


_COLUMNS = (
    "company_id",
    "data_type",
    "qb_id",
    "ret",
    "time_modified",
    "time_modified_utc",
    "edit_sequence",
    "data",
    "normalised",
    "deleted_at",
    "created_at",
    "updated_at",
)
_CHANGING = tuple(name for name in _COLUMNS[3:] if name != "created_at")  # not the key
# PostgreSQL's batch statement: the columns that differ per row, as arrays (``_columns``).
_ARRAY_NAMES = _COLUMNS[2:9]
_ARRAY_TYPES = ("text", "text", "text", "timestamptz", "text", "text", "text")


@dataclass(frozen=True)
class _Statements:
    """The batch statements of one dialect, as driver-level SQL text."""

    upsert: str
    known: str  # the SELECT of known ids, ``{ids}`` to fill with one marker per id
    marker: str
    stamp: Callable[[datetime | None], Any]  # a DateTime value as the driver takes it
    returning: str | None = None
    """PostgreSQL: the upsert that leaves unchanged rows alone and returns, per row it wrote,
    whether it inserted it (``_upsert_returning``)."""


@lru_cache(maxsize=8)
def _statements(dialect: Dialect) -> _Statements:
    if dialect.name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"bulk upsert is not written for the {dialect.name} dialect")
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:
        raise NotImplementedError(f"bulk upsert is not written for paramstyle {dialect.paramstyle}")
    quote = dialect.identifier_preparer.quote
    table = dialect.identifier_preparer.format_table(records)
    names = ", ".join(quote(name) for name in _COLUMNS)
    updates = ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in _CHANGING)
    key = ", ".join(quote(name) for name in ("company_id", "data_type", "qb_id"))
    upsert = (
        f"INSERT INTO {table} ({names}) VALUES ({', '.join([marker] * len(_COLUMNS))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )
    known = (
        f"SELECT {quote('qb_id')}, {quote('edit_sequence')}, {quote('deleted_at')} FROM {table} "
        f"WHERE {quote('company_id')} = {marker} AND {quote('data_type')} = {marker} "
        f"AND {quote('qb_id')} IN ({{ids}})"
    )
    column_type = records.c.time_modified_utc.type
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    returning = None
    if dialect.name == "postgresql":
        edit, deleted = (f"{table}.{quote(name)}" for name in ("edit_sequence", "deleted_at"))
        incoming = f"excluded.{quote('edit_sequence')}"
        # One row per element of the arrays, in ``_COLUMNS`` order; the arrays go in binary
        # (``%b``): the text form escapes every quote of the JSON, which cost more than it saved.
        arrays = ", ".join(f"%b::{kind}[]" for kind in _ARRAY_TYPES)
        # The rule of ``_is_unchanged``, in SQL. ``xmax = 0`` holds for a row this statement
        # inserted (a PostgreSQL implementation detail, long relied upon for exactly this).
        returning = (
            f"INSERT INTO {table} ({names}) SELECT %s, %s, {', '.join(_ARRAY_NAMES)}, NULL, %s, %s "
            f"FROM unnest({arrays}) AS page({', '.join(_ARRAY_NAMES)}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates} "
            f"WHERE {deleted} IS NOT NULL OR {incoming} IS NULL "
            f"OR {edit} IS DISTINCT FROM {incoming} RETURNING (xmax = 0)"
        )
    return _Statements(upsert, known, marker, processor or _as_is, returning)


def _as_is(value: datetime | None) -> datetime | None:
    return value


def _known(
    conn: Connection, sql: _Statements, company_id: str, data_type: str, ids: Sequence[str]
) -> dict[str, tuple[str, str | None, object]]:
    """``qb_id -> (qb_id, edit_sequence, deleted_at)`` of the stored ``ids``: one statement."""
    text = sql.known.format(ids=", ".join([sql.marker] * len(ids)))
    rows = conn.exec_driver_sql(text, (company_id, data_type, *ids))
    return {row[0]: (row[0], row[1], row[2]) for row in rows}


def _is_unchanged(known: tuple[str, str | None, object], item: IncomingRecord) -> bool:
    # QuickBooks changes EditSequence on every modification; records without one
    # (host, company, preferences) are always rewritten.
    return known[2] is None and item.edit_sequence is not None and known[1] == item.edit_sequence


def upsert_records(
    conn: Connection, company_id: str, items: Sequence[IncomingRecord], now: datetime
) -> UpsertCounts:
    """Insert or update ``items`` (all of one data type): two statements for the batch."""
    if not items:
        return UpsertCounts()
    data_types = {item.data_type for item in items}
    if len(data_types) != 1:
        raise ValueError(f"one data type per batch, got {sorted(data_types)}")
    sql = _statements(conn.dialect)
    latest = {item.qb_id: item for item in items}  # a repeated id: the last one wins
    stamp = sql.stamp
    stored_now = stamp(now)
    if sql.returning is not None:
        columns = _columns(list(latest.values()), stamp)
        params = (company_id, items[0].data_type, stored_now, stored_now, *columns)
        inserted = _upsert_returning(conn, sql.returning, params)
        created = sum(inserted)
        return UpsertCounts(created, len(inserted) - created, len(latest) - len(inserted))
    known = _known(conn, sql, company_id, items[0].data_type, list(latest))
    rows = [
        _row(company_id, item, stamp, stored_now)
        for item in latest.values()
        if item.qb_id not in known or not _is_unchanged(known[item.qb_id], item)
    ]
    if rows:
        conn.exec_driver_sql(sql.upsert, rows)
    created = sum(1 for qb_id in latest if qb_id not in known)
    return UpsertCounts(created, len(rows) - created, len(latest) - len(rows))


def _columns(
    items: list[IncomingRecord], stamp: Callable[[datetime | None], Any]
) -> list[list[object]]:
    """The columns of ``_ARRAY_NAMES``, each one list with an element per item."""
    if not items:
        return [[] for _ in _ARRAY_NAMES]
    return [list(column) for column in zip(*(_values(item, stamp) for item in items), strict=True)]


def _upsert_returning(conn: Connection, statement: str, params: tuple[object, ...]) -> list[bool]:
    """PostgreSQL: upsert the batch in one statement and collect, per row written, whether it
    was inserted. Instead of a SELECT of the known ids first: without fresh statistics (a
    first sync fills the table faster than autovacuum analyses it) PostgreSQL planned that
    SELECT as a scan of every row of the data type, per batch (108 us a row against 59 with
    statistics, medium company); the upsert's conflict check always uses the unique index.
    One statement of arrays instead of a pipeline of one per row (issue 12): 500 rows cost the
    worker a third and PostgreSQL two thirds of what they did."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, params)
        return [bool(row[0]) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _row(
    company_id: str,
    item: IncomingRecord,
    stamp: Callable[[datetime | None], Any],
    now: object,
) -> tuple[object, ...]:
    """One row's values in ``_COLUMNS`` order, as the driver takes them."""
    return (company_id, item.data_type, *_values(item, stamp), None, now, now)


def _values(item: IncomingRecord, stamp: Callable[[datetime | None], Any]) -> tuple[object, ...]:
    """The values of one row that differ per record (``_ARRAY_NAMES``)."""
    data, normalised = item.texts or (_json_text(item.data, _tag), _json_text(item.normalised))
    return (
        item.qb_id,
        item.ret,
        item.time_modified,
        stamp(item.time_modified_utc),
        item.edit_sequence,
        data,
        normalised,
    )


def mark_deleted(
    conn: Connection, company_id: str, data_type: str, qb_ids: Sequence[str], deleted_at: datetime
) -> int:
    """Mark records deleted in QuickBooks; returns how many were live before."""
    if not qb_ids:
        return 0
    result = conn.execute(
        update(records)
        .where(
            records.c.company_id == company_id,
            records.c.data_type == data_type,
            records.c.qb_id.in_(list(qb_ids)),
            records.c.deleted_at.is_(None),
        )
        .values(deleted_at=deleted_at, updated_at=deleted_at)
    )
    return int(result.rowcount)


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)  # SQLite drops the zone; we only ever store UTC


def _stored(row: Any) -> StoredRow:
    updated = _utc(row.updated_at)
    assert updated is not None
    return StoredRow(
        id=int(row.id),
        company_id=row.company_id,
        data_type=row.data_type,
        qb_id=row.qb_id,
        ret=row.ret,
        data=decode_data(row.data),
        normalised=json.loads(row.normalised),
        time_modified=row.time_modified,
        edit_sequence=row.edit_sequence,
        deleted_at=_utc(row.deleted_at),
        updated_at=updated,
    )


def record_key(company_id: str, data_type: str, qb_id: str) -> tuple[ColumnElement[bool], ...]:
    """The WHERE of one record: its company, data type and QuickBooks id."""
    return (
        records.c.company_id == company_id,
        records.c.data_type == data_type,
        records.c.qb_id == qb_id,
    )


@dataclass(frozen=True)
class Window:
    """Which page of one data type: row ids after ``after_id`` (the REST API's cursor), at
    most ``limit`` of them; ``modified_since`` compares with the time the store last wrote
    the record (``updated_at``: a deletion mark is a write)."""

    after_id: int = 0
    limit: int = 100
    modified_since: datetime | None = None
    include_deleted: bool = False


def page_query(
    columns: Sequence[ColumnElement[Any]] | Table, company_id: str, data_type: str, window: Window
) -> Select[Any]:
    """One page of a data type in row-id order (``Window``)."""
    after_id, limit = window.after_id, window.limit
    modified_since, include_deleted = window.modified_since, window.include_deleted
    chosen = [columns] if isinstance(columns, Table) else list(columns)
    query = (
        select(*chosen)
        .where(
            records.c.company_id == company_id,
            records.c.data_type == data_type,
            records.c.id > after_id,
        )
        .order_by(records.c.id)
        .limit(limit)
    )
    if modified_since is not None:
        since = modified_since if modified_since.tzinfo else modified_since.replace(tzinfo=UTC)
        query = query.where(records.c.updated_at >= since.astimezone(UTC))
    if not include_deleted:
        query = query.where(records.c.deleted_at.is_(None))
    return query


def get_record(conn: Connection, company_id: str, data_type: str, qb_id: str) -> StoredRow | None:
    row = conn.execute(select(records).where(*record_key(company_id, data_type, qb_id))).first()
    return None if row is None else _stored(row)


def page_records(
    conn: Connection, company_id: str, data_type: str, window: Window = Window()
) -> list[StoredRow]:
    """One page in id order (``Window``)."""
    query = page_query(records, company_id, data_type, window)
    return [_stored(row) for row in conn.execute(query)]


def iter_records(
    conn: Connection, company_id: str, data_type: str, *, include_deleted: bool = False
) -> Iterator[StoredRow]:
    """Every record of one type, paged so memory stays flat."""
    after = 0
    while True:
        window = Window(after_id=after, limit=1000, include_deleted=include_deleted)
        page = page_records(conn, company_id, data_type, window)
        yield from page
        if len(page) < 1000:
            return
        after = page[-1].id


def count_records(conn: Connection, company_id: str) -> dict[str, int]:
    """Live (not deleted) records per data type."""
    rows = conn.execute(
        select(records.c.data_type, func.count())
        .where(records.c.company_id == company_id, records.c.deleted_at.is_(None))
        .group_by(records.c.data_type)
    )
    return {row[0]: int(row[1]) for row in rows}

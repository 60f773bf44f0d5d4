"""Sync state in the store: per-type cursors and the history of sync runs.
About 310 lines: cursor rows and run history are written in the same transactions.

Owns: the queries of ``sync_cursors``, ``sync_runs``, ``sync_run_types`` and
``sync_run_errors``, and the frozen values they return. Cursor rows are read and written
inside the caller's transaction, together with the records of the response that moved
them, so a cursor never runs ahead of the data (issue 5). Must not: decide what a cursor
should become (``connector.sync.cursors`` does, purely).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, RowMapping, bindparam, select, update

from connector.store import webhooks
from connector.store.rows import from_row
from connector.store.tables_core import companies
from connector.store.tables_sync import sync_cursors, sync_run_errors, sync_run_types, sync_runs


@dataclass(frozen=True)
class CursorRow:
    """Where one data type of one company stands (see ``connector.sync.cursors``)."""

    company_id: str
    data_type: str
    watermark: str | None = None
    full_done: bool = False
    run_id: str | None = None
    state: str = "idle"
    iterator_id: str | None = None
    iterator_ticket: str | None = None
    remaining: int | None = None
    fetched: int = 0
    high_water: str | None = None
    min_offset: int | None = None
    max_offset: int | None = None
    seq: int = 0
    in_flight_request_id: str | None = None
    in_flight_ticket: str | None = None
    in_flight_request: str | None = None
    attempts: int = 0
    restarts: int = 0
    last_swept_at: datetime | None = None
    page_size: int | None = None
    """MaxReturned for this type when smaller than the policy's: a page was too large for
    the service (issue 18 item 2); ``None``: the policy's."""
    phase: str | None = None
    """Where an incremental run stands (``connector.sync.probe``); ``None``: an ordinary
    query from the watermark (a first full sync)."""
    pending: str | None = None
    """What the run's probe found new or changed and not yet fetched (``probe.Pending``)."""


_CURSOR_FIELDS = tuple(f.name for f in dataclasses.fields(CursorRow))


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)  # SQLite drops the zone; we only ever store UTC


def load_cursors(conn: Connection, company_id: str) -> dict[str, CursorRow]:
    rows = conn.execute(select(sync_cursors).where(sync_cursors.c.company_id == company_id))
    result: dict[str, CursorRow] = {}
    for row in rows:
        values = {name: getattr(row, name) for name in _CURSOR_FIELDS}
        values["last_swept_at"] = _utc(values["last_swept_at"])
        values["full_done"] = bool(values["full_done"])
        result[row.data_type] = CursorRow(**values)
    return result


_UPDATE_CURSOR = (
    update(sync_cursors)
    .where(
        sync_cursors.c.company_id == bindparam("key_company"),
        sync_cursors.c.data_type == bindparam("key_type"),
    )
    .values({name: bindparam(name) for name in (*_CURSOR_FIELDS, "updated_at")})
)
"""One compiled statement for every cursor write (the hot path: twice per request)."""


def save_cursor(conn: Connection, cursor: CursorRow, now: datetime) -> None:
    """Insert or replace one cursor row."""
    values = dataclasses.asdict(cursor) | {"updated_at": now}
    keys = {"key_company": cursor.company_id, "key_type": cursor.data_type}
    done = conn.execute(_UPDATE_CURSOR, values | keys)
    if done.rowcount == 0:
        conn.execute(sync_cursors.insert(), values)


def lock_company(conn: Connection, company_id: str) -> None:
    """Serialise sync work on one company across service instances (PostgreSQL row lock).

    SQLite serialises writers on its own; there this is a no-op.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(companies.c.id).where(companies.c.id == company_id).with_for_update())


@dataclass(frozen=True)
class TypeCounts:
    data_type: str
    status: str
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: int = 0


@dataclass(frozen=True)
class RunError:
    data_type: str | None
    status_code: int | None
    hresult: str | None
    status_class: str
    message: str
    at: datetime


@dataclass(frozen=True)
class SyncRun:
    id: str
    company_id: str
    connection_id: str | None
    ticket: str | None
    status: str
    kind: str
    data_types: list[str]
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    summary: str | None
    types: tuple[TypeCounts, ...] = ()
    errors: tuple[RunError, ...] = ()


def create_run(
    conn: Connection,
    *,
    company_id: str,
    connection_id: str | None,
    ticket: str | None,
    kind: str,
    data_types: Sequence[str],
    now: datetime,
    status: str = "running",
) -> str:
    run_id = str(uuid.uuid4())
    conn.execute(
        sync_runs.insert().values(
            id=run_id,
            company_id=company_id,
            connection_id=connection_id,
            ticket=ticket,
            status=status,
            kind=kind,
            data_types=list(data_types),
            created_at=now,
            started_at=now if status == "running" else None,
        )
    )
    add_run_types(conn, run_id, data_types)
    return run_id


def add_run_types(conn: Connection, run_id: str, data_types: Sequence[str]) -> None:
    """A run's per-type rows, all ``pending`` with zero counts."""
    if data_types:
        conn.execute(
            sync_run_types.insert(),
            [
                {
                    "run_id": run_id,
                    "data_type": key,
                    "status": "pending",
                    "fetched": 0,
                    "created": 0,
                    "updated": 0,
                    "unchanged": 0,
                    "deleted": 0,
                    "errors": 0,
                }
                for key in data_types
            ],
        )


def run_for_ticket(conn: Connection, ticket: str) -> SyncRun | None:
    row = (
        conn.execute(
            select(sync_runs)
            .where(sync_runs.c.ticket == ticket)
            .order_by(sync_runs.c.created_at.desc())
        )
        .mappings()
        .first()
    )
    return None if row is None else _run(row)


def _run(
    row: RowMapping, types: Sequence[TypeCounts] = (), errors: Sequence[RunError] = ()
) -> SyncRun:
    created = _utc(row["created_at"])
    assert created is not None
    return from_row(
        SyncRun,
        row,
        data_types=list(row["data_types"]),
        created_at=created,
        started_at=_utc(row["started_at"]),
        ended_at=_utc(row["ended_at"]),
        types=tuple(types),
        errors=tuple(errors),
    )


def add_counts(conn: Connection, run_id: str, data_type: str, **deltas: int) -> None:
    """Add to a run's per-type counters (``fetched``, ``created``, ``updated`` ...)."""
    deltas = {name: n for name, n in deltas.items() if n}
    if not deltas:
        return
    table = sync_run_types
    conn.execute(
        update(table)
        .where(table.c.run_id == run_id, table.c.data_type == data_type)
        .values({name: table.c[name] + n for name, n in deltas.items()})
    )


def set_type_status(conn: Connection, run_id: str, data_type: str, status: str) -> None:
    conn.execute(
        update(sync_run_types)
        .where(sync_run_types.c.run_id == run_id, sync_run_types.c.data_type == data_type)
        .values(status=status)
    )


def record_error(
    conn: Connection, run_id: str, error: RunError, *, counts_as_error: bool = True
) -> None:
    """Add an entry to the run's history; ``counts_as_error`` bumps the type's error count
    (notes such as retries and restarts do not)."""
    conn.execute(sync_run_errors.insert().values(run_id=run_id, **dataclasses.asdict(error)))
    if error.data_type is not None and counts_as_error:
        add_counts(conn, run_id, error.data_type, errors=1)


def _announce_end(conn: Connection, run_id: str, now: datetime) -> None:
    """``sync.completed`` / ``sync.failed`` for the platform's webhooks, in this transaction
    (issue 19): ``succeeded`` completed; ``partial``, ``interrupted``, ``failed`` failed."""
    row = conn.execute(select(sync_runs).where(sync_runs.c.id == run_id)).mappings().first()
    if row is None:
        return
    event = "sync.completed" if row["status"] == "succeeded" else "sync.failed"
    data = {"syncId": run_id, "status": row["status"], "summary": row["summary"]}
    webhooks.emit(conn, event, row["company_id"], data, now)


def finish_run(conn: Connection, run_id: str, *, status: str, summary: str, now: datetime) -> None:
    conn.execute(
        update(sync_runs)
        .where(sync_runs.c.id == run_id)
        .values(status=status, summary=summary, ended_at=now)
    )
    _announce_end(conn, run_id, now)


def interrupt_running(conn: Connection, company_id: str, now: datetime) -> int:
    """Runs of ``company_id`` still marked running belong to sessions that broke."""
    running = select(sync_runs.c.id).where(
        sync_runs.c.company_id == company_id, sync_runs.c.status == "running"
    )
    ids = list(conn.execute(running).scalars())
    result = conn.execute(
        update(sync_runs)
        .where(sync_runs.c.company_id == company_id, sync_runs.c.status == "running")
        .values(status="interrupted", ended_at=now, summary="the session ended without closing")
    )
    for run_id in ids:
        _announce_end(conn, run_id, now)
    return int(result.rowcount)


def get_run(conn: Connection, run_id: str) -> SyncRun | None:
    row = conn.execute(select(sync_runs).where(sync_runs.c.id == run_id)).mappings().first()
    if row is None:
        return None
    types = [
        from_row(TypeCounts, t)
        for t in conn.execute(
            select(sync_run_types).where(sync_run_types.c.run_id == run_id)
        ).mappings()
    ]
    order = {key: i for i, key in enumerate(row["data_types"])}
    types.sort(key=lambda t: order.get(t.data_type, len(order)))
    errors = [
        from_row(RunError, e, at=_utc(e["at"]))
        for e in conn.execute(
            select(sync_run_errors)
            .where(sync_run_errors.c.run_id == run_id)
            .order_by(sync_run_errors.c.id)
        ).mappings()
    ]
    return _run(row, types, errors)


def list_runs(conn: Connection, company_id: str, *, limit: int = 50) -> list[SyncRun]:
    """A company's runs, newest first (without per-type details)."""
    rows = conn.execute(
        select(sync_runs)
        .where(sync_runs.c.company_id == company_id)
        .order_by(sync_runs.c.created_at.desc())
        .limit(limit)
    ).mappings()
    return [_run(row) for row in rows]

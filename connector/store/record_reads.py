"""Read-only queries the REST API serves: record pages as stored JSON text, sync-run pages.

Owns: reading ``records.normalised`` as the JSON text it was stored as (no decoding: the API
writes it out as it is, and ``data``, the lossless form, is not read at all), one record by
its QuickBooks id, and a company's sync runs newest first with their totals, by keyset.
Must not: write, or shape HTTP answers (``connector.api`` does).

Times handed in are converted to UTC first: on SQLite a ``DateTime`` bind drops the offset,
and the store only ever writes UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, tuple_

from connector.store.records import Window, page_query, record_key
from connector.store.sync_runs import SyncRun
from connector.store.sync_runs import _run as run_value  # one row-to-value mapping for runs
from connector.store.tables_sync import records, sync_run_types, sync_runs

TOTAL_KEYS = ("fetched", "created", "updated", "unchanged", "deleted", "errors")


@dataclass(frozen=True)
class NormalisedRow:
    """One record as the REST API serves it: ``normalised`` is JSON text (an object)."""

    id: int
    qb_id: str
    normalised: str
    deleted_at: datetime | None


@dataclass(frozen=True)
class RunTotals:
    """A run without its per-type rows: those rows summed."""

    run: SyncRun
    totals: dict[str, int]


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)  # SQLite drops the zone; we only ever store UTC


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_COLUMNS = (records.c.id, records.c.qb_id, records.c.normalised, records.c.deleted_at)


def _row(row: Any) -> NormalisedRow:
    # Positional: a page runs this 1000 times, and Row attribute access costs more than this.
    row_id, qb_id, normalised, deleted_at = row
    return NormalisedRow(row_id, qb_id, normalised, _utc(deleted_at))


def page_normalised(
    conn: Connection, company_id: str, data_type: str, window: Window
) -> list[NormalisedRow]:
    """One page in row-id order (``connector.store.records.Window``)."""
    return [_row(row) for row in conn.execute(page_query(_COLUMNS, company_id, data_type, window))]


def get_normalised(
    conn: Connection, company_id: str, data_type: str, qb_id: str
) -> NormalisedRow | None:
    """The record with QuickBooks id ``qb_id``, deleted or not."""
    row = conn.execute(select(*_COLUMNS).where(*record_key(company_id, data_type, qb_id))).first()
    return None if row is None else _row(row)


def page_runs(
    conn: Connection,
    company_id: str,
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[RunTotals]:
    """A company's runs newest first (creation time, then id, both descending), those after
    the keyset position ``before``, each with its per-type counts summed."""
    query = (
        select(sync_runs)
        .where(sync_runs.c.company_id == company_id)
        .order_by(sync_runs.c.created_at.desc(), sync_runs.c.id.desc())
        .limit(limit)
    )
    if before is not None:
        at, run_id = before
        query = query.where(tuple_(sync_runs.c.created_at, sync_runs.c.id) < (_as_utc(at), run_id))
    runs = [run_value(row) for row in conn.execute(query).mappings()]
    sums = _totals(conn, [run.id for run in runs])
    empty = dict.fromkeys(TOTAL_KEYS, 0)
    return [RunTotals(run, sums.get(run.id, empty)) for run in runs]


def _totals(conn: Connection, run_ids: list[str]) -> dict[str, dict[str, int]]:
    if not run_ids:
        return {}
    table = sync_run_types
    rows = conn.execute(
        select(table.c.run_id, *(func.sum(table.c[key]).label(key) for key in TOTAL_KEYS))
        .where(table.c.run_id.in_(run_ids))
        .group_by(table.c.run_id)
    )
    return {row.run_id: {key: int(getattr(row, key) or 0) for key in TOTAL_KEYS} for row in rows}

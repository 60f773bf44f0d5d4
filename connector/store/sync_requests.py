"""Manual syncs: a ``sync_runs`` row with status ``queued`` until a session takes it.

Owns: queueing a manual sync (``requested_types``: the data types to run first, ``None`` =
all), merging a second request into one still queued (one queued sync per company), the
oldest queued sync of a company, and starting it (``running``, with its ticket and its
planned data types). ``GET /syncs`` lists it with every other run. Must not: plan which
types run (``connector.sync.plan``) or decide when a session has work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from connector.store.sync_runs import SyncRun, add_run_types, create_run, get_run
from connector.store.tables_sync import sync_run_types, sync_runs

QUEUED = "queued"


@dataclass(frozen=True)
class QueuedSync:
    run: SyncRun
    requested: tuple[str, ...] | None
    """The data types asked for first; ``None`` = every type."""


def _merge(old: list[str] | None, new: Sequence[str] | None) -> list[str] | None:
    if old is None or new is None:
        return None
    return old + [t for t in new if t not in old]


def oldest_queued(conn: Connection, company_id: str) -> QueuedSync | None:
    row = conn.execute(
        select(sync_runs.c.id, sync_runs.c.requested_types)
        .where(sync_runs.c.company_id == company_id, sync_runs.c.status == QUEUED)
        .order_by(sync_runs.c.created_at, sync_runs.c.id)
    ).first()
    if row is None:
        return None
    run = get_run(conn, row.id)
    assert run is not None
    requested = None if row.requested_types is None else tuple(row.requested_types)
    return QueuedSync(run, requested)


def queue_sync(
    conn: Connection, company_id: str, requested: Sequence[str] | None, now: datetime
) -> QueuedSync:
    """Queue a manual sync, or widen the one already queued for this company."""
    wanted = None if requested is None else list(dict.fromkeys(requested))
    current = oldest_queued(conn, company_id)
    if current is not None:
        old = None if current.requested is None else list(current.requested)
        merged = _merge(old, wanted)
        conn.execute(
            update(sync_runs)
            .where(sync_runs.c.id == current.run.id)
            .values(requested_types=merged, data_types=merged or [])
        )
        found = oldest_queued(conn, company_id)
        assert found is not None
        return found
    run_id = create_run(
        conn,
        company_id=company_id,
        connection_id=None,
        ticket=None,
        kind="manual",
        data_types=[],
        now=now,
        status=QUEUED,
    )
    conn.execute(
        update(sync_runs)
        .where(sync_runs.c.id == run_id)
        .values(requested_types=wanted, data_types=wanted or [])
    )
    found = oldest_queued(conn, company_id)
    assert found is not None
    return found


def start_queued(
    conn: Connection,
    run_id: str,
    *,
    connection_id: str,
    ticket: str,
    kind: str,
    data_types: Sequence[str],
    now: datetime,
) -> None:
    """The queued run becomes the session's run: ``running`` with its planned types and
    its kind (``full``, ``incremental``, ``mixed``) as any session's run has."""
    conn.execute(
        update(sync_runs)
        .where(sync_runs.c.id == run_id)
        .values(
            status="running",
            kind=kind,
            connection_id=connection_id,
            ticket=ticket,
            data_types=list(data_types),
            started_at=now,
        )
    )
    conn.execute(sync_run_types.delete().where(sync_run_types.c.run_id == run_id))
    add_run_types(conn, run_id, data_types)


def has_queued(conn: Connection, company_id: str) -> bool:
    row = conn.execute(
        select(sync_runs.c.id)
        .where(sync_runs.c.company_id == company_id, sync_runs.c.status == QUEUED)
        .limit(1)
    ).first()
    return row is not None

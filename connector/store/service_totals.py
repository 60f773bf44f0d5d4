"""Service-wide totals read from the store for ``GET /metrics`` (issue 19).

Owns: the aggregate queries: Web Connector sessions open now, records fetched per data type
over every sync run, QuickBooks errors per status code (or HRESULT when no status code),
pushes by status.
They are the store's truth, so every service instance reports the same figures for them.
Must not: name a company (no tenant in a metric label) or know the Prometheus format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.store.db import Database, transaction
from connector.store.tables_qbwc import qbwc_sessions
from connector.store.tables_sync import outbox, sync_run_errors, sync_run_types


@dataclass(frozen=True)
class ServiceTotals:
    sessions_active: int = 0
    records_fetched: dict[str, int] = field(default_factory=dict)
    quickbooks_errors: dict[str, int] = field(default_factory=dict)
    """By status code (``"3200"``) or, for a COM failure, HRESULT (``"0x80040408"``)."""
    pushes: dict[str, int] = field(default_factory=dict)
    """Pushes in the outbox by status (pending, sent, succeeded, failed, conflict)."""


def service_totals(db: Database | Connection, now: datetime) -> ServiceTotals:
    active = (
        sa.select(sa.func.count())
        .select_from(qbwc_sessions)
        .where(qbwc_sessions.c.ended.is_(False), qbwc_sessions.c.expires_at > now)
    )
    fetched = sa.select(sync_run_types.c.data_type, sa.func.sum(sync_run_types.c.fetched)).group_by(
        sync_run_types.c.data_type
    )
    code = sa.func.coalesce(
        sa.cast(sync_run_errors.c.status_code, sa.String), sync_run_errors.c.hresult
    )
    errors = sa.select(code, sa.func.count()).where(code.is_not(None)).group_by(code)
    pushes = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
    with transaction(db, write=False) as conn:
        return ServiceTotals(
            sessions_active=int(conn.execute(active).scalar_one()),
            records_fetched={str(t): int(n or 0) for t, n in conn.execute(fetched)},
            quickbooks_errors={str(c): int(n) for c, n in conn.execute(errors)},
            pushes={str(s): int(n) for s, n in conn.execute(pushes)},
        )

"""When each connection's Web Connector passed authenticate: ``connection_activity``.

Owns: noting a successful authenticate (the first one emits ``connection.connected``) (the QBWC service calls ``note_authenticated`` in the
transaction that stores the new session) and reading it back for the portal's statuses and
the link flow's "connected". Must not: decide statuses (``connector.portal.status``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.store import webhooks
from connector.store.db import Database, transaction
from connector.store.tables_core import connections
from connector.store.tables_portal import connection_activity


@dataclass(frozen=True)
class Activity:
    first_authenticated_at: datetime
    last_authenticated_at: datetime


def note_authenticated(conn: Connection, connection_id: str, now: datetime) -> None:
    table = connection_activity
    done = conn.execute(
        table.update()
        .where(table.c.connection_id == connection_id)
        .values(last_authenticated_at=now)
    )
    if done.rowcount == 0:
        conn.execute(
            table.insert().values(
                connection_id=connection_id, first_authenticated_at=now, last_authenticated_at=now
            )
        )
        company = sa.select(connections.c.company_id).where(connections.c.id == connection_id)
        company_id = conn.execute(company).scalar()
        if company_id is not None:  # the first authenticate: "connected" (issue 19)
            data = {"connectionId": connection_id}
            webhooks.emit(conn, "connection.connected", company_id, data, now)


def activity_of(db: Database | Connection, connection_ids: Iterable[str]) -> dict[str, Activity]:
    ids = list(connection_ids)
    if not ids:
        return {}
    table = connection_activity
    with transaction(db, write=False) as conn:
        rows = conn.execute(sa.select(table).where(table.c.connection_id.in_(ids)))
        return {
            r.connection_id: Activity(r.first_authenticated_at, r.last_authenticated_at)
            for r in rows
        }

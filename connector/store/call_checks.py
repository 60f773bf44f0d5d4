"""What every Web Connector call checks before its work, read in one statement.

Owns: ``read_call_checks``: whether the connection is held (the platform's integration
switch, the connection's pause, the company's latest consent) and whether a push of its
company waits for a session. ``connector.portal.work`` asked these in two transactions of
four statements on each call, twice a page (issue 12: on PostgreSQL each statement is a round
trip the Web Connector waits for); one statement of scalar subqueries reads the same rows.
Must not: decide what a hold means (``connector.portal.status``) or what a push does.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.store.errors import ConnectionNotFound
from connector.store.outbox import UNSENT_STATUSES
from connector.store.platform import ROW_ID
from connector.store.tables_core import connections
from connector.store.tables_portal import consents, platform_settings
from connector.store.tables_sync import outbox


@dataclass(frozen=True)
class CallChecks:
    company_id: str
    paused: bool
    integration_enabled: bool
    """The platform's switch; on where the platform never saved its settings."""
    consent_active: bool | None
    """The company's latest consent (``None``: it never gave one through the link flow)."""
    pushes_waiting: bool


_COMPANY = connections.c.company_id
_QUERY = sa.select(
    _COMPANY,
    connections.c.paused,
    sa.select(platform_settings.c.integration_enabled)
    .where(platform_settings.c.id == ROW_ID)
    .scalar_subquery()
    .label("integration_enabled"),
    sa.select(sa.case((consents.c.withdrawn_at.is_(None), 1), else_=0))
    .where(consents.c.company_id == _COMPANY)
    .order_by(consents.c.agreed_at.desc(), consents.c.id)
    .limit(1)
    .scalar_subquery()
    .label("consent_active"),
    sa.exists()
    .where(outbox.c.company_id == _COMPANY, outbox.c.status.in_(UNSENT_STATUSES))
    .label("pushes_waiting"),
).where(connections.c.id == sa.bindparam("connection_id"))


def read_call_checks(conn: Connection, connection_id: str) -> CallChecks:
    """The connection's checks (``ConnectionNotFound`` when it is gone)."""
    row = conn.execute(_QUERY, {"connection_id": connection_id}).mappings().first()
    if row is None:
        raise ConnectionNotFound(connection_id)
    consent = row["consent_active"]
    enabled = row["integration_enabled"]
    return CallChecks(
        company_id=row["company_id"],
        paused=bool(row["paused"]),
        integration_enabled=True if enabled is None else bool(enabled),
        consent_active=None if consent is None else bool(consent),
        pushes_waiting=bool(row["pushes_waiting"]),
    )

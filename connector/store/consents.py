"""Consents: what a business agreed to share, when, from where, under which wording.

Owns: recording a consent, the company's current one, withdrawing it, and deleting the
company's stored QuickBooks data when the withdrawal asks for it (records, the cursors that
say how far they go, pages waiting in the inbox; the sync history keeps only counts and
stays). Must not: decide what a withdrawal means for syncing (``connector.portal``) or know
HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.store import rows
from connector.store.db import Database, transaction
from connector.store.errors import NotFound
from connector.store.tables_portal import consents
from connector.store.tables_sync import records, sync_cursors, sync_inbox


class ConsentNotFound(NotFound):
    what = "consent"


@dataclass(frozen=True)
class ConsentRow:
    id: str
    company_id: str
    connection_id: str | None
    link_id: str | None
    wording_version: str
    app_name: str
    data_types: tuple[str, ...]
    reports: tuple[str, ...]
    writes: tuple[str, ...]
    agreed_at: datetime
    agreed_from: str
    user_agent: str
    withdrawn_at: datetime | None
    withdrawn_from: str | None
    delete_requested: bool
    records_deleted_at: datetime | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


def _row(m: sa.RowMapping) -> ConsentRow:
    return rows.from_row(
        ConsentRow,
        m,
        data_types=tuple(m["data_types"]),
        reports=tuple(m["reports"]),
        writes=tuple(m["writes"]),
        delete_requested=bool(m["delete_requested"]),
    )


def record_consent(
    db: Database | Connection,
    *,
    company_id: str,
    connection_id: str | None,
    link_id: str | None,
    wording_version: str,
    app_name: str,
    data_types: Sequence[str],
    reports: Sequence[str],
    writes: Sequence[str],
    agreed_from: str,
    user_agent: str,
    now: datetime | None = None,
) -> ConsentRow:
    consent_id = str(uuid.uuid4())
    with transaction(db) as conn:
        conn.execute(
            consents.insert().values(
                id=consent_id,
                company_id=company_id,
                connection_id=connection_id,
                link_id=link_id,
                wording_version=wording_version,
                app_name=app_name[:80],
                data_types=list(data_types),
                reports=list(reports),
                writes=list(writes),
                agreed_at=now or datetime.now(UTC),
                agreed_from=agreed_from[:64],
                user_agent=user_agent[:300],
                delete_requested=False,
            )
        )
        return get_consent(conn, consent_id)


def get_consent(db: Database | Connection, consent_id: str) -> ConsentRow:
    query = sa.select(consents).where(consents.c.id == consent_id)
    return rows.one(db, query, _row, ConsentNotFound(consent_id))


def list_consents(db: Database | Connection, company_id: str) -> list[ConsentRow]:
    """A company's consents, newest first."""
    query = (
        sa.select(consents)
        .where(consents.c.company_id == company_id)
        .order_by(consents.c.agreed_at.desc(), consents.c.id)
    )
    return rows.every(db, query, _row)


def latest_consent(db: Database | Connection, company_id: str) -> ConsentRow | None:
    found = list_consents(db, company_id)
    return found[0] if found else None


def withdraw_consent(
    db: Database | Connection,
    consent_id: str,
    *,
    withdrawn_from: str,
    delete_records: bool,
    now: datetime | None = None,
) -> tuple[ConsentRow, int]:
    """Withdraw (once; a second call changes nothing) and, when asked, delete the company's
    stored QuickBooks data in the same transaction. Returns the row and the records deleted."""
    at = now or datetime.now(UTC)
    with transaction(db) as conn:
        current = get_consent(conn, consent_id)
        if current.withdrawn_at is not None and not (
            delete_records and not current.delete_requested
        ):
            return current, 0
        deleted = delete_company_data(conn, current.company_id) if delete_records else 0
        values: dict[str, object] = {}
        if current.withdrawn_at is None:
            values |= {"withdrawn_at": at, "withdrawn_from": withdrawn_from[:64]}
        if delete_records:
            values |= {"delete_requested": True, "records_deleted_at": at}
        conn.execute(consents.update().where(consents.c.id == consent_id).values(**values))
        return get_consent(conn, consent_id), deleted


def delete_company_data(conn: Connection, company_id: str) -> int:
    """Delete a company's synced records, cursors and inbox pages; the number of records."""
    conn.execute(sync_inbox.delete().where(sync_inbox.c.company_id == company_id))
    conn.execute(sync_cursors.delete().where(sync_cursors.c.company_id == company_id))
    result = conn.execute(records.delete().where(records.c.company_id == company_id))
    return int(result.rowcount)

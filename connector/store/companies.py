"""Companies: the tenants. Everything else a business owns hangs off a company row.

Owns: creating, finding, listing and deleting companies (deleting takes everything the
company owns: every row hangs off it with ON DELETE CASCADE). Must not: know about
connections' secrets, HTTP or the command line.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from connector.store import rows
from connector.store.db import Database, transaction
from connector.store.errors import CompanyExists, CompanyNotFound, InvalidValue
from connector.store.tables_core import companies, connections
from connector.store.tables_sync import outbox, records, sync_runs

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class CompanyRow:
    id: str
    name: str
    created_at: datetime

    @property
    def key(self) -> CompanyKey:
        """Where this company sits in list order (the keyset cursor)."""
        return CompanyKey(self.created_at, self.id)


@dataclass(frozen=True)
class CompanyKey:
    """Keyset position in ``list_companies`` order: creation time, then id."""

    created_at: datetime
    id: str


def _row(mapping: sa.RowMapping) -> CompanyRow:
    return rows.from_row(CompanyRow, mapping)


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if any(ord(c) < 32 or c == "\x7f" for c in cleaned):  # NUL: PostgreSQL cannot store it
        raise InvalidValue("a company name must not contain control characters")
    if not cleaned:
        raise InvalidValue("a company name must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidValue(f"a company name is at most {MAX_NAME_LENGTH} characters")
    return cleaned


def create_company(
    db: Database | Connection, name: str, *, now: datetime | None = None
) -> CompanyRow:
    """A new company; ``CompanyExists`` when the (whitespace-normalised) name is taken."""
    row = CompanyRow(str(uuid.uuid4()), clean_name(name), now or datetime.now(UTC))
    with transaction(db) as conn:
        taken = conn.execute(sa.select(companies.c.id).where(companies.c.name == row.name))
        if taken.first() is not None:
            raise CompanyExists(row.name)
        try:
            with conn.begin_nested():  # a lost race must not poison the caller's transaction
                conn.execute(
                    companies.insert().values(id=row.id, name=row.name, created_at=row.created_at)
                )
        except IntegrityError as exc:
            raise CompanyExists(row.name) from exc
    return row


def get_company(db: Database | Connection, id_or_name: str) -> CompanyRow:
    """The company with this id, else with this name; ``CompanyNotFound`` otherwise."""
    with transaction(db, write=False) as conn:
        for column in (companies.c.id, companies.c.name):
            found = conn.execute(sa.select(companies).where(column == id_or_name)).mappings()
            first = found.first()
            if first is not None:
                return _row(first)
    raise CompanyNotFound(id_or_name)


def list_companies(
    db: Database | Connection,
    *,
    limit: int = 100,
    after: CompanyKey | None = None,
    only: Collection[str] | None = None,
) -> list[CompanyRow]:
    """Companies in creation order, at most ``limit``, starting after ``after``; with
    ``only``, just the companies of those ids (an API key's scope)."""
    query = sa.select(companies).order_by(companies.c.created_at, companies.c.id).limit(limit)
    if only is not None:
        query = query.where(companies.c.id.in_(sorted(only)))
    if after is not None:
        query = query.where(
            sa.tuple_(companies.c.created_at, companies.c.id) > (after.created_at, after.id)
        )
    return rows.every(db, query, _row)


def company_footprint(db: Database | Connection, company_id: str) -> dict[str, int]:
    """What deleting the company would delete with it, counted (to show before asking)."""
    counted = {"connections": connections, "records": records, "syncs": sync_runs, "pushes": outbox}
    with transaction(db, write=False) as conn:
        return {
            name: conn.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.company_id == company_id)
            ).scalar_one()
            for name, table in counted.items()
        }


def delete_company(db: Database | Connection, company_id: str) -> None:
    """Delete the company and everything it owns: connections (their Web Connectors are
    refused from then on), synced records, sync history, pushes, links, consents, API key
    scopes (the rows cascade). ``CompanyNotFound`` when there is no such company."""
    with transaction(db) as conn:
        found = conn.execute(companies.delete().where(companies.c.id == company_id))
        if found.rowcount == 0:
            raise CompanyNotFound(company_id)

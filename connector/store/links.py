"""Link-flow links: the unguessable URL a business opens to connect (or manage) its
QuickBooks company file.

Owns: creating links (a 256-bit random token, stored only as its SHA-256: a fast hash is
enough for a random secret of that size, and lets a lookup be one indexed read), finding a
link by token, listing, revoking, and what a visit changed (the consent it recorded, when
it last revealed a password). Must not: decide whether a link may be used (expired, used,
revoked: ``connector.portal.links`` does, purely) or know HTTP.
"""

from __future__ import annotations

import enum
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.secrets import token_digest
from connector.store import rows
from connector.store.db import Database, transaction
from connector.store.errors import NotFound
from connector.store.tables_portal import connection_links

MAX_TOKEN = 128
"""Longer strings are never our tokens; refused before hashing."""


class LinkKind(enum.StrEnum):
    SETUP = "setup"
    """Consent, method, downloads, password, live status; single use (used at first connect)."""
    MANAGE = "manage"
    """Pause, resume, last sync, withdraw consent; valid until it expires or is revoked."""


class LinkNotFound(NotFound):
    what = "link"


@dataclass(frozen=True)
class LinkRow:
    id: str
    company_id: str
    connection_id: str
    kind: LinkKind
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    consent_id: str | None
    revealed_at: datetime | None


def _row(m: sa.RowMapping) -> LinkRow:
    return rows.from_row(LinkRow, m, kind=LinkKind(m["kind"]))


def create_link(
    db: Database | Connection,
    *,
    company_id: str,
    connection_id: str,
    kind: LinkKind,
    valid_for: timedelta,
    now: datetime | None = None,
) -> tuple[LinkRow, str]:
    """A new link and its token (returned once; only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    at = now or datetime.now(UTC)
    link_id = str(uuid.uuid4())
    with transaction(db) as conn:
        conn.execute(
            connection_links.insert().values(
                id=link_id,
                company_id=company_id,
                connection_id=connection_id,
                kind=kind.value,
                token_hash=token_digest(token),
                created_at=at,
                expires_at=at + valid_for,
            )
        )
        return get_link(conn, link_id), token


def get_link(db: Database | Connection, link_id: str, *, company_id: str | None = None) -> LinkRow:
    query = sa.select(connection_links).where(connection_links.c.id == link_id)
    if company_id is not None:
        query = query.where(connection_links.c.company_id == company_id)
    return rows.one(db, query, _row, LinkNotFound(link_id))


def find_by_token(db: Database | Connection, token: str) -> LinkRow | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    query = sa.select(connection_links).where(connection_links.c.token_hash == token_digest(token))
    return rows.first(db, query, _row)


def list_links(db: Database | Connection, connection_id: str) -> list[LinkRow]:
    query = (
        sa.select(connection_links)
        .where(connection_links.c.connection_id == connection_id)
        .order_by(connection_links.c.created_at.desc(), connection_links.c.id)
    )
    return rows.every(db, query, _row)


def _update(db: Database | Connection, link_id: str, **values: object) -> LinkRow:
    return rows.update_by_id(db, connection_links, link_id, values, LinkNotFound(link_id), get_link)


def revoke_link(db: Database | Connection, link_id: str, now: datetime | None = None) -> LinkRow:
    """Revoke at once (a link already revoked keeps its first revocation time)."""
    with transaction(db) as conn:
        current = get_link(conn, link_id)
        if current.revoked_at is not None:
            return current
        return _update(conn, link_id, revoked_at=now or datetime.now(UTC))


def set_consent(db: Database | Connection, link_id: str, consent_id: str) -> LinkRow:
    return _update(db, link_id, consent_id=consent_id)


def mark_revealed(db: Database | Connection, link_id: str, now: datetime) -> LinkRow:
    return _update(db, link_id, revealed_at=now)

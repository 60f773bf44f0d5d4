"""REST API keys: created once (plaintext shown once), stored as argon2id hashes, revocable,
either admin keys or scoped to named companies (issue 19).

A key is ``qbdk_<prefix>_<secret>``; the prefix (stored in clear, unique) finds the row and
the whole key is checked against the hash. An admin key (``company_ids`` ``None``) reaches
every company and manages keys; a scoped key reaches only the companies it names (a company
deleted later drops out of its scope: it never widens to admin).
Must not: know about HTTP headers or decide what a route lets a key do (``connector.api.deps``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from connector import secrets
from connector.store.companies import get_company
from connector.store.db import Database, transaction
from connector.store.errors import ApiKeyNotFound, InvalidValue
from connector.store.tables_core import api_key_companies, api_keys

MAX_SCOPED_COMPANIES = 1000


@dataclass(frozen=True)
class ApiKeyRow:
    id: str
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    company_ids: tuple[str, ...] | None = None
    """``None``: an admin key. Otherwise the ids of the companies the key may reach, sorted."""

    @property
    def is_admin(self) -> bool:
        return self.company_ids is None


def _scope(conn: Connection, key_id: str, scoped: bool) -> tuple[str, ...] | None:
    if not scoped:
        return None
    query = (
        sa.select(api_key_companies.c.company_id)
        .where(api_key_companies.c.key_id == key_id)
        .order_by(api_key_companies.c.company_id)
    )
    return tuple(conn.execute(query).scalars())


def _row(conn: Connection, m: sa.RowMapping) -> ApiKeyRow:
    scope = _scope(conn, m["id"], bool(m["scoped"]))
    return ApiKeyRow(m["id"], m["name"], m["prefix"], m["created_at"], m["revoked_at"], scope)


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or any(ord(c) < 32 or c == "\x7f" for c in name):
        raise InvalidValue("an API key name must be 1 to 200 characters, none of them control")
    return name


def create_api_key(
    db: Database | Connection,
    name: str = "default",
    *,
    companies: Sequence[str] | None = None,
    now: datetime | None = None,
) -> tuple[ApiKeyRow, str]:
    """A new key: the row and the plaintext, which is not stored and cannot be shown again.

    ``companies`` (ids or names) scopes the key to them; ``None`` makes an admin key. An
    unknown company raises ``CompanyNotFound`` and creates nothing."""
    name = _clean_name(name)
    if companies is not None and not 1 <= len(companies) <= MAX_SCOPED_COMPANIES:
        raise InvalidValue(f"a scoped key names 1 to {MAX_SCOPED_COMPANIES} companies")
    plaintext, prefix = secrets.new_api_key()
    key_id = str(uuid.uuid4())
    values = {
        "id": key_id,
        "name": name,
        "prefix": prefix,
        "key_hash": secrets.hash_secret(plaintext),
        "created_at": now or datetime.now(UTC),
        "revoked_at": None,
        "scoped": companies is not None,
    }
    with transaction(db) as conn:
        ids = sorted({get_company(conn, c).id for c in companies or ()})
        conn.execute(api_keys.insert().values(**values))
        if ids:
            conn.execute(
                api_key_companies.insert(), [{"key_id": key_id, "company_id": c} for c in ids]
            )
        return get_api_key(conn, key_id), plaintext


def verify_api_key(db: Database | Connection, key: str) -> ApiKeyRow | None:
    """The live key row ``key`` belongs to, or ``None`` (malformed, unknown, revoked, wrong)."""
    prefix = secrets.api_key_prefix(key)
    if prefix is None:
        return None
    with transaction(db, write=False) as conn:
        found = conn.execute(sa.select(api_keys).where(api_keys.c.prefix == prefix)).mappings()
        first = found.first()
        if first is None:
            secrets.burn_verification(key)
            return None
        if not secrets.verify_secret(first["key_hash"], key) or first["revoked_at"] is not None:
            return None
        return _row(conn, first)


def get_api_key(db: Database | Connection, key_id: str) -> ApiKeyRow:
    with transaction(db, write=False) as conn:
        first = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
        if first is None:
            raise ApiKeyNotFound(key_id)
        return _row(conn, first)


def find_api_key(db: Database | Connection, id_name_or_prefix: str) -> ApiKeyRow:
    """The key with this id, else this prefix (``qbdk_<prefix>`` or a whole key works too),
    else this name. A name several live keys share is refused (``InvalidValue`` naming their
    prefixes) rather than guessed; among keys of one name only the live one counts."""
    text = id_name_or_prefix.strip()
    parts = text.split("_")
    prefix = parts[1] if len(parts) >= 2 and parts[0] == secrets.API_KEY_PREFIX else text
    with transaction(db, write=False) as conn:
        for column, value in ((api_keys.c.id, text), (api_keys.c.prefix, prefix)):
            first = conn.execute(sa.select(api_keys).where(column == value)).mappings().first()
            if first is not None:
                return _row(conn, first)
        named = list(conn.execute(sa.select(api_keys).where(api_keys.c.name == text)).mappings())
        live = [m for m in named if m["revoked_at"] is None] or named
        if len(live) > 1:
            prefixes = ", ".join(sorted(m["prefix"] for m in live))
            raise InvalidValue(f"several API keys are named {text!r}: use a prefix ({prefixes})")
        if not live:
            raise ApiKeyNotFound(text)
        return _row(conn, live[0])


def revoke_api_key(
    db: Database | Connection, key_id: str, *, now: datetime | None = None
) -> ApiKeyRow:
    """Revoke a key (idempotent: the first revocation time is kept)."""
    with transaction(db) as conn:
        conn.execute(
            api_keys.update()
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now or datetime.now(UTC))
        )
        return get_api_key(conn, key_id)


def list_api_keys(db: Database | Connection) -> list[ApiKeyRow]:
    with transaction(db, write=False) as conn:
        query = sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
        return [_row(conn, m) for m in conn.execute(query).mappings()]

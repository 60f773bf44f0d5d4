"""REST API keys: created once (plaintext shown once), stored as argon2id hashes, revocable.

A key is ``qbdk_<prefix>_<secret>``; the prefix (stored in clear, unique) finds the row and
the whole key is checked against the hash. Must not: know about HTTP headers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from connector import secrets
from connector.store.db import Database, transaction
from connector.store.errors import InvalidValue, NotFound
from connector.store.tables_core import api_keys


@dataclass(frozen=True)
class ApiKeyRow:
    id: str
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def _row(m: sa.RowMapping) -> ApiKeyRow:
    return ApiKeyRow(m["id"], m["name"], m["prefix"], m["created_at"], m["revoked_at"])


def create_api_key(
    db: Database | Connection, name: str = "default", *, now: datetime | None = None
) -> tuple[ApiKeyRow, str]:
    """A new key: the row and the plaintext, which is not stored and cannot be shown again."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidValue("an API key name must be 1 to 200 characters")
    plaintext, prefix = secrets.new_api_key()
    row = ApiKeyRow(str(uuid.uuid4()), name, prefix, now or datetime.now(UTC), None)
    values = {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "key_hash": secrets.hash_secret(plaintext),
        "created_at": row.created_at,
        "revoked_at": None,
    }
    with transaction(db) as conn:
        conn.execute(api_keys.insert().values(**values))
    return row, plaintext


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
    return _row(first)


def get_api_key(db: Database | Connection, key_id: str) -> ApiKeyRow:
    with transaction(db, write=False) as conn:
        first = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
    if first is None:
        raise NotFound(f"no API key {key_id!r}")
    return _row(first)


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
        return [_row(m) for m in conn.execute(query).mappings()]

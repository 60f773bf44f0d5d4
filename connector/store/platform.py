"""The platform's settings: whether the QuickBooks Desktop integration is on, and branding.

Owns: the one ``platform_settings`` row (no row = the defaults: integration on, so the CLI,
``demo`` and deployments from before the portal keep working; no branding) and the logo
bytes. Must not: validate branding (``connector.portal.branding`` does, purely) or know
HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connector.store import rows
from connector.store.db import Database, transaction
from connector.store.tables_portal import platform_settings

ROW_ID = "platform"


@dataclass(frozen=True)
class Logo:
    content_type: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class Branding:
    """What the business sees: ``None`` fields fall back to the service's own defaults."""

    app_name: str | None = None
    description: str | None = None
    support_url: str | None = None
    accent_color: str | None = None
    logo_type: str | None = None
    logo_sha256: str | None = None


@dataclass(frozen=True)
class PlatformSettings:
    integration_enabled: bool = True
    allow_writes: bool = False
    branding: Branding = Branding()
    updated_at: datetime | None = None
    public_url: str | None = None
    """The base URL ``serve`` last ran with (``None`` before any did)."""


def get_platform(db: Database | Connection) -> PlatformSettings:
    query = sa.select(*(c for c in platform_settings.c if c.name != "logo_data")).where(
        platform_settings.c.id == ROW_ID
    )
    return rows.first(db, query, _settings) or PlatformSettings()


def _settings(row: sa.RowMapping) -> PlatformSettings:
    return rows.from_row(
        PlatformSettings,
        row,
        integration_enabled=bool(row["integration_enabled"]),
        allow_writes=bool(row["allow_writes"]),
        branding=rows.from_row(Branding, row),
    )


def get_logo(db: Database | Connection) -> Logo | None:
    query = sa.select(
        platform_settings.c.logo_type,
        platform_settings.c.logo_data,
        platform_settings.c.logo_sha256,
    ).where(platform_settings.c.id == ROW_ID)
    with transaction(db, write=False) as conn:
        row = conn.execute(query).first()
    if row is None or row.logo_data is None:
        return None
    return Logo(row.logo_type, bytes(row.logo_data), row.logo_sha256)


def _write(conn: Connection, values: dict[str, Any]) -> None:
    """Create the row with the defaults if none is there, then update it: two services
    starting side by side on one PostgreSQL both reach here at once (``INSERT ... ON
    CONFLICT DO NOTHING`` keeps the loser from failing on the primary key)."""
    defaults = PlatformSettings()
    create: Any = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(
        platform_settings
    )
    conn.execute(
        create.values(
            id=ROW_ID,
            integration_enabled=defaults.integration_enabled,
            allow_writes=defaults.allow_writes,
            updated_at=values.get("updated_at", datetime.now(UTC)),
        ).on_conflict_do_nothing()
    )
    conn.execute(
        platform_settings.update().where(platform_settings.c.id == ROW_ID).values(**values)
    )


KEEP_LOGO = object()
"""``save_branding(logo=KEEP_LOGO)`` leaves the stored logo as it is (``None`` removes it)."""


def save_branding(
    db: Database | Connection,
    branding: Branding,
    *,
    logo: Logo | object | None = KEEP_LOGO,
    now: datetime | None = None,
) -> PlatformSettings:
    values: dict[str, Any] = {
        "app_name": branding.app_name,
        "description": branding.description,
        "support_url": branding.support_url,
        "accent_color": branding.accent_color,
        "updated_at": now or datetime.now(UTC),
    }
    if logo is None or isinstance(logo, Logo):
        values["logo_type"] = logo.content_type if logo else None
        values["logo_data"] = logo.data if logo else None
        values["logo_sha256"] = logo.sha256 if logo else None
    with transaction(db) as conn:
        _write(conn, values)
        return get_platform(conn)


def save_integration(
    db: Database | Connection,
    *,
    enabled: bool,
    allow_writes: bool | None = None,
    now: datetime | None = None,
) -> PlatformSettings:
    values: dict[str, Any] = {
        "integration_enabled": enabled,
        "updated_at": now or datetime.now(UTC),
    }
    if allow_writes is not None:
        values["allow_writes"] = allow_writes
    with transaction(db) as conn:
        _write(conn, values)
        return get_platform(conn)


def save_public_url(db: Database | Connection, url: str) -> None:
    """Record the base URL the service runs under (``serve``, at start); the settings' own
    ``updated_at`` (what the platform last changed) stays as it is."""
    with transaction(db) as conn:
        _write(conn, {"public_url": url})

"""Core tables: companies, their Web Connector connections, and REST API keys (admin or
scoped to named companies).

Also what every ``tables_*`` module should use: the column types ``UTCDateTime`` (aware UTC
datetimes on both backends) and ``JSONValue`` (JSON where Python ``None`` is SQL NULL),
``keyed_table`` (a table keyed by a UUID ``id``) and ``cascade`` (a foreign key that deletes
with its target).
Must not: hold queries (the repository modules ``companies``, ``connections``, ``api_keys`` do).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from connector.store.base import metadata


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime. SQLite keeps no offset, so values are stored as naive
    UTC there and given back aware; PostgreSQL uses ``timestamptz``. Naive input is refused."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def JSONValue() -> sa.JSON:
    """JSON column where Python ``None`` is stored as SQL NULL (not the JSON ``null``)."""
    return sa.JSON(none_as_null=True)


class ConnectionMethod(enum.StrEnum):
    """How the company's QuickBooks reaches us (DESIGN.md): our agent on a desktop, or
    Intuit's Web Connector on a hosted QuickBooks."""

    DESKTOP_APP = "desktop_app"
    ENTERPRISE_CLOUD = "enterprise_cloud"
    RIGHTWORKS = "rightworks"


def _enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


def keyed_table(name: str, *items: sa.schema.SchemaItem) -> sa.Table:
    """A table on the store's ``metadata`` whose primary key is ``id``, a UUID as text, then
    ``items`` (its other columns, constraints and indexes)."""
    return sa.Table(name, metadata, sa.Column("id", sa.String(36), primary_key=True), *items)


def cascade(target: str) -> sa.ForeignKey:
    """A foreign key to ``target`` (``"table.column"``) whose row's deletion deletes this one."""
    return sa.ForeignKey(target, ondelete="CASCADE")


companies = keyed_table(
    "companies",
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_companies_created_at_id", "created_at", "id"),
)

connections = keyed_table(
    "connections",
    sa.Column("company_id", sa.String(36), cascade("companies.id"), nullable=False, index=True),
    sa.Column(
        "method",
        sa.Enum(
            ConnectionMethod,
            name="connection_method",
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=_enum_values,
            validate_strings=True,
        ),
        nullable=False,
    ),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("owner_id", sa.String(38), nullable=False),
    sa.Column("file_id", sa.String(38), nullable=False, unique=True),
    sa.Column("paused", sa.Boolean(), nullable=False, default=False),
    sa.Column("schedule_every_minutes", sa.Integer(), nullable=False),
    sa.Column("sync_window", JSONValue(), nullable=True),
    sa.Column("bound_company", JSONValue(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

api_keys = keyed_table(
    "api_keys",
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(255), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    # False: an admin key (every company, key management). True: only the companies listed in
    # api_key_companies; a scoped key whose companies were all deleted sees none, it never
    # becomes an admin key (issue 19).
    sa.Column("scoped", sa.Boolean(), nullable=False, server_default=sa.false()),
)

api_key_companies = sa.Table(
    "api_key_companies",
    metadata,
    sa.Column("key_id", sa.String(36), cascade("api_keys.id"), primary_key=True),
    sa.Column("company_id", sa.String(36), cascade("companies.id"), primary_key=True, index=True),
)

ALL: tuple[Any, ...] = (companies, connections, api_keys, api_key_companies)

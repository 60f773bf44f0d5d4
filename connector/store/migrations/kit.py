"""What the revisions in ``versions/`` share: the id, timestamp and row-id column types; the
named primary keys, unique constraints and cascading foreign keys their ``create_table``
calls repeat; tables keyed by a UUID ``id`` (``create_keyed_table``); runs of columns of
one type and nullability (``required``, ``optional``); the one table two revisions create
(``create_webhooks_0003``). A type is one shared instance, as in
``tables_sync`` (SQLAlchemy types hold no per-column state); a constraint is made new at each
call (it belongs to one table).

Frozen: a released revision must keep creating exactly the schema it created when it was
released, so never change what a helper here emits (its type, name or options); when a new
revision needs something else, add a new helper. ``tests/store/test_migration_ddl.py`` fails
when a revision runs other statements than those of its snapshot.

Revisions set only ``revision`` and ``down_revision``: Alembic reads ``branch_labels`` and
``depends_on`` as ``None`` where a revision leaves them out.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import sqlalchemy as sa
from alembic import op

ID = sa.String(36)
"""A row's id or a reference to one: a UUID as text."""
TZ = sa.DateTime(timezone=True)
"""A timestamp with time zone (``timestamptz`` on PostgreSQL)."""
ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A 64-bit row id; SQLite only auto-increments an INTEGER PRIMARY KEY."""

ColumnType: TypeAlias = sa.types.TypeEngine[Any] | type[sa.types.TypeEngine[Any]]
"""What ``sa.Column`` takes as a type: an instance, or a class it instantiates."""


def required(type_: ColumnType, *names: str) -> list[sa.Column[Any]]:
    """``NOT NULL`` columns ``names`` (in that order), all of ``type_``."""
    return [sa.Column(name, type_, nullable=False) for name in names]


def optional(type_: ColumnType, *names: str) -> list[sa.Column[Any]]:
    """Nullable columns ``names`` (in that order), all of ``type_``."""
    return [sa.Column(name, type_, nullable=True) for name in names]


def cascade(target: str) -> sa.ForeignKey:
    """An unnamed column-level foreign key to ``target`` (``"table.column"``) whose row's
    deletion deletes this one (the database names it: 0003, 0004)."""
    return sa.ForeignKey(target, ondelete="CASCADE")


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key ``pk_<table>`` on ``columns`` (``id`` when none are given)."""
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def unique(table: str, column: str) -> sa.UniqueConstraint:
    """The unique constraint ``uq_<table>_<column>`` on one column."""
    return sa.UniqueConstraint(column, name=op.f(f"uq_{table}_{column}"))


def cascade_fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """The foreign key ``fk_<table>_<column>_<target>`` from ``table.column`` to
    ``target.id``; deleting the target row deletes this one."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def create_keyed_table(table: str, *items: sa.schema.SchemaItem) -> None:
    """``op.create_table`` of a table whose first column is ``id`` (``ID``, primary key
    ``pk_<table>``), then ``items`` (its other columns and constraints)."""
    op.create_table(table, sa.Column("id", ID, nullable=False), *items, pk(table))


def create_webhooks_0003() -> None:
    """The ``webhooks`` table as ``0003_sync`` created it (never written to; ``0011_webhooks``
    replaces it, and its downgrade puts this shape back)."""
    op.create_table(
        "webhooks",
        sa.Column("id", ID, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )

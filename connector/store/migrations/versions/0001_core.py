"""Core tables: companies, connections, api_keys."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0001_core"
down_revision = None

METHODS = ("desktop_app", "enterprise_cloud", "rightworks")


def upgrade() -> None:
    kit.create_keyed_table(
        "companies",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", kit.TZ, nullable=False),
        kit.unique("companies", "name"),
    )
    op.create_index("ix_companies_created_at_id", "companies", ["created_at", "id"])
    kit.create_keyed_table(
        "connections",
        sa.Column("company_id", kit.ID, nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                *METHODS,
                name="connection_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        *kit.required(sa.String(38), "owner_id", "file_id"),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("schedule_every_minutes", sa.Integer(), nullable=False),
        *kit.optional(sa.JSON(), "sync_window", "bound_company"),
        sa.Column("created_at", kit.TZ, nullable=False),
        kit.cascade_fk("connections", "company_id", "companies"),
        kit.unique("connections", "username"),
        kit.unique("connections", "file_id"),
    )
    op.create_index(op.f("ix_connections_company_id"), "connections", ["company_id"])
    kit.create_keyed_table(
        "api_keys",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(255), nullable=False),
        sa.Column("created_at", kit.TZ, nullable=False),
        sa.Column("revoked_at", kit.TZ, nullable=True),
        kit.unique("api_keys", "prefix"),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_connections_company_id"), table_name="connections")
    op.drop_table("connections")
    op.drop_index("ix_companies_created_at_id", table_name="companies")
    op.drop_table("companies")

"""Platform side: settings and branding, link-flow links, consents, web sessions, connection
activity (``connector.store.tables_portal``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0005_portal"
down_revision = "0004_inbox"


def upgrade() -> None:
    op.create_table(
        "platform_settings",
        sa.Column("id", sa.String(16), nullable=False),
        *kit.required(sa.Boolean(), "integration_enabled", "allow_writes"),
        sa.Column("app_name", sa.String(80), nullable=True),
        sa.Column("description", sa.String(200), nullable=True),
        sa.Column("support_url", sa.String(500), nullable=True),
        sa.Column("accent_color", sa.String(7), nullable=True),
        sa.Column("logo_type", sa.String(32), nullable=True),
        sa.Column("logo_data", sa.LargeBinary(), nullable=True),
        sa.Column("logo_sha256", sa.String(64), nullable=True),
        sa.Column("updated_at", kit.TZ, nullable=False),
        kit.pk("platform_settings"),
    )
    kit.create_keyed_table(
        "connection_links",
        *kit.required(kit.ID, "company_id", "connection_id"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        *kit.required(kit.TZ, "created_at", "expires_at"),
        sa.Column("revoked_at", kit.TZ, nullable=True),
        sa.Column("consent_id", kit.ID, nullable=True),
        sa.Column("revealed_at", kit.TZ, nullable=True),
        kit.cascade_fk("connection_links", "company_id", "companies"),
        kit.cascade_fk("connection_links", "connection_id", "connections"),
        kit.unique("connection_links", "token_hash"),
    )
    op.create_index("ix_connection_links_company_id", "connection_links", ["company_id"])
    op.create_index("ix_connection_links_connection_id", "connection_links", ["connection_id"])
    kit.create_keyed_table(
        "consents",
        sa.Column("company_id", kit.ID, nullable=False),
        *kit.optional(kit.ID, "connection_id", "link_id"),
        sa.Column("wording_version", sa.String(32), nullable=False),
        sa.Column("app_name", sa.String(80), nullable=False),
        *kit.required(sa.JSON(none_as_null=True), "data_types", "reports", "writes"),
        sa.Column("agreed_at", kit.TZ, nullable=False),
        sa.Column("agreed_from", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(300), nullable=False),
        sa.Column("withdrawn_at", kit.TZ, nullable=True),
        sa.Column("withdrawn_from", sa.String(64), nullable=True),
        sa.Column("delete_requested", sa.Boolean(), nullable=False),
        sa.Column("records_deleted_at", kit.TZ, nullable=True),
        kit.cascade_fk("consents", "company_id", "companies"),
    )
    op.create_index("ix_consents_company_id", "consents", ["company_id"])
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("subject", kit.ID, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        *kit.required(kit.TZ, "created_at", "expires_at"),
        kit.pk("web_sessions", "id_hash"),
    )
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_table(
        "connection_activity",
        sa.Column("connection_id", kit.ID, nullable=False),
        *kit.required(kit.TZ, "first_authenticated_at", "last_authenticated_at"),
        kit.cascade_fk("connection_activity", "connection_id", "connections"),
        kit.pk("connection_activity", "connection_id"),
    )


def downgrade() -> None:
    op.drop_table("connection_activity")
    op.drop_index("ix_web_sessions_expires_at", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index("ix_consents_company_id", table_name="consents")
    op.drop_table("consents")
    op.drop_index("ix_connection_links_connection_id", table_name="connection_links")
    op.drop_index("ix_connection_links_company_id", table_name="connection_links")
    op.drop_table("connection_links")
    op.drop_table("platform_settings")

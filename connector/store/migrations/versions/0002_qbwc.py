"""Web Connector area: sessions by ticket, auth failures (lockout), connection locks."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0002_qbwc"
down_revision = "0001_core"


def upgrade() -> None:
    op.create_table(
        "qbwc_sessions",
        sa.Column("ticket", sa.String(64), nullable=False),
        *kit.required(kit.ID, "connection_id", "company_id"),
        sa.Column("phase", sa.String(32), nullable=False),
        *kit.required(kit.TZ, "created_at", "updated_at", "expires_at"),
        *kit.required(sa.Integer(), "ttl_seconds", "max_noops"),
        sa.Column("has_work", sa.Boolean(), nullable=False),
        sa.Column("auth_path", sa.Text(), nullable=False),
        sa.Column("qbxml_version", sa.String(16), nullable=True),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("company_file", sa.Text(), nullable=False),
        *kit.required(sa.Boolean(), "began", "ended"),
        *kit.required(sa.Integer(), "requests_sent", "responses_received", "last_percent"),
        sa.Column("last_response_digest", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        *kit.required(sa.Integer(), "noop_count", "connection_errors"),
        sa.Column("hresult", sa.String(32), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("lock_seq", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(64), nullable=True),
        sa.Column("claim_expires_at", kit.TZ, nullable=True),
        kit.cascade_fk("qbwc_sessions", "connection_id", "connections"),
        kit.pk("qbwc_sessions", "ticket"),
    )
    op.create_index(
        "ix_qbwc_sessions_connection_phase", "qbwc_sessions", ["connection_id", "phase"]
    )
    op.create_index("ix_qbwc_sessions_expires_at", "qbwc_sessions", ["expires_at"])
    op.create_table(
        "qbwc_auth_failures",
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        *kit.required(kit.TZ, "first_failure_at", "last_failure_at"),
        *kit.optional(kit.TZ, "next_attempt_at", "locked_until"),
        kit.pk("qbwc_auth_failures", "username"),
    )
    op.create_table(
        "qbwc_connection_locks",
        sa.Column("connection_id", kit.ID, nullable=False),
        sa.Column("lock_seq", sa.Integer(), nullable=False),
        sa.Column("last_ticket", sa.String(64), nullable=True),
        kit.cascade_fk("qbwc_connection_locks", "connection_id", "connections"),
        kit.pk("qbwc_connection_locks", "connection_id"),
    )


def downgrade() -> None:
    op.drop_table("qbwc_connection_locks")
    op.drop_table("qbwc_auth_failures")
    op.drop_index("ix_qbwc_sessions_expires_at", table_name="qbwc_sessions")
    op.drop_index("ix_qbwc_sessions_connection_phase", table_name="qbwc_sessions")
    op.drop_table("qbwc_sessions")

"""Webhooks that can sign (the secret itself, not a hash), company scope, and the delivery
queue/log (issue 19, ``connector.store.tables_webhooks``).

The 0003 ``webhooks`` table was never written to (no route or command made one), so it is
replaced rather than altered; downgrade puts the 0003 shape back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0011_webhooks"
down_revision = "0010_public_url"


def upgrade() -> None:
    op.drop_table("webhooks")
    kit.create_keyed_table(
        "webhooks",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("company_ids", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("created_by", kit.ID, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", kit.TZ, nullable=False),
    )
    kit.create_keyed_table(
        "webhook_deliveries",
        sa.Column("webhook_id", kit.ID, nullable=False),
        sa.Column("event_id", kit.ID, nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("company_id", kit.ID, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", kit.TZ, nullable=False),
        sa.Column("claim_token", sa.String(36), nullable=True),
        sa.Column("claimed_until", kit.TZ, nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("last_attempt_at", kit.TZ, nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", kit.TZ, nullable=False),
        sa.Column("delivered_at", kit.TZ, nullable=True),
        kit.cascade_fk("webhook_deliveries", "webhook_id", "webhooks"),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_webhook", "webhook_deliveries", ["webhook_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    kit.create_webhooks_0003()

"""Sync area: cursors, records, sync history, outbox, webhooks."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0003_sync"
down_revision = "0002_qbwc"


def upgrade() -> None:
    op.create_table(
        "sync_cursors",
        sa.Column("company_id", kit.ID, kit.cascade("companies.id"), primary_key=True),
        sa.Column("data_type", sa.String(40), primary_key=True),
        sa.Column("watermark", sa.String(40), nullable=True),
        sa.Column("full_done", sa.Boolean, nullable=False),
        sa.Column("run_id", kit.ID, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        *kit.optional(sa.String(64), "iterator_id", "iterator_ticket"),
        sa.Column("remaining", sa.Integer, nullable=True),
        sa.Column("fetched", sa.Integer, nullable=False),
        sa.Column("high_water", sa.String(40), nullable=True),
        *kit.optional(sa.Integer, "min_offset", "max_offset"),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("in_flight_request_id", sa.String(50), nullable=True),
        sa.Column("in_flight_ticket", sa.String(64), nullable=True),
        sa.Column("in_flight_request", sa.Text, nullable=True),
        *kit.required(sa.Integer, "attempts", "restarts"),
        sa.Column("last_swept_at", kit.TZ, nullable=True),
        sa.Column("updated_at", kit.TZ, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", kit.ROWID, primary_key=True, autoincrement=True),
        sa.Column("company_id", kit.ID, kit.cascade("companies.id"), nullable=False),
        sa.Column("data_type", sa.String(40), nullable=False),
        *kit.required(sa.String(64), "qb_id", "ret"),
        sa.Column("time_modified", sa.String(40), nullable=True),
        sa.Column("time_modified_utc", kit.TZ, nullable=True),
        sa.Column("edit_sequence", sa.String(32), nullable=True),
        *kit.required(sa.Text, "data", "normalised"),
        sa.Column("deleted_at", kit.TZ, nullable=True),
        *kit.required(kit.TZ, "created_at", "updated_at"),
        sa.UniqueConstraint(
            "company_id", "data_type", "qb_id", name="uq_records_company_type_qb_id"
        ),
    )
    op.create_index(
        "ix_records_company_type_modified",
        "records",
        ["company_id", "data_type", "time_modified_utc"],
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", kit.ID, primary_key=True),
        sa.Column("company_id", kit.ID, kit.cascade("companies.id"), nullable=False),
        sa.Column("connection_id", kit.ID, nullable=True),
        sa.Column("ticket", sa.String(64), nullable=True),
        *kit.required(sa.String(16), "status", "kind"),
        sa.Column("data_types", sa.JSON, nullable=False),
        sa.Column("requested_types", sa.JSON, nullable=True),
        sa.Column("created_at", kit.TZ, nullable=False),
        *kit.optional(kit.TZ, "started_at", "ended_at"),
        sa.Column("summary", sa.Text, nullable=True),
    )
    op.create_index("ix_sync_runs_ticket", "sync_runs", ["ticket"])
    op.create_index("ix_sync_runs_company_created", "sync_runs", ["company_id", "created_at"])
    op.create_table(
        "sync_run_types",
        sa.Column("run_id", kit.ID, kit.cascade("sync_runs.id"), primary_key=True),
        sa.Column("data_type", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        *kit.required(
            sa.Integer, "fetched", "created", "updated", "unchanged", "deleted", "errors"
        ),
    )
    op.create_table(
        "sync_run_errors",
        sa.Column("id", kit.ROWID, primary_key=True, autoincrement=True),
        sa.Column("run_id", kit.ID, kit.cascade("sync_runs.id"), nullable=False),
        sa.Column("data_type", sa.String(40), nullable=True),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("hresult", sa.String(12), nullable=True),
        sa.Column("status_class", sa.String(32), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("at", kit.TZ, nullable=False),
    )
    op.create_index("ix_sync_run_errors_run", "sync_run_errors", ["run_id"])
    op.create_table(
        "outbox",
        sa.Column("id", kit.ID, primary_key=True),
        sa.Column("company_id", kit.ID, kit.cascade("companies.id"), nullable=False),
        sa.Column("data_type", sa.String(40), nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_set_id", sa.String(24), nullable=True),
        sa.Column("request_id", sa.String(50), nullable=True),
        sa.Column("result_qb_id", sa.String(64), nullable=True),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        *kit.required(kit.TZ, "created_at", "updated_at"),
        sa.UniqueConstraint("company_id", "idempotency_key", name="uq_outbox_company_idempotency"),
    )
    op.create_index("ix_outbox_company_status", "outbox", ["company_id", "status"])
    kit.create_webhooks_0003()


def downgrade() -> None:
    for name in (
        "webhooks",
        "outbox",
        "sync_run_errors",
        "sync_run_types",
        "sync_runs",
        "records",
        "sync_cursors",
    ):
        op.drop_table(name)

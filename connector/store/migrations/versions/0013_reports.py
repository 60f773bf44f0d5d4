"""Financial reports taken from QuickBooks and the report requests waiting for a session
(issue 17, ``connector.store.tables_reports``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0013_reports"
down_revision = "0012_cursor_page_size"


def _asked(*after_basis: sa.Column[Any]) -> list[sa.Column[Any]]:
    """The columns both tables start with after the id: the company, the report (type and
    basis, then ``after_basis``) and its dates."""
    return [
        sa.Column("company_id", kit.ID, nullable=False),
        sa.Column("report_type", sa.String(40), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        *after_basis,
        *kit.optional(sa.Date(), "from_date", "to_date", "as_of"),
    ]


def upgrade() -> None:
    kit.create_keyed_table(
        "reports",
        *_asked(sa.Column("period_key", sa.String(60), nullable=False)),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("taken_at", kit.TZ, nullable=False),
        kit.cascade_fk("reports", "company_id", "companies"),
        sa.UniqueConstraint(
            "company_id", "report_type", "basis", "period_key", name="uq_reports_key"
        ),
    )
    op.create_index("ix_reports_latest", "reports", ["company_id", "report_type", "taken_at"])
    kit.create_keyed_table(
        "report_requests",
        *_asked(),
        sa.Column("by_month", sa.Boolean(), nullable=False),
        *kit.required(sa.String(16), "origin", "status"),
        sa.Column("ticket", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(50), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("created_at", kit.TZ, nullable=False),
        sa.Column("answered_at", kit.TZ, nullable=True),
        kit.cascade_fk("report_requests", "company_id", "companies"),
    )
    op.create_index(
        "ix_report_requests_open", "report_requests", ["company_id", "status", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_report_requests_open", table_name="report_requests")
    op.drop_table("report_requests")
    op.drop_index("ix_reports_latest", table_name="reports")
    op.drop_table("reports")

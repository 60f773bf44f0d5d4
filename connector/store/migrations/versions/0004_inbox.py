"""Sync inbox: responses stored on arrival and applied behind the Web Connector; an index
for the REST API's record pages (company, data type, row id).

Revision ID: 0004_inbox
Revises: 0003_sync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_inbox"
down_revision = "0003_sync"
branch_labels = None
depends_on = None

_ROWID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sync_inbox",
        sa.Column("id", _ROWID, primary_key=True, autoincrement=True),
        sa.Column(
            "company_id",
            sa.String(36),
            sa.ForeignKey("companies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("data_type", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(50), nullable=False),
        sa.Column("qbxml_version", sa.String(8), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sync_inbox_company", "sync_inbox", ["company_id", "id"])
    op.create_index("ix_records_company_type_id", "records", ["company_id", "data_type", "id"])


def downgrade() -> None:
    op.drop_index("ix_records_company_type_id", table_name="records")
    op.drop_index("ix_sync_inbox_company", table_name="sync_inbox")
    op.drop_table("sync_inbox")

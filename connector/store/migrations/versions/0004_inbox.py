"""Sync inbox: responses stored on arrival and applied behind the Web Connector; an index
for the REST API's record pages (company, data type, row id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0004_inbox"
down_revision = "0003_sync"


def upgrade() -> None:
    op.create_table(
        "sync_inbox",
        sa.Column("id", kit.ROWID, primary_key=True, autoincrement=True),
        sa.Column("company_id", kit.ID, kit.cascade("companies.id"), nullable=False),
        sa.Column("run_id", kit.ID, nullable=False),
        sa.Column("data_type", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(50), nullable=False),
        sa.Column("qbxml_version", sa.String(8), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", kit.TZ, nullable=False),
    )
    op.create_index("ix_sync_inbox_company", "sync_inbox", ["company_id", "id"])
    op.create_index("ix_records_company_type_id", "records", ["company_id", "data_type", "id"])


def downgrade() -> None:
    op.drop_index("ix_records_company_type_id", table_name="records")
    op.drop_index("ix_sync_inbox_company", table_name="sync_inbox")
    op.drop_table("sync_inbox")

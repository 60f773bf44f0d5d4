"""A report's rows stored in pieces (issue 12, ``tables_reports.report_row_chunks``): a large
company's aged receivables is about 3 MB of JSON rows, which the service held whole, twice,
to store it as one value. Reports stored before keep their rows in ``body``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0016_report_row_chunks"
down_revision = "0015_lz4_texts"


def upgrade() -> None:
    op.create_table(
        "report_row_chunks",
        sa.Column("report_id", kit.ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        kit.pk("report_row_chunks", "report_id", "seq"),
        kit.cascade_fk("report_row_chunks", "report_id", "reports"),
    )


def downgrade() -> None:
    op.drop_table("report_row_chunks")

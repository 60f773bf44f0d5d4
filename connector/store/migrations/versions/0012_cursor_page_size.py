"""Sync cursors: a page size per data type, smaller than the policy's after a page was too
large for the service (issue 18 item 2).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_cursor_page_size"
down_revision = "0011_webhooks"


def upgrade() -> None:
    op.add_column("sync_cursors", sa.Column("page_size", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("sync_cursors", "page_size")

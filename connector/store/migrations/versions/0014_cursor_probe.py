"""Sync cursors: the phase of an incremental run (probe, fetch by ID, catch up) and the
records its probe found new or changed, still to fetch (issue 12: no re-fetch of what is
stored).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_cursor_probe"
down_revision = "0013_reports"


def upgrade() -> None:
    op.add_column("sync_cursors", sa.Column("phase", sa.String(16), nullable=True))
    op.add_column("sync_cursors", sa.Column("pending", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("sync_cursors", "pending")
    op.drop_column("sync_cursors", "phase")

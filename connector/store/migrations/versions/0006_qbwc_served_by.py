"""Web Connector sessions: which service process holds (or last held) each session."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_qbwc_served_by"
down_revision = "0005_portal"


def upgrade() -> None:
    op.add_column("qbwc_sessions", sa.Column("served_by", sa.String(160), nullable=True))


def downgrade() -> None:
    op.drop_column("qbwc_sessions", "served_by")

"""Wrong-password streaks keyed by username and source address (issue 18 item 3).

The rows are short-lived throttling state: the table is recreated with the new key rather
than migrated row by row (a streak in progress during the upgrade starts again from zero).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connector.store.migrations import kit

revision = "0007_auth_failure_source"
down_revision = "0006_qbwc_served_by"


def _create(with_source: bool) -> None:
    key = ["username", "source"] if with_source else ["username"]
    columns = [sa.Column("username", sa.String(255), nullable=False)]
    if with_source:
        columns.append(sa.Column("source", sa.String(64), nullable=False))
    op.create_table(
        "qbwc_auth_failures",
        *columns,
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", kit.TZ, nullable=False),
        sa.Column("last_failure_at", kit.TZ, nullable=False),
        sa.Column("next_attempt_at", kit.TZ, nullable=True),
        sa.Column("locked_until", kit.TZ, nullable=True),
        kit.pk("qbwc_auth_failures", *key),
    )


def upgrade() -> None:
    op.drop_table("qbwc_auth_failures")
    _create(with_source=True)


def downgrade() -> None:
    op.drop_table("qbwc_auth_failures")
    _create(with_source=False)

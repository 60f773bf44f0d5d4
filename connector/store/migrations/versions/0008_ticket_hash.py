"""Web Connector sessions keyed by the SHA-256 of their ticket, never the ticket (issue 18
item 10).

Upgrade converts every stored ticket to its hash (``connector.secrets.ticket_hash``), so a
session in progress during the upgrade goes on: its next call hashes the ticket it presents
and finds its row, and the sync run and cursors it left (``sync_runs.ticket``,
``sync_cursors.iterator_ticket``/``in_flight_ticket``, keyed by what the service hands the
WorkSource, now the hash) still match. Downgrade cannot give tickets back: it deletes the
session rows (each Web Connector starts a new session at its next authenticate) and forgets
the last tickets; the sync tables keep the hashes, which only the ended sessions used.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0008_ticket_hash"
down_revision = "0007_auth_failure_source"


def _hash(ticket: str) -> str:
    """``connector.secrets.ticket_hash`` as of this revision (a migration must not change
    when the code does)."""
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


def _hash_values(table: str, column: str) -> None:
    """Replace every non-null value of ``table.column`` by its hash, one distinct value at a
    time (the tables hold at most a few rows per connection or run)."""
    bind = op.get_bind()
    t = sa.table(table, sa.column(column, sa.String(64)))
    values = bind.execute(sa.select(t.c[column]).where(t.c[column].is_not(None)).distinct())
    for (raw,) in values.all():
        bind.execute(sa.update(t).where(t.c[column] == raw).values({column: _hash(raw)}))


def upgrade() -> None:
    with op.batch_alter_table("qbwc_sessions") as batch:
        batch.alter_column("ticket", new_column_name="ticket_hash", existing_type=sa.String(64))
    with op.batch_alter_table("qbwc_connection_locks") as batch:
        batch.alter_column(
            "last_ticket", new_column_name="last_ticket_hash", existing_type=sa.String(64)
        )
    _hash_values("qbwc_sessions", "ticket_hash")
    _hash_values("qbwc_connection_locks", "last_ticket_hash")
    _hash_values("sync_runs", "ticket")
    _hash_values("sync_cursors", "iterator_ticket")
    _hash_values("sync_cursors", "in_flight_ticket")


def downgrade() -> None:
    op.execute("DELETE FROM qbwc_sessions")
    op.execute("UPDATE qbwc_connection_locks SET last_ticket_hash = NULL")
    with op.batch_alter_table("qbwc_connection_locks") as batch:
        batch.alter_column(
            "last_ticket_hash", new_column_name="last_ticket", existing_type=sa.String(64)
        )
    with op.batch_alter_table("qbwc_sessions") as batch:
        batch.alter_column("ticket_hash", new_column_name="ticket", existing_type=sa.String(64))

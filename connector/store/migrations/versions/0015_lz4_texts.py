"""PostgreSQL: the records' two JSON texts and the inbox's pages compressed with lz4, not
pglz (issue 12). Measured on the PostgreSQL backend's CPU while a medium company's pages
were upserted: 73 us a row with pglz, 48 with lz4, the table 134 MB against 139 MB. Rows
written before keep their compression until rewritten. SQLite, or a PostgreSQL built
without lz4 (or older than 14): nothing to do.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0015_lz4_texts"
down_revision = "0014_cursor_probe"

COLUMNS = (("records", "data"), ("records", "normalised"), ("sync_inbox", "response"))


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(
        text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return found is not None and "lz4" in found


def _set(method: str) -> None:
    if _lz4_available():
        for table, column in COLUMNS:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}')


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("default")

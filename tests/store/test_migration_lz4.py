"""Migration 0015_lz4_texts: on PostgreSQL the large texts are compressed with lz4 (issue 12);
SQLite is untouched; a downgrade gives the columns back their default compression."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from connector.store.db import Database, alembic_config

COLUMNS = {("records", "data"), ("records", "normalised"), ("sync_inbox", "response")}


def _compression(database: Database) -> dict[tuple[str, str], str]:
    """pg_attribute.attcompression of the columns: 'l' lz4, 'p' pglz, '' the default."""
    with database.begin(write=False) as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relname IN ('records', 'sync_inbox') AND c.relnamespace = "
                "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
                "AND a.attname IN ('data', 'normalised', 'response')"
            )
        )
        return {(r[0], r[1]): str(r[2]) for r in rows}


def test_large_texts_use_lz4_on_postgresql_and_default_after_downgrade(db: Database) -> None:
    if db.dialect != "postgresql":  # SQLite: the migration ran, doing nothing
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert db.current_revisions() == {head}
        return
    assert _compression(db) == dict.fromkeys(COLUMNS, "l")
    with db.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0014_cursor_probe")
    assert _compression(db) == dict.fromkeys(COLUMNS, "")

"""Alembic environment: runs the store's migrations on the connection ``Database.migrate()``
passes in (``config.attributes["connection"]``), or on ``QBD_DATABASE_URL`` when run by the
``alembic`` command line. Must not: declare tables (they live in ``connector.store.tables_*``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from connector.store.db import PG_MIGRATION_LOCK_KEY, Database, default_database_url
from connector.store.schema import metadata


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Two instances starting together must not both create the same tables.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY}
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or default_database_url()
    database = Database.from_url(url)
    try:
        with database.begin() as conn:
            _run(conn)
    finally:
        database.dispose()


def run_offline() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or default_database_url()
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

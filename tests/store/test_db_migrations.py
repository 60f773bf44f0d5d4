"""Migrations: upgrade from empty on both backends, idempotent, concurrent, equal to metadata."""

from __future__ import annotations

import subprocess
import sys
import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from connector.store.db import MIGRATIONS_DIR, Database, alembic_config
from connector.store.schema import metadata
from tests.conftest_db import downgrade_to_base


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_the_migrations_are_packaged_with_the_code() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_core.py").is_file()


def test_upgrade_from_empty_reaches_head_and_matches_metadata(database_url: str) -> None:
    database = Database.from_url(database_url)
    try:
        assert database.current_revisions() == set()
        database.migrate()
        assert database.current_revisions() == {_head()}
        with database.begin() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        database.dispose()


def test_migrate_twice_is_a_no_op(db: Database) -> None:
    db.migrate()
    assert db.current_revisions() == {_head()}


MIGRATE = (
    "import sys; from connector.store.db import Database; Database.from_url(sys.argv[1]).migrate()"
)


def test_instances_migrating_at_once_do_not_collide(database_url: str) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE, database_url]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    database = Database.from_url(database_url)
    assert database.current_revisions() == {_head()}
    database.dispose()


def test_threads_migrating_at_once_do_not_collide(database_url: str) -> None:
    errors: list[BaseException] = []

    def migrate() -> None:
        database = Database.from_url(database_url)
        try:
            database.migrate()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_downgrade_to_base_removes_the_core_tables(database_url: str) -> None:
    database = Database.from_url(database_url)
    try:
        database.migrate()
        downgrade_to_base(database)
        with database.begin() as conn:
            names = set(conn.dialect.get_table_names(conn))
        assert not names & {"companies", "connections", "api_keys"}
    finally:
        database.dispose()

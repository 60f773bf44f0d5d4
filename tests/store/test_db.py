"""Database: URLs, SQLite settings, transactions, concurrency across threads and processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from connector.store.companies import create_company, list_companies
from connector.store.db import Database, default_database_url, normalise_url, transaction


def test_default_url_is_a_sqlite_file_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_database_url({}) == f"sqlite:///{tmp_path / 'qbd-connector.db'}"


def test_default_url_follows_the_environment() -> None:
    url = "postgresql+psycopg://u@h/db"
    assert default_database_url({"QBD_DATABASE_URL": f" {url} "}) == url


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        pytest.param("postgresql://u@h/db", "postgresql+psycopg", id="plain-postgresql"),
        pytest.param("postgres://u@h/db", "postgresql+psycopg", id="heroku-postgres"),
        pytest.param("sqlite:///x.db", "sqlite", id="sqlite"),
    ],
)
def test_urls_are_normalised_to_the_drivers_we_ship(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", ""])
def test_unsupported_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(ValueError, match="database"):
        normalise_url(url)


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite_db: Database) -> None:
    with sqlite_db.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_begin_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.begin() as conn:
        create_company(conn, "Rolled Back")
        raise RuntimeError("boom")
    with db.begin() as conn:
        create_company(conn, "Kept")
    assert [c.name for c in list_companies(db)] == ["Kept"]


def test_transaction_reuses_the_callers_connection(db: Database) -> None:
    with db.begin() as conn, transaction(conn) as inner:
        assert inner is conn
    with transaction(db) as own:
        assert own.in_transaction()


def test_foreign_keys_are_enforced(db: Database) -> None:
    from connector.store.tables_core import connections

    row = {
        "id": "x",
        "company_id": "missing",
        "method": "desktop_app",
        "username": "u",
        "password_hash": "h",
        "owner_id": "o",
        "file_id": "f",
        "paused": False,
        "schedule_every_minutes": 60,
        "created_at": datetime.now(UTC),
    }
    with pytest.raises(sa.exc.IntegrityError, match=r"(?i)foreign key"), db.begin() as conn:
        conn.execute(sa.insert(connections).values(**row))


def test_writers_in_many_threads_all_commit(db: Database) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(5):
                with db.begin() as conn:
                    list_companies(conn)  # read first: the classic SQLite upgrade deadlock
                    create_company(conn, f"Thread {n} company {i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(list_companies(db, limit=1000)) == 30


def test_sqlite_writers_of_one_process_queue_at_one_lock_released_after_a_failure(
    sqlite_db: Database,
) -> None:
    # issue 12: threads wait at a lock shared by every Database on the engine, woken at its
    # release, instead of polling SQLite's write lock in sleeps of up to 100 ms
    writer = sqlite_db._writer
    assert writer is not None and Database(sqlite_db.engine)._writer is writer
    with pytest.raises(RuntimeError), sqlite_db.begin():
        raise RuntimeError("the transaction fails")
    taken: list[bool] = []
    other = threading.Thread(target=lambda: taken.append(writer.acquire(blocking=False)))
    other.start()
    other.join()
    assert taken == [True]  # released by the failed transaction (now held by the gone thread)


def test_postgresql_writers_take_no_process_lock() -> None:
    database = Database.from_url("postgresql://nobody@127.0.0.1/none")  # never connects
    assert database._writer is None  # row locks wake their waiters: nothing to queue for
    database.dispose()


WRITER = """
import sys
from connector.store.db import Database
from connector.store.companies import create_company
db = Database.from_url(sys.argv[1])
for i in range(10):
    with db.begin() as conn:
        create_company(conn, f"{sys.argv[2]} {i}")
db.dispose()
"""


def test_writers_in_several_processes_all_commit(db: Database, database_url: str) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, database_url, f"proc{n}"]) for n in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert len(list_companies(db, limit=1000)) == 30


def test_sqlite_reads_do_not_wait_for_a_writer(sqlite_db: Database) -> None:
    create_company(sqlite_db, "Before")
    with sqlite_db.begin() as writer:  # BEGIN IMMEDIATE: holds the write lock
        create_company(writer, "Uncommitted")
        # Would block for the busy timeout, then fail, if reads took the write lock too.
        assert [c.name for c in list_companies(sqlite_db)] == ["Before"]
    assert len(list_companies(sqlite_db)) == 2


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """Issue 18 item 10: it holds password hashes, tickets and the companies' data (was 0644)."""
    path = tmp_path / "private.db"
    umask = os.umask(0o022)  # the usual default, which made it 0644
    try:
        database = Database.from_url(f"sqlite:///{path}")
        database.migrate()
        with database.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
        database.dispose()
    finally:
        os.umask(umask)
    for name in ("private.db", "private.db-wal", "private.db-shm"):
        file = tmp_path / name
        if file.exists():
            assert file.stat().st_mode & 0o777 == 0o600, name


def test_a_forgotten_database_closes_its_pooled_connections(tmp_path: Path) -> None:
    """Python 3.13 warns (an error in our runs) about a sqlite3 connection left open when a
    Database is dropped without ``dispose``; the Database closes them when it is collected."""
    import gc
    import sqlite3

    database = Database.from_url(f"sqlite:///{tmp_path / 'forgotten.db'}")
    with database.begin() as conn:
        raw = conn.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.execute("SELECT 1")  # back in the pool, still open
    del database, conn
    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        raw.execute("SELECT 1")

"""The database handle: one SQLAlchemy 2 Core engine, transactions, and migrations.

Owns: engine creation for SQLite (embedded default) and PostgreSQL (by URL), the SQLite
connection settings (WAL, busy timeout, foreign keys, ``BEGIN IMMEDIATE``), and running the
packaged Alembic migrations programmatically. Must not: hold business rules or rows.

SQLite notes. pysqlite's own transaction handling begins lazily and only on writes, so two
writers that both read first can deadlock into SQLITE_BUSY without waiting; we switch it off
and emit ``BEGIN IMMEDIATE`` ourselves, so a write transaction takes the write lock at once
and a second one waits up to the busy timeout (SQLAlchemy's documented pysqlite recipe).
Read-only work may ask for ``begin(write=False)`` (a deferred ``BEGIN``), which in WAL mode
never blocks nor is blocked by a writer.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

DEFAULT_SQLITE_FILE = "qbd-connector.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Any constant works; it only has to be the same for every instance sharing one database.
PG_MIGRATION_LOCK_KEY = 0x71626463  # "qbdc"
# Alembic keeps its running context in module globals: one migration at a time per process.
_MIGRATE_LOCK = threading.Lock()


def default_database_url(environ: Mapping[str, str] | None = None) -> str:
    """``QBD_DATABASE_URL``, else the SQLite file ``qbd-connector.db`` in the current folder
    (so ``demo``, ``serve`` and ``export`` run in one folder share it; DESIGN.md)."""
    env = os.environ if environ is None else environ
    url = env.get("QBD_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"


def normalise_url(url: str) -> URL:
    """Parse ``url``; plain ``postgresql://`` and ``postgres://`` mean psycopg 3 (the driver
    we ship), not SQLAlchemy's default psycopg2."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise ValueError(f"not a database URL: {url!r}") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite or postgresql")
    return parsed


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")  # a no-op answer "memory" for :memory:
        cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster commits
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600; issue 18 item 10): it holds
    password hashes, tickets and the companies' data. SQLite gives its -wal and -shm files the
    database file's permissions. An existing file is left as its owner set it; any other
    failure (no such folder, no permission) is SQLite's to report, as before."""
    with suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _create_sqlite_engine(url: URL, echo: bool) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory and not url.query.get("uri") and url.database is not None:
        _create_private_file(Path(url.database))
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        # An in-memory database lives in one connection; share it (tests only).
        **({"poolclass": StaticPool} if memory else {}),
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed, echo)
    return create_engine(parsed, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock | None:
    """One lock per SQLite engine that this process's write transactions take before
    ``BEGIN IMMEDIATE``: SQLite has one writer at a time, and a thread that finds the write
    lock taken polls for it in growing sleeps (up to 100 ms each), so under concurrent
    writers a short transaction waited many times its length (issue 12: the p99 of a
    Web Connector call). Waiting here wakes at the release. Other processes still meet at
    SQLite's busy timeout, and past that timeout the transaction goes on to SQLite's."""
    if engine.dialect.name != "sqlite":
        return None
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(engine, threading.RLock())


class Database:
    """One engine and the operations every repository module needs from it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = _writer_lock(engine)

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        """A Database that owns its engine: forgetting it (no ``dispose``) still closes the
        pooled connections, at garbage collection (Python 3.13 warns about every sqlite3
        connection left open, and a test run treats warnings as errors)."""
        engine = create_db_engine(url, echo=echo)
        database = cls(engine)
        weakref.finalize(database, engine.dispose)
        return database

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        """The URL with any password hidden (safe to log)."""
        return self._engine.url.render_as_string(hide_password=True)

    @contextmanager
    def begin(self, *, write: bool = True) -> Iterator[Connection]:
        """A Connection in one transaction: committed on success, rolled back on error.

        ``write=False`` is a hint for read-only work (SQLite: deferred ``BEGIN``).
        """
        writer = self._writer if write else None
        held = writer is not None and writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        try:
            with self._engine.connect() as conn:
                if not write and self.dialect == "sqlite":
                    conn = conn.execution_options(sqlite_begin="DEFERRED")
                with conn.begin():
                    yield conn
        finally:
            if held:
                assert writer is not None
                writer.release()

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to ``revision`` with the packaged Alembic migrations.

        Safe to run from several processes at once: SQLite serialises on the write lock,
        PostgreSQL on an advisory lock taken in ``env.py``.
        """
        from alembic import command

        config = alembic_config()
        with _MIGRATE_LOCK, self.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)

    def current_revisions(self) -> set[str]:
        """The Alembic revisions the database is at (empty before the first migration)."""
        from alembic.migration import MigrationContext

        with self.begin(write=False) as conn:
            return set(MigrationContext.configure(conn).get_current_heads())

    def ping(self) -> None:
        """Run a trivial query; raises when the database does not answer."""
        with self.begin(write=False) as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self._engine.dispose()


def alembic_config() -> Any:
    """An Alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    return config


@contextmanager
def transaction(target: Database | Connection, *, write: bool = True) -> Iterator[Connection]:
    """Repository functions take a Database (own transaction) or a Connection (the caller's).

    Read-only functions pass ``write=False`` so, on SQLite, they never wait for a writer.
    """
    if isinstance(target, Connection):
        yield target
    else:
        with target.begin(write=write) as conn:
            yield conn

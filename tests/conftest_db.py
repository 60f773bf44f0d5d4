"""Database fixtures for every test package (a pytest plugin registered in tests/conftest.py).

- ``backend``: parametrised ``sqlite`` / ``postgresql`` (PostgreSQL: see ``postgres_server_url``).
- ``make_database_url()``: a fresh, empty database URL on the current backend each call: a
  SQLite file under ``tmp_path``, or a new PostgreSQL schema (via ``search_path`` in the URL,
  so other processes given the URL land in it too), dropped at teardown.
- ``database_url``: one such URL. ``db``: a migrated ``Database`` on it (both backends).
- ``sqlite_db``: a migrated SQLite ``Database`` for tests that need no second backend.
- ``postgres_server_url``: the server URL (``QBD_TEST_POSTGRES_URL``) once a connection to it
  works; otherwise ``requirements.missing``: a skip with the reason and how to get a server on a
  developer machine, a failure with ``CI=true`` (no ``psycopg.Error`` becomes a silent skip).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from connector.store.db import Database, alembic_config
from tests.requirements import missing

POSTGRES_HOW = (
    "run PostgreSQL on 127.0.0.1:5432 with a database `test` that user postgres may log in to "
    "without a password (.ci/run provisions one), or set QBD_TEST_POSTGRES_URL"
)
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def _server_url() -> str:
    return os.environ.get("QBD_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _probe_postgres(url: str) -> str | None:
    """``None`` when the server answers, else why not."""
    import psycopg

    parsed = make_url(url)
    try:
        with psycopg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            dbname=parsed.database or "postgres",
            connect_timeout=3,
        ):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL at {parsed.render_as_string(hide_password=True)}: {exc}".strip()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    reason = _probe_postgres(_server_url())
    if reason is not None:
        missing("PostgreSQL", reason, how=POSTGRES_HOW)
    return _server_url()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head per test session; tests get copies (fast)."""
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    database = Database.from_url(f"sqlite:///{path}")
    database.migrate()
    database.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        request.getfixturevalue("postgres_server_url")
    return name


@pytest.fixture
def make_database_url(backend: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    schemas: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{uuid.uuid4().hex[:8]}.db'}"
        schema = f"t_{uuid.uuid4().hex[:16]}"
        _admin(f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        url = make_url(_server_url()).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    yield make
    for schema in schemas:
        _admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _admin(sql: str) -> None:
    database = Database.from_url(_server_url())
    try:
        with database.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        database.dispose()


@pytest.fixture
def database_url(make_database_url: Callable[[], str]) -> str:
    return make_database_url()


@pytest.fixture
def db(backend: str, database_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        shutil.copyfile(template, make_url(database_url).database or "")
    database = Database.from_url(database_url)
    if backend != "sqlite":
        database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, _sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "store.db"
    shutil.copyfile(_sqlite_template, path)
    database = Database.from_url(f"sqlite:///{path}")
    yield database
    database.dispose()


def downgrade_to_base(database: Database) -> None:
    """Run every revision's downgrade on ``database``, in one transaction."""
    from alembic import command

    config = alembic_config()
    with database.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")

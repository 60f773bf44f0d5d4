"""Migration 0008_ticket_hash (issue 18 item 10): the tickets stored before it become their
SHA-256, and a session in progress during the upgrade goes on (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from connector.qbwc.server.service import QbwcService
from connector.qbwc.server.session import UNKNOWN_TICKET, Phase, SessionState
from connector.secrets import ticket_hash
from connector.store import qbwc_sessions as store
from connector.store import sync_runs as runs
from connector.store.db import Database, alembic_config
from tests.qbwc.scripted_work import ScriptedWork, make_connection

BEFORE = "0007_auth_failure_source"
RAW = "0123456789abcdef" * 2
"""A ticket as authenticate issued them (128 random bits, hex)."""


@pytest.fixture
def old_db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    database.migrate(BEFORE)
    yield database
    database.dispose()


def _store_a_live_session_the_old_way(db: Database) -> str:
    """A connection with a session, its lock row and its sync run keyed by the raw ticket;
    returns the connection's id."""
    row, _password = make_connection(db, "Acme")
    now = datetime.now(UTC)
    state = SessionState(
        ticket_hash=RAW,  # the pre-0008 column held the ticket itself
        connection_id=row.id,
        company_id=row.company_id,
        phase=Phase.READY,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(minutes=30),
        ttl_seconds=1800,
        began=True,
    )
    values = store._to_row(state)
    values["ticket"] = values.pop("ticket_hash")
    with db.begin() as conn:
        sessions = sa.Table("qbwc_sessions", sa.MetaData(), autoload_with=conn)
        locks = sa.Table("qbwc_connection_locks", sa.MetaData(), autoload_with=conn)
        conn.execute(sessions.insert().values(**values, lock_seq=0))
        conn.execute(locks.insert().values(connection_id=row.id, lock_seq=0, last_ticket=RAW))
        runs.create_run(
            conn,
            company_id=row.company_id,
            connection_id=row.id,
            ticket=RAW,
            kind="full",
            data_types=["customers"],
            now=now,
        )
    return row.id


def _stored_values(db: Database) -> list[str]:
    with db.begin(write=False) as conn:
        out = []
        for name in ("qbwc_sessions", "qbwc_connection_locks", "sync_runs"):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            for row in conn.execute(sa.select(table)).mappings():
                out += [str(v) for v in row.values()]
    return out


def test_upgrade_hashes_the_stored_tickets_and_the_session_goes_on(old_db: Database) -> None:
    _store_a_live_session_the_old_way(old_db)
    old_db.migrate()
    assert not any(RAW in value for value in _stored_values(old_db))
    with old_db.begin() as conn:
        stored = store.load_session(conn, ticket_hash(RAW))
        run = runs.run_for_ticket(conn, ticket_hash(RAW))
    assert stored is not None and stored.state.phase is Phase.READY
    assert run is not None  # the WorkSource finds its run by the same key
    service = QbwcService(old_db, ScriptedWork())
    assert service.close_connection(RAW) != UNKNOWN_TICKET  # the Web Connector's next call


def test_downgrade_forgets_the_sessions(old_db: Database) -> None:
    connection_id = _store_a_live_session_the_old_way(old_db)
    old_db.migrate()
    config = alembic_config()
    with old_db.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, BEFORE)
    with old_db.begin(write=False) as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM qbwc_sessions")).scalar() == 0
        last = conn.execute(
            sa.text("SELECT last_ticket FROM qbwc_connection_locks WHERE connection_id = :c"),
            {"c": connection_id},
        ).scalar()
    assert last is None

"""Reading and writing Web Connector session rows, auth-failure rows and connection locks.

Owns: the SQL for ``connector.store.tables_qbwc``: session state by ticket hash (row locking:
``SELECT ... FOR UPDATE`` on PostgreSQL, a write lock taken first on SQLite, so two calls for
one ticket serialize across threads, processes and service instances), the per-connection
lock used while authenticate decides, the lease (``claim``) held while the WorkSource works,
and the lockout records.
Must not: decide anything (``connector.qbwc.server``'s ``session`` and ``lockout`` decide)
or import above the store: its values come from ``connector.qbwc_state``.
Every datetime goes in and comes out timezone-aware UTC (SQLite drops the offset). Sessions
are keyed by ``ticket_hash`` (``connector.secrets.ticket_hash``): no ticket is stored, so none
can be read back or logged from here (issue 18 item 10).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connector.qbwc_state import LIVE_PHASES, FailureRecord, Phase, SessionState
from connector.store.tables_qbwc import qbwc_auth_failures, qbwc_connection_locks, qbwc_sessions

_STATE_FIELDS = tuple(f.name for f in fields(SessionState))
_TIME_FIELDS = ("created_at", "updated_at", "expires_at")


def utc(value: datetime) -> datetime:
    """Aware UTC (naive values are taken as UTC, which is how they were stored)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class StoredSession:
    state: SessionState
    claim_token: str | None
    claim_expires_at: datetime | None
    served_by: str | None = None
    """The service process that holds the lease, or held it last (``qbwc.server.holder``)."""


def _to_row(state: SessionState) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(state, name) for name in _STATE_FIELDS}
    row["phase"] = state.phase.value
    for name in _TIME_FIELDS:
        row[name] = utc(row[name])
    return row


def _from_row(row: Any) -> StoredSession:
    data = {name: getattr(row, name) for name in _STATE_FIELDS}
    data["phase"] = Phase(data["phase"])
    for name in _TIME_FIELDS:
        data[name] = utc(data[name])
    claim_expires = row.claim_expires_at
    return StoredSession(
        SessionState(**data),
        row.claim_token,
        None if claim_expires is None else utc(claim_expires),
        row.served_by,
    )


def insert_session(conn: Connection, state: SessionState, *, served_by: str | None = None) -> None:
    conn.execute(insert(qbwc_sessions).values(**_to_row(state), lock_seq=0, served_by=served_by))


_BUMP = (
    update(qbwc_sessions)
    .where(qbwc_sessions.c.ticket_hash == bindparam("key_hash"))
    .values(lock_seq=qbwc_sessions.c.lock_seq + 1)
)
_LOAD = select(qbwc_sessions).where(qbwc_sessions.c.ticket_hash == bindparam("key_hash"))
_BUMP_AND_LOAD = _BUMP.returning(*qbwc_sessions.c)


def load_session(conn: Connection, ticket_hash: str, *, lock: bool = False) -> StoredSession | None:
    """The session whose ticket hashes to ``ticket_hash``; with ``lock`` the row stays locked
    until the transaction ends."""
    key = {"key_hash": ticket_hash}
    # With ``lock``, the UPDATE takes the row lock on PostgreSQL and the database write lock
    # on SQLite *before* anything is read, so no stale read can be upgraded later (SQLite
    # WAL); RETURNING reads the row in the same statement (one round trip, issue 12).
    row = conn.execute(_BUMP_AND_LOAD if lock else _LOAD, key).first()
    return None if row is None else _from_row(row)


_SAVED_COLUMNS = (
    *(n for n in _STATE_FIELDS if n != "ticket_hash"),
    "claim_token",
    "claim_expires_at",
    "served_by",
)
# Built once: a statement with bound parameters is compiled and cached by SQLAlchemy, so a save
# costs parameter binding only (building ~30 ``values()`` per call dominated a SOAP call).
_SAVE = (
    update(qbwc_sessions)
    .where(qbwc_sessions.c.ticket_hash == bindparam("key_hash"))
    .values({name: bindparam(name) for name in _SAVED_COLUMNS})
)


def save_session(
    conn: Connection,
    state: SessionState,
    *,
    claim_token: str | None = None,
    claim_expires_at: datetime | None = None,
    served_by: str | None = None,
) -> None:
    """Write ``state`` back (and set or clear the lease); ``served_by`` is the process
    saving it, which holds the lease or has just served a call."""
    conn.execute(_SAVE, _saved(state, claim_token, claim_expires_at, served_by))


def _saved(
    state: SessionState,
    claim_token: str | None,
    claim_expires_at: datetime | None,
    served_by: str | None,
) -> dict[str, Any]:
    values = _to_row(state)
    values["key_hash"] = values.pop("ticket_hash")
    values["claim_token"] = claim_token
    values["served_by"] = served_by
    values["claim_expires_at"] = None if claim_expires_at is None else utc(claim_expires_at)
    return values


_FINISH = _SAVE.where(qbwc_sessions.c.claim_token == bindparam("held_token"))


def finish_session(
    conn: Connection, state: SessionState, claim_token: str, *, served_by: str | None = None
) -> bool:
    """Write ``state`` back and clear the lease, if the lease is still ``claim_token``'s:
    one conditional UPDATE (its row lock taken by the statement itself). False when the
    session is gone or another call took it over meanwhile; nothing is written then."""
    values = _saved(state, None, None, served_by)
    values["held_token"] = claim_token
    return conn.execute(_FINISH, values).rowcount == 1


def live_sessions(conn: Connection, connection_id: str) -> list[StoredSession]:
    """The connection's sessions in a live phase (maybe past expiry: the caller decides)."""
    query = select(qbwc_sessions).where(
        and_(
            qbwc_sessions.c.connection_id == connection_id,
            qbwc_sessions.c.phase.in_([p.value for p in LIVE_PHASES]),
        )
    )
    return [_from_row(row) for row in conn.execute(query)]


def lock_connection(conn: Connection, connection_id: str) -> None:
    """Serialize authenticate decisions of one connection until the transaction ends: one
    upsert of its lock row, which holds the row (PostgreSQL) in a write transaction
    (SQLite's is the whole database's)."""
    table = qbwc_connection_locks
    stmt: Any = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
    conn.execute(
        stmt.values(connection_id=connection_id, lock_seq=1).on_conflict_do_update(
            index_elements=[table.c.connection_id], set_={"lock_seq": table.c.lock_seq + 1}
        )
    )


def note_last_ticket(conn: Connection, connection_id: str, ticket_hash: str) -> None:
    """Remember the connection's newest session (by its ticket's hash)."""
    table = qbwc_connection_locks
    conn.execute(
        update(table)
        .where(table.c.connection_id == connection_id)
        .values(last_ticket_hash=ticket_hash)
    )


def purge_sessions(conn: Connection, before: datetime) -> int:
    """Delete closed or expired session rows lapsed and untouched since before ``before``;
    returns the count. ``expires_at`` (indexed) narrows the scan: authenticate runs this."""
    dead = [Phase.CLOSED.value, Phase.EXPIRED.value]
    cutoff = utc(before)
    table = qbwc_sessions
    result = conn.execute(
        delete(table).where(
            and_(table.c.expires_at < cutoff, table.c.updated_at < cutoff, table.c.phase.in_(dead))
        )
    )
    return int(result.rowcount or 0)


# ------------------------------------------------------------------------------ lockout
def load_auth_failure(
    conn: Connection, username: str, source: str = "", *, lock: bool = False
) -> FailureRecord | None:
    """The failure streak of ``username`` from the address ``source``."""
    table = qbwc_auth_failures
    query = select(table).where(table.c.username == username, table.c.source == source)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        return None
    return FailureRecord(
        failures=row.failures,
        first_failure_at=utc(row.first_failure_at),
        last_failure_at=utc(row.last_failure_at),
        next_attempt_at=None if row.next_attempt_at is None else utc(row.next_attempt_at),
        locked_until=None if row.locked_until is None else utc(row.locked_until),
    )


def store_auth_failure(
    conn: Connection, username: str, record: FailureRecord, source: str = ""
) -> None:
    table = qbwc_auth_failures
    values = {
        "failures": record.failures,
        "first_failure_at": utc(record.first_failure_at),
        "last_failure_at": utc(record.last_failure_at),
        "next_attempt_at": None if record.next_attempt_at is None else utc(record.next_attempt_at),
        "locked_until": None if record.locked_until is None else utc(record.locked_until),
    }
    stmt: Any = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
    conn.execute(
        stmt.values(username=username, source=source, **values).on_conflict_do_update(
            index_elements=[table.c.username, table.c.source], set_=values
        )
    )


def clear_auth_failures(conn: Connection, username: str, source: str = "") -> None:
    table = qbwc_auth_failures
    conn.execute(delete(table).where(table.c.username == username, table.c.source == source))


def purge_auth_failures(conn: Connection, before: datetime) -> int:
    """Forget failure streaks whose last failure is older than ``before`` and not locked."""
    table = qbwc_auth_failures
    cutoff = utc(before)
    result = conn.execute(
        delete(table).where(
            and_(
                table.c.last_failure_at < cutoff,
                (table.c.locked_until.is_(None)) | (table.c.locked_until < cutoff),
            )
        )
    )
    return int(result.rowcount or 0)

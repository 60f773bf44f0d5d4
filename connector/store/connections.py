"""Connections: one Web Connector (or agent) login for one company, with its schedule.

Owns: creating connections (username, generated password stored only as an argon2id hash,
FileID), password checks, pause, schedule and sync window, and the company identity bound at
first connect. Must not: speak SOAP or decide session outcomes (``connector.qbwc`` does), or
read the settings (the caller passes the OwnerID in).
About 390 lines because the ``SyncWindow`` value (pure) and its checks live here with the
column it is stored in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy import Connection

from connector import secrets
from connector.store import rows, webhooks
from connector.store.db import Database, transaction
from connector.store.errors import CompanyNotFound, ConnectionNotFound, InvalidValue
from connector.store.tables_core import ConnectionMethod, companies, connections

DEFAULT_EVERY_MINUTES = 60
MAX_EVERY_MINUTES = 7 * 24 * 60  # one week; the Web Connector's UI minimum is 1 (PROTOCOL.md 1.6)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SyncWindow:
    """Hours a connection may sync in, in the business's time zone (Codat's "sync window",
    PROTOCOL.md section 2 item 8). ``start > end`` spans midnight (19:00-07:00); ``days`` are
    the days a window *starts* on. Outside it, authenticate answers ``none``."""

    start: time
    end: time
    days: tuple[str, ...]
    timezone: str

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise InvalidValue("a sync window's start and end must differ")
        if not self.days or any(d not in WEEKDAYS for d in self.days):
            raise InvalidValue(f"sync window days must be a non-empty subset of {WEEKDAYS}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValue(f"unknown time zone {self.timezone!r}") from None

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "days": list(self.days),
            "timezone": self.timezone,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SyncWindow:
        """The window of its JSON form; ``InvalidValue`` naming every problem at once."""
        problems = window_problems(data)
        if problems:
            said = "; ".join(f"{name}: {problem}" for name, problem in problems.items())
            raise InvalidValue(f"bad sync window: {said}")
        start, end = time.fromisoformat(data["start"]), time.fromisoformat(data["end"])
        return cls(start, end, tuple(str(d).lower() for d in data["days"]), data["timezone"])

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.start, tzinfo=ZoneInfo(self.timezone))

    def _closing(self, opening: datetime) -> datetime:
        close_day = opening.date() + timedelta(days=1 if self.end <= self.start else 0)
        return datetime.combine(close_day, self.end, tzinfo=ZoneInfo(self.timezone))

    def next_open(self, now: datetime) -> datetime:
        """``now`` if a window is open at ``now``, else when the next one opens."""
        local = now.astimezone(ZoneInfo(self.timezone))
        for offset in range(-1, 8):
            opening = self._opening(local.date() + timedelta(days=offset))
            if WEEKDAYS[opening.weekday()] not in self.days:
                continue
            if opening <= now < self._closing(opening):
                return now
            if opening > now:
                return opening
        raise AssertionError("unreachable: some listed weekday opens within a week")

    def contains(self, now: datetime) -> bool:
        return self.next_open(now) == now

    def seconds_until_open(self, now: datetime) -> int:
        """0 inside the window; else whole seconds to wait (authenticate's postpone value)."""
        return max(0, int((self.next_open(now) - now).total_seconds()))


def clock_problem(value: object) -> str | None:
    """Why ``value`` is not a window's start or end (``"HH:MM"``), or ``None``."""
    try:
        time.fromisoformat(value)  # type: ignore[arg-type]  # anything: TypeError says no
    except (TypeError, ValueError):
        return f"{value!r} is not a time of day HH:MM (00:00 to 23:59)"
    return None


def days_problem(value: object) -> str | None:
    """Why ``value`` is not a window's days (a non-empty list of ``WEEKDAYS``), or ``None``."""
    if not isinstance(value, list | tuple) or not value:
        return f"must be a non-empty list of {', '.join(WEEKDAYS)}"
    unknown = [d for d in value if str(d).lower() not in WEEKDAYS]
    return f"unknown day {unknown[0]!r} (use {', '.join(WEEKDAYS)})" if unknown else None


def timezone_problem(value: object) -> str | None:
    """Why ``value`` is not an IANA time zone name, or ``None``."""
    try:
        ZoneInfo(value)  # type: ignore[arg-type]  # anything: TypeError says no
    except (ZoneInfoNotFoundError, TypeError, ValueError):
        return f"unknown time zone {value!r} (an IANA name such as America/New_York)"
    return None


def window_problems(data: Any) -> dict[str, str]:
    """Every problem of a sync window's JSON form by field name, ``{}`` when it is valid
    (issue 11 item 12: a user fixes them all in one go, not one per attempt)."""
    if not isinstance(data, dict):
        return {"window": "must be an object {start, end, days, timezone}"}
    checks = {
        "start": clock_problem,
        "end": clock_problem,
        "days": days_problem,
        "timezone": timezone_problem,
    }
    problems = {
        name: "is missing" if name not in data else check(data[name])
        for name, check in checks.items()
    }
    found = {name: problem for name, problem in problems.items() if problem}
    if not found and data["start"] == data["end"]:
        found["end"] = "a sync window's start and end must differ"
    return found


@dataclass(frozen=True)
class CompanyIdentity:
    """The QuickBooks company file a connection first synced with (PROTOCOL.md 1.2: check the
    FileID DataExt, else file path and company name, in the first CompanyQuery response)."""

    file_path: str
    company_name: str
    file_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "filePath": self.file_path,
            "companyName": self.company_name,
            "fileId": self.file_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompanyIdentity:
        return cls(str(data["filePath"]), str(data["companyName"]), data.get("fileId"))


@dataclass(frozen=True)
class ConnectionRow:
    id: str
    company_id: str
    method: ConnectionMethod
    username: str
    password_hash: str = field(repr=False)
    owner_id: str
    file_id: str
    paused: bool
    schedule_every_minutes: int
    sync_window: SyncWindow | None
    bound_company: CompanyIdentity | None
    created_at: datetime


def _row(m: sa.RowMapping) -> ConnectionRow:
    window, bound = m["sync_window"], m["bound_company"]
    return rows.from_row(
        ConnectionRow,
        m,
        method=ConnectionMethod(m["method"]),
        paused=bool(m["paused"]),
        sync_window=SyncWindow.from_json(window) if window is not None else None,
        bound_company=CompanyIdentity.from_json(bound) if bound is not None else None,
    )


def parse_method(method: str | ConnectionMethod) -> ConnectionMethod:
    try:
        return ConnectionMethod(method)
    except ValueError:
        choices = ", ".join(m.value for m in ConnectionMethod)
        raise InvalidValue(f"unknown connection method {method!r} (use {choices})") from None


def _check_every_minutes(every_minutes: int) -> int:
    if not 1 <= every_minutes <= MAX_EVERY_MINUTES:
        raise InvalidValue(f"everyMinutes must be 1 to {MAX_EVERY_MINUTES}, not {every_minutes}")
    return every_minutes


def _require_company(conn: Connection, company_id: str) -> None:
    found = conn.execute(sa.select(companies.c.id).where(companies.c.id == company_id))
    if found.first() is None:
        raise CompanyNotFound(company_id)


def create_connection(
    db: Database | Connection,
    company_id: str,
    method: str | ConnectionMethod,
    *,
    owner_id: str,
    every_minutes: int = DEFAULT_EVERY_MINUTES,
    now: datetime | None = None,
) -> tuple[ConnectionRow, str]:
    """A new connection and its plaintext password (shown once, stored only hashed).

    ``owner_id`` is the application's QWC OwnerID (``Settings.owner_id``: the caller passes
    it in, the store reads no settings).

    ``CompanyNotFound`` for an unknown company id, ``InvalidValue`` for a bad method.
    """
    connection_id = str(uuid.uuid4())
    password = secrets.new_password()
    values = {
        "id": connection_id,
        "company_id": company_id,
        "method": parse_method(method).value,
        "username": f"qbd-{connection_id.replace('-', '')[:12]}",
        "password_hash": secrets.hash_secret(password),
        "owner_id": owner_id,
        "file_id": secrets.new_guid(),
        "paused": False,
        "schedule_every_minutes": _check_every_minutes(every_minutes),
        "sync_window": None,
        "bound_company": None,
        "created_at": now or datetime.now(UTC),
    }
    with transaction(db) as conn:
        _require_company(conn, company_id)
        conn.execute(connections.insert().values(**values))
        return get_connection(conn, connection_id), password


def get_connection(
    db: Database | Connection, connection_id: str, *, company_id: str | None = None
) -> ConnectionRow:
    """The connection; with ``company_id``, only if it belongs to that company (a tenant
    never reaches another's connection). ``ConnectionNotFound`` otherwise."""
    query = sa.select(connections).where(connections.c.id == connection_id)
    if company_id is not None:
        query = query.where(connections.c.company_id == company_id)
    return rows.one(db, query, _row, ConnectionNotFound(connection_id))


def list_connections(
    db: Database | Connection,
    company_id: str,
    *,
    limit: int | None = None,
    after: tuple[datetime, str] | None = None,
) -> list[ConnectionRow]:
    """A company's connections in creation order; ``after`` is a (created_at, id) keyset."""
    query = (
        sa.select(connections)
        .where(connections.c.company_id == company_id)
        .order_by(connections.c.created_at, connections.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(connections.c.created_at, connections.c.id) > after)
    return rows.every(db, query, _row)


def find_connection_by_username(db: Database | Connection, username: str) -> ConnectionRow | None:
    return rows.first(db, sa.select(connections).where(connections.c.username == username), _row)


def verify_connection_password(
    db: Database | Connection, username: str, password: str
) -> ConnectionRow | None:
    """The connection when the password is right, else ``None``. An unknown username costs
    the same hash computation as a wrong password, so timing does not reveal which it was."""
    return password_matches(find_connection_by_username(db, username), password)


def password_matches(row: ConnectionRow | None, password: str) -> ConnectionRow | None:
    """``row`` when ``password`` is its password, else ``None``; one argon2id hash either way
    (``row`` None: the connection looked up by a username that has none)."""
    if row is None:
        secrets.burn_verification(password)
        return None
    return row if secrets.verify_secret(row.password_hash, password) else None


def _update(db: Database | Connection, connection_id: str, **values: Any) -> ConnectionRow:
    missing = ConnectionNotFound(connection_id)
    return rows.update_by_id(db, connections, connection_id, values, missing, get_connection)


def set_paused(
    db: Database | Connection, connection_id: str, paused: bool, *, now: datetime | None = None
) -> ConnectionRow:
    """Pause or resume: a paused connection's Web Connector is told ``none`` (no work).
    Pausing a running connection emits ``connection.paused`` for webhooks (issue 19)."""
    with transaction(db) as conn:
        before = get_connection(conn, connection_id)
        row = _update(conn, connection_id, paused=paused)
        if paused and not before.paused:
            data = {"connectionId": row.id, "paused": True}
            webhooks.emit(conn, "connection.paused", row.company_id, data, now or datetime.now(UTC))
        return row


def set_schedule(
    db: Database | Connection,
    connection_id: str,
    every_minutes: int,
    window: SyncWindow | None = None,
) -> ConnectionRow:
    """How often to sync (the QWC's RunEveryNMinutes and authenticate's minimum interval)
    and, optionally, the hours syncs may run in."""
    return _update(
        db,
        connection_id,
        schedule_every_minutes=_check_every_minutes(every_minutes),
        sync_window=window.to_json() if window is not None else None,
    )


def bind_company_identity(
    db: Database | Connection,
    connection_id: str,
    identity: CompanyIdentity,
    *,
    replace: bool = False,
) -> ConnectionRow:
    """Record the company file a connection talks to, at first connect.

    Without ``replace`` an identity already recorded is kept (the compare-and-set is one
    UPDATE, so two racing first sessions agree): compare the returned row's
    ``bound_company`` with ``identity`` to know whether this file is the bound one.
    """
    condition = connections.c.id == connection_id
    if not replace:
        condition = condition & connections.c.bound_company.is_(None)
    with transaction(db) as conn:
        conn.execute(connections.update().where(condition).values(bound_company=identity.to_json()))
        return get_connection(conn, connection_id)


def rotate_password(db: Database | Connection, connection_id: str) -> tuple[ConnectionRow, str]:
    """A new generated password (returned once); the old one stops working at once."""
    password = secrets.new_password()
    row = _update(db, connection_id, password_hash=secrets.hash_secret(password))
    return row, password


def delete_connection(db: Database | Connection, connection_id: str) -> None:
    """Delete the connection with its sessions, links and activity (the rows cascade); its
    Web Connector is refused from then on. The company and its synced data stay."""
    with transaction(db) as conn:
        found = conn.execute(connections.delete().where(connections.c.id == connection_id))
        if found.rowcount == 0:
            raise ConnectionNotFound(connection_id)


def set_method(
    db: Database | Connection, connection_id: str, method: str | ConnectionMethod
) -> ConnectionRow:
    """How the business reaches QuickBooks (chosen again in the link flow)."""
    return _update(db, connection_id, method=parse_method(method).value)

"""Connections: credentials, lookups, pause, schedule, sync window, bound company identity."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from connector.settings import DEFAULT_OWNER_ID
from connector.store.companies import CompanyRow, create_company
from connector.store.connections import (
    CompanyIdentity,
    SyncWindow,
    bind_company_identity,
    create_connection,
    find_connection_by_username,
    get_connection,
    list_connections,
    set_paused,
    set_schedule,
    verify_connection_password,
)
from connector.store.db import Database
from connector.store.errors import CompanyNotFound, ConnectionNotFound, InvalidValue
from connector.store.tables_core import ConnectionMethod, connections

OWNER = DEFAULT_OWNER_ID
"""The application's OwnerID, as the service passes ``Settings.owner_id`` in."""


def test_create_gives_a_username_and_a_password_stored_only_as_argon2id(
    db: Database, company: CompanyRow
) -> None:
    row, password = create_connection(db, company.id, "desktop_app", owner_id=OWNER)
    assert row.username.startswith("qbd-") and row.method is ConnectionMethod.DESKTOP_APP
    assert len(password) >= 22  # 128 random bits, URL-safe base64
    with db.begin() as conn:
        stored = conn.execute(connections.select()).mappings().one()
    assert stored["password_hash"].startswith("$argon2id$")
    assert password not in str(dict(stored))
    assert password not in repr(row)
    assert row.owner_id == OWNER
    assert row.file_id.startswith("{") and row.file_id.endswith("}")
    assert (row.paused, row.schedule_every_minutes, row.sync_window, row.bound_company) == (
        False,
        60,
        None,
        None,
    )


def test_every_connection_has_its_own_username_password_and_file_id(
    db: Database, company: CompanyRow
) -> None:
    made = [create_connection(db, company.id, "rightworks", owner_id=OWNER) for _ in range(3)]
    assert len({r.username for r, _ in made}) == 3
    assert len({r.file_id for r, _ in made}) == 3
    assert len({p for _, p in made}) == 3
    assert [c.id for c in list_connections(db, company.id)] == [r.id for r, _ in made]


def test_unknown_company_and_bad_method_are_clear_errors(db: Database, company: CompanyRow) -> None:
    with pytest.raises(CompanyNotFound):
        create_connection(db, "no-such-id", "desktop_app", owner_id=OWNER)
    with pytest.raises(CompanyNotFound):
        create_connection(db, company.name, "desktop_app", owner_id=OWNER)  # an id, not a name
    with pytest.raises(InvalidValue, match="desktop_app, enterprise_cloud, rightworks"):
        create_connection(db, company.id, "carrier_pigeon", owner_id=OWNER)


def test_password_verification(db: Database, company: CompanyRow) -> None:
    row, password = create_connection(db, company.id, "enterprise_cloud", owner_id=OWNER)
    assert verify_connection_password(db, row.username, password) == row
    assert verify_connection_password(db, row.username, password + "x") is None
    assert verify_connection_password(db, "qbd-unknown", password) is None
    assert find_connection_by_username(db, row.username) == row
    assert find_connection_by_username(db, "qbd-unknown") is None


def test_a_connection_is_reachable_only_through_its_own_company(
    db: Database, company: CompanyRow
) -> None:
    other = create_company(db, "Other Co")
    row, _ = create_connection(db, company.id, "desktop_app", owner_id=OWNER)
    assert get_connection(db, row.id, company_id=company.id) == row
    with pytest.raises(ConnectionNotFound):
        get_connection(db, row.id, company_id=other.id)
    with pytest.raises(ConnectionNotFound):
        get_connection(db, "missing")


def test_pause_resume_and_schedule(db: Database, company: CompanyRow) -> None:
    row, _ = create_connection(db, company.id, "desktop_app", owner_id=OWNER)
    assert set_paused(db, row.id, True).paused is True
    assert set_paused(db, row.id, False).paused is False
    window = SyncWindow(time(19), time(7), ("mon", "tue", "wed", "thu", "fri"), "Europe/Paris")
    updated = set_schedule(db, row.id, 30, window)
    assert (updated.schedule_every_minutes, updated.sync_window) == (30, window)
    assert set_schedule(db, row.id, 15).sync_window is None
    with pytest.raises(InvalidValue):
        set_schedule(db, row.id, 0)
    with pytest.raises(ConnectionNotFound):
        set_paused(db, "missing", True)


def test_the_first_bound_identity_sticks_unless_replaced(db: Database, company: CompanyRow) -> None:
    row, _ = create_connection(db, company.id, "desktop_app", owner_id=OWNER)
    first = CompanyIdentity(r"C:\QB\acme.qbw", "Acme", "{F}")
    second = CompanyIdentity(r"C:\QB\other.qbw", "Other", None)
    assert bind_company_identity(db, row.id, first).bound_company == first
    assert bind_company_identity(db, row.id, second).bound_company == first
    assert bind_company_identity(db, row.id, second, replace=True).bound_company == second


PARIS = "Europe/Paris"
WEEKNIGHTS = ("mon", "tue", "wed", "thu", "fri")


def _paris(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-03-<day> (the 2nd is a Monday) at hour:minute Paris time, as UTC (winter: +1)."""
    return datetime(2026, 3, day, hour - 1, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "inside", "opens"),
    [
        pytest.param(_paris(2, 20), True, _paris(2, 20), id="monday-evening-inside"),
        pytest.param(_paris(3, 6, 59), True, _paris(3, 6, 59), id="tuesday-early-inside"),
        pytest.param(_paris(3, 7), False, _paris(3, 19), id="tuesday-seven-closed"),
        pytest.param(_paris(2, 12), False, _paris(2, 19), id="monday-noon-waits"),
        pytest.param(_paris(7, 3), True, _paris(7, 3), id="saturday-night-of-friday"),
        pytest.param(_paris(7, 20), False, _paris(9, 19), id="saturday-evening-waits-monday"),
    ],
)
def test_overnight_weekday_window(now: datetime, inside: bool, opens: datetime) -> None:
    window = SyncWindow(time(19), time(7), WEEKNIGHTS, PARIS)
    assert window.contains(now) is inside
    assert window.next_open(now) == opens
    assert window.seconds_until_open(now) == int((opens - now).total_seconds())


def test_same_day_window_and_json_round_trip() -> None:
    window = SyncWindow(time(9), time(17, 30), ("sat",), "UTC")
    assert window.contains(datetime(2026, 3, 7, 17, 29, tzinfo=UTC))
    assert not window.contains(datetime(2026, 3, 7, 17, 30, tzinfo=UTC))
    assert window.to_json() == {
        "start": "09:00",
        "end": "17:30",
        "days": ["sat"],
        "timezone": "UTC",
    }
    assert SyncWindow.from_json(window.to_json()) == window


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"start": "9", "end": "17:00", "days": ["mon"], "timezone": "UTC"}, id="time"),
        pytest.param(
            {"start": "09:00", "end": "09:00", "days": ["mon"], "timezone": "UTC"}, id="empty"
        ),
        pytest.param(
            {"start": "09:00", "end": "10:00", "days": ["xyz"], "timezone": "UTC"}, id="day"
        ),
        pytest.param(
            {"start": "09:00", "end": "10:00", "days": [], "timezone": "UTC"}, id="no-days"
        ),
        pytest.param(
            {"start": "09:00", "end": "10:00", "days": ["mon"], "timezone": "Mars/X"}, id="tz"
        ),
        pytest.param({"start": "09:00", "days": ["mon"], "timezone": "UTC"}, id="missing"),
    ],
)
def test_bad_windows_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        SyncWindow.from_json(data)


def test_an_unknown_username_costs_a_hash_like_a_wrong_password(
    db: Database, company: CompanyRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connector import secrets

    calls: list[str] = []
    real_verify = secrets.verify_secret

    def counting(stored_hash: str, plaintext: str) -> bool:
        calls.append(plaintext)
        return real_verify(stored_hash, plaintext)

    monkeypatch.setattr(secrets, "verify_secret", counting)
    row, _ = create_connection(db, company.id, "desktop_app", owner_id=OWNER)
    assert verify_connection_password(db, row.username, "wrong") is None
    assert verify_connection_password(db, "qbd-nobody", "guess") is None
    assert calls == ["wrong", "guess"]

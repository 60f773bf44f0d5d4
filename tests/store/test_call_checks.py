"""``read_call_checks``: what each Web Connector call checks, in one statement: the hold each
state of the platform, pause and consents gives, and whether a push waits as
``outbox.has_unsent`` says, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from connector.portal.operations import held_by_checks, held_reason_for
from connector.portal.status import HELD_OFF, HELD_PAUSED, HELD_WITHDRAWN
from connector.settings import DEFAULT_OWNER_ID
from connector.store import consents, outbox
from connector.store import platform as platform_store
from connector.store.call_checks import CallChecks, read_call_checks
from connector.store.companies import CompanyRow
from connector.store.connections import (
    ConnectionRow,
    create_connection,
    get_connection,
    set_paused,
)
from connector.store.db import Database
from connector.store.errors import ConnectionNotFound
from connector.store.tables_sync import outbox as outbox_table
from tests.portal.test_platform_work import _agreed

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _withdraw(db: Database, row: ConnectionRow, at: datetime) -> None:
    agreed = _agreed(db, row, at)
    consents.withdraw_consent(db, agreed.id, withdrawn_from="x", delete_records=False, now=at)


def _push(db: Database, row: ConnectionRow, status: str | None) -> None:
    outbox.create_push(
        db, row.company_id, "customers", "add", {"Name": "N"}, idempotency_key=None, now=NOW
    )
    if status is not None:
        with db.begin() as conn:
            conn.execute(outbox_table.update().values(status=status))


def _checks(db: Database, row: ConnectionRow) -> CallChecks:
    with db.begin(write=False) as conn:
        return read_call_checks(conn, row.id)


Step = Callable[[Database, ConnectionRow], object]


def _off(db: Database, row: ConnectionRow) -> None:
    platform_store.save_integration(db, enabled=False, now=NOW)


def _off_and_on(db: Database, row: ConnectionRow) -> None:
    _off(db, row)
    platform_store.save_integration(db, enabled=True, now=NOW)


def _withdrawn_then_given(db: Database, row: ConnectionRow) -> None:
    _withdraw(db, row, NOW)
    _agreed(db, row, NOW + timedelta(hours=1))


def _given_then_withdrawn(db: Database, row: ConnectionRow) -> None:
    _agreed(db, row, NOW)
    _withdraw(db, row, NOW + timedelta(hours=1))


STEPS: dict[str, Step] = {
    "nothing": lambda db, row: None,
    "integration-off": _off,
    "integration-on-again": _off_and_on,
    "paused": lambda db, row: set_paused(db, row.id, True),
    "consent-given": lambda db, row: _agreed(db, row, NOW),
    "consent-withdrawn": lambda db, row: _withdraw(db, row, NOW),
    "withdrawn-then-given": _withdrawn_then_given,
    "given-then-withdrawn": _given_then_withdrawn,
    "push-pending": lambda db, row: _push(db, row, None),
    "push-sent": lambda db, row: _push(db, row, "sent"),
    "push-succeeded": lambda db, row: _push(db, row, "succeeded"),
    "push-failed": lambda db, row: _push(db, row, "failed"),
    "push-conflict": lambda db, row: _push(db, row, "conflict"),
}


HELD = {
    "integration-off": HELD_OFF,
    "paused": HELD_PAUSED,
    "consent-withdrawn": HELD_WITHDRAWN,
    "given-then-withdrawn": HELD_WITHDRAWN,
}
"""The steps that hold the connection (every other one leaves it free to sync)."""


@pytest.mark.parametrize("step", list(STEPS))
def test_one_statement_says_the_hold_and_whether_a_push_waits(
    db: Database, company: CompanyRow, step: str
) -> None:
    row, _ = create_connection(db, company.id, "desktop_app", owner_id=DEFAULT_OWNER_ID)
    other, _ = create_connection(db, company.id, "rightworks", owner_id=DEFAULT_OWNER_ID)
    STEPS[step](db, row)
    checks = _checks(db, row)
    assert checks.company_id == company.id
    assert held_by_checks(checks) == HELD.get(step)
    assert held_reason_for(db, get_connection(db, row.id)) == HELD.get(step)
    with db.begin(write=False) as conn:
        assert checks.pushes_waiting == outbox.has_unsent(conn, company.id)
    # the pause is the connection's; the rest is the company's or the platform's
    assert _checks(db, other).paused is False
    assert _checks(db, other).pushes_waiting == checks.pushes_waiting


def test_each_field_as_it_stands(db: Database, company: CompanyRow) -> None:
    row, _ = create_connection(db, company.id, "desktop_app", owner_id=DEFAULT_OWNER_ID)
    assert _checks(db, row) == CallChecks(company.id, False, True, None, False)
    STEPS["given-then-withdrawn"](db, row)
    STEPS["paused"](db, row)
    STEPS["integration-off"](db, row)
    STEPS["push-sent"](db, row)
    assert _checks(db, row) == CallChecks(company.id, True, False, False, True)


def test_a_connection_that_is_gone_is_not_found(db: Database) -> None:
    with db.begin(write=False) as conn, pytest.raises(ConnectionNotFound):
        read_call_checks(conn, "no-such-connection")


def test_it_is_one_statement(db: Database, company: CompanyRow) -> None:
    row, _ = create_connection(db, company.id, "desktop_app", owner_id=DEFAULT_OWNER_ID)
    STEPS["consent-given"](db, row)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        _checks(db, row)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1

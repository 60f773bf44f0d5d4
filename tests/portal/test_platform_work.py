"""``PlatformWork``: the platform's holds around the sync engine, with the real store and a
recording inner WorkSource. Held (integration off, paused, consent withdrawn): ``has_work``
is false; a session already running stores the response in flight, then answers 100 and
asks nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from connector.portal.work import PlatformWork
from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Progress, SessionContext
from connector.settings import DEFAULT_OWNER_ID
from connector.store import consents
from connector.store import platform as platform_store
from connector.store.companies import create_company
from connector.store.connections import ConnectionRow, create_connection, set_paused
from connector.store.db import Database

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@dataclass
class Recorder:
    calls: list[str] = field(default_factory=list)

    def has_work(self, connection_id: str, now: datetime) -> bool:
        self.calls.append("has_work")
        return True

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        self.calls.append("begin")

    def next_request(self, ctx: SessionContext) -> str | None:
        self.calls.append("next_request")
        return "<request/>"

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        self.calls.append("apply_response")
        return Progress(40)

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        self.calls.append("apply_error")
        return Progress(40)

    def end(self, ctx: SessionContext, reason: str) -> str:
        self.calls.append(f"end:{reason}")
        return f"ended: {reason}"


def _ctx(row: ConnectionRow) -> SessionContext:
    return SessionContext(row.id, row.company_id, "t" * 32, "16.0", "US", NOW)


def _agreed(db: Database, row: ConnectionRow, at: datetime = NOW) -> consents.ConsentRow:
    return consents.record_consent(
        db,
        company_id=row.company_id,
        connection_id=row.id,
        link_id=None,
        wording_version="v",
        app_name="A",
        data_types=["customers"],
        reports=[],
        writes=[],
        agreed_from="127.0.0.1",
        user_agent="test",
        now=at,
    )


def _hold_off(db: Database, row: ConnectionRow) -> None:
    platform_store.save_integration(db, enabled=False, now=NOW)


def _hold_paused(db: Database, row: ConnectionRow) -> None:
    set_paused(db, row.id, True)


def _hold_withdrawn(db: Database, row: ConnectionRow) -> None:
    consents.withdraw_consent(
        db, _agreed(db, row).id, withdrawn_from="x", delete_records=False, now=NOW
    )


@pytest.mark.parametrize(
    "hold",
    [
        pytest.param(_hold_off, id="integration-off"),
        pytest.param(_hold_paused, id="paused"),
        pytest.param(_hold_withdrawn, id="consent-withdrawn"),
    ],
)
def test_a_held_connection_has_no_work_and_a_running_session_stops_at_the_boundary(
    db: Database, hold: object
) -> None:
    row, _ = create_connection(
        db, create_company(db, "Held Co").id, "rightworks", owner_id=DEFAULT_OWNER_ID
    )
    inner = Recorder()
    work = PlatformWork(db, inner)
    assert work.has_work(row.id, NOW)
    ctx = _ctx(row)
    work.begin(ctx, "")
    assert work.next_request(ctx) == "<request/>"
    hold(db, row)  # type: ignore[operator]
    assert work.apply_response(ctx, "<response/>") == Progress(100)  # stored, then stop
    assert work.next_request(ctx) is None
    assert work.end(ctx, "done").startswith("ended: stopped (")
    assert not work.has_work(row.id, NOW)
    assert inner.calls == [
        "begin",
        "next_request",
        "apply_response",
        f"end:{inner.calls[-1][4:]}",
    ]


def test_consent_given_again_after_a_withdrawal_syncs_again(db: Database) -> None:
    row, _ = create_connection(
        db, create_company(db, "Again Co").id, "desktop_app", owner_id=DEFAULT_OWNER_ID
    )
    work = PlatformWork(db, Recorder())
    _hold_withdrawn(db, row)
    assert not work.has_work(row.id, NOW)
    _agreed(db, row, NOW.replace(hour=13))
    assert work.has_work(row.id, NOW)


def _run(db: Database, row: ConnectionRow, status: str, at: datetime) -> None:
    from connector.store.sync_runs import create_run, finish_run

    with db.begin() as conn:
        run_id = create_run(
            conn,
            company_id=row.company_id,
            connection_id=row.id,
            ticket=None,
            kind="full",
            data_types=["customers"],
            now=at,
        )
        if status != "running":
            finish_run(conn, run_id, status=status, summary="", now=at)


def test_has_work_answers_from_what_is_pending(db: Database) -> None:
    from datetime import timedelta

    from connector.store.sync_requests import queue_sync

    row, _ = create_connection(
        db,
        create_company(db, "Pending Co").id,
        "rightworks",
        every_minutes=60,
        owner_id=DEFAULT_OWNER_ID,
    )
    work = PlatformWork(db, Recorder())
    assert work.has_work(row.id, NOW), "never synced"
    _run(db, row, "succeeded", NOW)
    assert not work.has_work(row.id, NOW + timedelta(minutes=10)), "synced 10 minutes ago"
    assert work.has_work(row.id, NOW + timedelta(minutes=55)), "due (within the grace)"
    with db.begin() as conn:
        queue_sync(conn, row.company_id, ["customers"], NOW + timedelta(minutes=11))
    assert work.has_work(row.id, NOW + timedelta(minutes=11)), "a manual sync is queued"
    other, _ = create_connection(
        db, create_company(db, "Broken Co").id, "rightworks", owner_id=DEFAULT_OWNER_ID
    )
    _run(db, other, "interrupted", NOW)
    assert work.has_work(other.id, NOW + timedelta(minutes=1)), "resume an interrupted sync"


def test_has_work_while_a_push_waits_for_a_session(db: Database) -> None:
    from datetime import timedelta

    from connector.store import outbox

    row, _ = create_connection(
        db, create_company(db, "Push Co").id, "rightworks", every_minutes=60,
        owner_id=DEFAULT_OWNER_ID,
    )  # fmt: skip
    work = PlatformWork(db, Recorder())
    _run(db, row, "succeeded", NOW)
    soon = NOW + timedelta(minutes=10)
    assert not work.has_work(row.id, soon)
    push, _ = outbox.create_push(db, row.company_id, "customers", "add", {"name": "X"},
                                 idempotency_key=None, now=soon)  # fmt: skip
    assert work.has_work(row.id, soon), "a push is pending"
    with db.begin() as conn:
        outbox.mark_sent(conn, push.id, message_set_id="m", request_id="r", now=soon)
    assert work.has_work(row.id, soon), "a push's answer was lost: resolve it"
    with db.begin() as conn:
        outbox.record_outcome(conn, push.id, "succeeded", now=soon, qb_id="1-1")
    assert not work.has_work(row.id, soon)

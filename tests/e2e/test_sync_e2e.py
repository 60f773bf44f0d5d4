"""The sync path end to end over real HTTP on loopback (issue 5): the QBWC client with the
fake QuickBooks talks SOAP to the live service, whose sync engine fills the store.
Runs on SQLite and on PostgreSQL (``backend`` fixture; PostgreSQL skips when absent)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connector.qbwc.client import SessionResult
from connector.store.db import Database
from connector.store.sync_requests import queue_sync
from qbd_emulator.generate import generate
from tests.e2e.e2e_harness import (
    expected_changes,
    last_run,
    latest_now,
    link_company,
    live_service,
    mutate,
    session,
    snapshot,
)
from tests.sync.sync_harness import assert_store_equals_company


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    db.migrate()
    yield db
    db.dispose()


@pytest.mark.parametrize(
    ("size", "seed"),
    [
        pytest.param("tiny", 1, id="tiny-1"),
        pytest.param("tiny", 2, id="tiny-2"),
        pytest.param("small", 3, id="small-3", marks=pytest.mark.slow),
    ],
)
def test_full_then_incremental_sync(database: Database, size: str, seed: int) -> None:
    company = generate(seed, size)
    now = latest_now(company)
    with live_service(database) as settings:
        link = link_company(database, settings, f"Co {seed}", company)
        summary = session(link, company, now)
        assert summary.result is SessionResult.DONE, summary
        assert_store_equals_company(database, link.company_id, company)
        first = last_run(database, link.company_id)
        assert first.status == "succeeded" and first.kind == "full"

        before = snapshot(company)
        now = mutate(company, seed, now)
        with database.begin() as conn:  # the schedule is not due: ask for a sync now
            queue_sync(conn, link.company_id, None, datetime.now(UTC))
        summary = session(link, company, now)
        assert summary.result is SessionResult.DONE, summary
        assert_store_equals_company(database, link.company_id, company)
        second = last_run(database, link.company_id)
    assert second.status == "succeeded" and second.kind == "incremental"
    want = expected_changes(before, snapshot(company))
    got = {t.data_type: (t.created, t.updated) for t in second.types if t.data_type in want}
    assert got == want
    deleted = {t.data_type: t.deleted for t in second.types}
    assert deleted["deleted_txns"] >= 1 and deleted["deleted_lists"] >= 1

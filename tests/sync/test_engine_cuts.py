"""Sessions cut at chosen points (before or after a response is stored, mid-iterator)
resume in the next session without losing or duplicating a record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connector.store import sync_runs as runs
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.processor import FakeQuickBooks
from tests.sync.sync_harness import T0, Cut, assert_store_equals_company, make_company, run_session


@pytest.mark.parametrize("stored", [False, True], ids=["before-store", "after-store"])
@pytest.mark.parametrize("after", [1, 3, 4])
def test_cut_sessions_resume_without_loss_or_duplicates(
    db: Database, after: int, stored: bool
) -> None:
    # request 1 is accounts (one query), 2-4 page customers three at a time
    qb = FakeQuickBooks(company=make_company(10, 7), clock=lambda: T0 + timedelta(days=1))
    engine, company_id = SyncEngine(db, Policy(page_size=3)), create_company(db, "Acme").id
    run_session(engine, qb, company_id, "T1", T0 + timedelta(days=1), Cut(after, stored))
    run_session(engine, qb, company_id, "T2", T0 + timedelta(days=1, minutes=5))
    assert_store_equals_company(db, company_id, qb.company)
    with db.begin() as conn:
        first = runs.run_for_ticket(conn, "T1")
        second = runs.run_for_ticket(conn, "T2")
    assert first is not None and first.status == "interrupted"
    assert second is not None and second.status == "succeeded"

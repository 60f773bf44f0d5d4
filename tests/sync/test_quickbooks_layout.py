"""Answers laid out as QuickBooks writes them: one element a line, indented.

The fake QuickBooks answers in one line by default; most answers recorded from QuickBooks are
indented and end with a line break (``qbd_emulator.handlers.render.INDENT``). A full sync over
answers so laid out (``layout="indented"``), pages applied in line and behind, stores exactly
the records and reports the one-line answers give.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.tables_reports import reports
from connector.sync.behind import ThreadApplier
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from tests.e2e.e2e_harness import latest_now
from tests.sync.sync_harness import run_session, store_state

POLICY = Policy(page_size=9)  # iterators, and pages applied behind the Web Connector


def _reports(db: Database, company_id: str) -> list[tuple[object, ...]]:
    columns = (reports.c.report_type, reports.c.basis, reports.c.period_key, reports.c.body)
    with db.begin() as conn:
        query = select(*columns).where(reports.c.company_id == company_id).order_by(*columns[:3])
        return [tuple(row) for row in conn.execute(query)]


@pytest.mark.parametrize("applied", ["in line", "behind"])
def test_indented_answers_store_what_one_line_answers_store(db: Database, applied: str) -> None:
    company = generate(3, "tiny")
    now = latest_now(company)
    stored = {}
    for layout in ("one-line", "indented"):
        qb = FakeQuickBooks(copy.deepcopy(company), clock=lambda: now, layout=layout)
        pool = ThreadPoolExecutor(2)
        applier = ThreadApplier(pool) if applied == "behind" else None
        engine = SyncEngine(db, POLICY, behind=applier)
        company_id = create_company(db, layout).id
        try:
            percents = run_session(engine, qb, company_id, f"ticket-{layout}", now)
        finally:
            pool.shutdown(wait=True)
        assert percents[-1] == 100
        stored[layout] = store_state(db, company_id), _reports(db, company_id)
    records, answers = stored["indented"]
    assert sum(map(len, records.values())) > 100 and len(answers) == 6
    assert stored["indented"] == stored["one-line"]

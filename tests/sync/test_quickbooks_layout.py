"""Responses laid out as QuickBooks writes them: one element a line, indented.

The fake QuickBooks answers in one line; most answers recorded from QuickBooks are indented
and end with a line break (``reference/responses/hotglue-qbwc-common`` and ``qbwc-qbxml``; the
2008 SOAP log in ``reference/soap`` keeps whitespace between elements; ``qbwc-qbwc``'s are in
one line). A full sync over the same answers
re-laid out so, pages applied in line and behind, stores exactly the records and reports the
one-line answers give.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.tables_reports import reports
from connector.sync.behind import ThreadApplier
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from tests.sync.sync_harness import run_session, store_state

POLICY = Policy(page_size=9)  # iterators, and pages applied behind the Web Connector


def as_quickbooks_writes(response: str) -> str:
    """``response`` indented by two spaces, a line break at its end."""
    root = etree.fromstring(response.encode(), etree.XMLParser(huge_tree=True))
    etree.indent(root, space="  ")
    return '<?xml version="1.0" ?>\n' + etree.tostring(root, encoding="unicode") + "\n"


class IndentingQuickBooks(FakeQuickBooks):
    def process_request(self, ticket: str, request: str) -> str:
        return as_quickbooks_writes(super().process_request(ticket, request))


def _latest(company: CompanyFile) -> datetime:
    stamps = [r.data["TimeModified"] for rs in company.records.values() for r in rs.values()]
    return max(s for s in stamps if isinstance(s, datetime)) + timedelta(hours=1)


def _reports(db: Database, company_id: str) -> list[tuple[object, ...]]:
    columns = (reports.c.report_type, reports.c.basis, reports.c.period_key, reports.c.body)
    with db.begin() as conn:
        query = select(*columns).where(reports.c.company_id == company_id).order_by(*columns[:3])
        return [tuple(row) for row in conn.execute(query)]


@pytest.mark.parametrize("applied", ["in line", "behind"])
def test_indented_answers_store_what_one_line_answers_store(db: Database, applied: str) -> None:
    company = generate(3, "tiny")
    now = _latest(company)
    stored = {}
    for kind in (FakeQuickBooks, IndentingQuickBooks):
        qb = kind(copy.deepcopy(company), clock=lambda: now)
        pool = ThreadPoolExecutor(2)
        applier = ThreadApplier(pool) if applied == "behind" else None
        engine = SyncEngine(db, POLICY, behind=applier)
        company_id = create_company(db, kind.__name__).id
        try:
            percents = run_session(engine, qb, company_id, f"ticket-{kind.__name__}", now)
        finally:
            pool.shutdown(wait=True)
        assert percents[-1] == 100
        stored[kind] = store_state(db, company_id), _reports(db, company_id)
    records, answers = stored[IndentingQuickBooks]
    assert sum(map(len, records.values())) > 100 and len(answers) == 6
    assert stored[IndentingQuickBooks] == stored[FakeQuickBooks]


def test_the_layout_is_quickbooks_own(reference: Path) -> None:
    """An answer recorded from a live company file (SOURCES.md), its layout taken out and
    put back, is the same text."""
    recorded = (reference / "responses/hotglue-qbwc-common/account-add.response.xml").read_text()
    one_line = etree.fromstring(recorded.encode(), etree.XMLParser(remove_blank_text=True))
    assert "\n" not in etree.tostring(one_line, encoding="unicode")
    assert as_quickbooks_writes(etree.tostring(one_line, encoding="unicode")) == recorded

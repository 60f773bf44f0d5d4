"""Odd answers from the Web Connector's side, end to end over real HTTP (issue 18 item 7).

Each one used to crash the engine inside the SOAP call (a ``ValueError`` for an empty
response with an empty hresult, an ``OverflowError`` or an integer-out-of-range error storing
an ``iteratorRemainingCount`` too large for the cursor), so the session failed and the run
said "no errors". Now each is the documented error path: that data type stops for this
session with the reason on the run, the other types are synced, the summary names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from connector.qbwc.client import SessionResult, SessionSummary
from connector.store.db import Database
from connector.store.sync_requests import queue_sync
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import run_webconnector
from tests.e2e.e2e_harness import Link, last_run, latest_now, link_company, live_service


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    db.migrate()
    yield db
    db.dispose()


@dataclass
class OddQuickBooks(FakeQuickBooks):
    """The fake QuickBooks with its answers to one query rewritten by ``odd``."""

    query: str = ""
    odd: Callable[[str], str] = lambda response: response

    def process_request(self, ticket: str, request: str) -> str:
        response = super().process_request(ticket, request)
        return self.odd(response) if f"<{self.query}Rq" in request else response


def _sync(database: Database, odd: Callable[[str], str], query: str) -> tuple[Link, SessionSummary]:
    company = generate(1, "tiny")
    now = latest_now(company)
    with live_service(database) as settings:
        link = link_company(database, settings, "Odd Co", company)
        qb = OddQuickBooks(company=company, clock=lambda: now, query=query, odd=odd)
        summary = run_webconnector(link.qwc, link.password, qb, timeout=120, sleep=_no_sleep)
    return link, summary


def _no_sleep(_seconds: float) -> None:
    pass


def _assert_reported(database: Database, link: Link, data_type: str, words: str) -> None:
    run = last_run(database, link.company_id)
    by_type = {t.data_type: t for t in run.types}
    assert by_type[data_type].status == "error", run
    assert by_type[data_type].errors == 1
    assert run.status == "partial", run.summary
    assert run.summary is not None and f"with errors ({data_type})" in run.summary
    assert "no errors" not in run.summary
    errors = [e for e in run.errors if e.data_type == data_type]
    assert len(errors) == 1 and words in errors[0].message, errors
    others = [t for t in run.types if t.data_type != data_type]
    assert all(t.status == "done" for t in others), [(t.data_type, t.status) for t in others]
    assert by_type["accounts"].fetched > 0


def test_empty_response_with_empty_hresult_is_an_error_on_the_run(database: Database) -> None:
    link, summary = _sync(database, lambda _response: "", "InvoiceQuery")
    assert summary.result is SessionResult.DONE, summary
    _assert_reported(database, link, "invoices", "empty response")


def test_iterator_count_beyond_any_cursor_is_an_error_on_the_run(database: Database) -> None:
    def huge(response: str) -> str:
        return re.sub(
            r'iteratorRemainingCount="\d+"',
            'iteratorRemainingCount="99999999999999999999"',
            response,
        )

    link, summary = _sync(database, huge, "CustomerQuery")
    assert summary.result is SessionResult.DONE, summary
    _assert_reported(database, link, "customers", "iteratorRemainingCount")


def test_the_next_session_after_an_odd_answer_syncs_the_type(database: Database) -> None:
    """Nothing was lost: the type stopped with its watermark where it was, so a normal session
    afterwards brings it complete."""
    company = generate(1, "tiny")
    now: datetime = latest_now(company)
    with live_service(database) as settings:
        link = link_company(database, settings, "Odd Co", company)
        odd = OddQuickBooks(company=company, clock=lambda: now, query="InvoiceQuery")
        odd.odd = lambda _response: ""
        run_webconnector(link.qwc, link.password, odd, timeout=120, sleep=_no_sleep)
        with database.begin() as conn:  # the schedule is not due: ask for a sync now
            queue_sync(conn, link.company_id, None, datetime.now(UTC))
        normal = FakeQuickBooks(company=company, clock=lambda: now)
        summary = run_webconnector(link.qwc, link.password, normal, timeout=120, sleep=_no_sleep)
    assert summary.result is SessionResult.DONE, summary
    run = last_run(database, link.company_id)
    by_type = {t.data_type: t for t in run.types}
    assert run.status == "succeeded", run.summary
    assert by_type["invoices"].fetched == len(list(company.iter_records("invoices")))

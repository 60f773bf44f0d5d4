"""Pages over 10 MB end to end over real HTTP (issue 18 item 2).

The escaped qbXML inside receiveResponseXML is one text node; libxml2 caps a text node near
10 MB unless told otherwise, so a page over that stopped every session at the same page with
``Text node too long`` while the run said "no errors". Now a page is taken up to the
service's body limit (``soap_max_body_bytes``, 64 MiB by default), and a page that still
cannot be taken is an error on the run and is asked again with a smaller page size, so the
sync completes instead of repeating the same failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from connector.qbwc.client import SessionResult
from connector.store import sync_runs as runs
from connector.store.db import Database
from qbd_emulator.company import CompanyFile
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import run_webconnector
from tests.e2e.e2e_harness import last_run, link_company, live_service
from tests.sync.sync_harness import T0, assert_store_equals_company, make_company

INVOICES = 150
LINES = 20
DESC = 4000  # the longest Desc the schema allows is 4095 characters


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    db.migrate()
    yield db
    db.dispose()


def big_invoices() -> CompanyFile:
    """A company whose invoices, all on one page of 250, make a response of about 13 MB."""
    company = make_company(customers=3, invoices=0)
    customer = next(iter(company.iter_records("customers"))).data
    ref = {"ListID": customer["ListID"], "FullName": customer["FullName"]}
    for n in range(INVOICES):
        lines = [
            {
                "TxnLineID": f"{n}-{i}",
                "Desc": f"{n}-{i} " + "long description " * (DESC // 17),
                "Amount": Decimal("1.00"),
            }
            for i in range(LINES)
        ]
        company.add(
            "invoices",
            "InvoiceRet",
            {"CustomerRef": ref, "TxnDate": T0.date(), "InvoiceLineRet": lines},  # type: ignore[dict-item]
            T0 + timedelta(seconds=n),
        )
    return company


def _sync(database: Database, company: CompanyFile, **settings: int) -> tuple[str, SessionResult]:
    now: datetime = T0 + timedelta(days=1)
    with live_service(database, **settings) as service:
        link = link_company(database, service, "Big Co", company)
        qb = FakeQuickBooks(company=company, clock=lambda: now)
        summary = run_webconnector(link.qwc, link.password, qb, timeout=300, sleep=_no_sleep)
    return link.company_id, summary.result


def _no_sleep(_seconds: float) -> None:
    pass


def test_the_page_is_over_10_mb() -> None:
    """The premise: the invoices' one page is larger than libxml2's text-node cap."""
    company = big_invoices()
    qb = FakeQuickBooks(company=company, clock=lambda: T0 + timedelta(days=1))
    qb.open_connection("", "test")
    ticket = qb.begin_session("")
    request = (
        '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        '<InvoiceQueryRq requestID="1" iterator="Start"><MaxReturned>250</MaxReturned>'
        "<IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq></QBXMLMsgsRq></QBXML>"
    )
    assert len(qb.process_request(ticket, request).encode()) > 11_000_000


def test_a_page_over_10_mb_is_taken(database: Database) -> None:
    company = big_invoices()
    company_id, result = _sync(database, company)
    assert result is SessionResult.DONE
    run = last_run(database, company_id)
    assert run.status == "succeeded", run.summary
    assert {t.data_type: t.fetched for t in run.types}["invoices"] == INVOICES
    assert_store_equals_company(database, company_id, company)


def test_a_page_over_the_limit_is_an_error_and_asked_again_smaller(database: Database) -> None:
    """With a body limit of 4 MiB the 13 MB page cannot be taken: the run says so, the
    invoices are asked again with smaller pages in the same session, and every record
    arrives; the smaller page size stays for the next sessions."""
    company = big_invoices()
    company_id, result = _sync(database, company, soap_max_body_bytes=4 * 1024 * 1024)
    assert result is SessionResult.DONE
    run = last_run(database, company_id)
    errors = [e for e in run.errors if e.data_type == "invoices"]
    assert errors and all("limit" in e.message for e in errors), run.errors
    assert run.summary is not None and "no errors" not in run.summary
    assert {t.data_type: t.fetched for t in run.types}["invoices"] == INVOICES
    assert_store_equals_company(database, company_id, company)
    with database.begin() as conn:
        cursor = runs.load_cursors(conn, company_id)["invoices"]
    assert cursor.page_size is not None and cursor.page_size < 250

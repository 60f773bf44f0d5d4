"""``/companies/{companyId}/reports``: the reports a sync took from the fake QuickBooks, a
report asked through the API and answered in the next session, the errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from connector.api.app import create_app
from connector.settings import Settings
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from connector.sync.reports import month_start
from qbd_emulator.generate import generate
from qbd_emulator.generate.gen import NOW
from qbd_emulator.processor import FakeQuickBooks
from tests.api.synced_company import KEY, error_of, no_work
from tests.sync.sync_harness import run_session

WHEN = (NOW + timedelta(hours=1)).astimezone(UTC)
TODAY = WHEN.date()


class Books:
    def __init__(self, db: Database) -> None:
        self.qb = FakeQuickBooks(company=generate(6, "tiny"), clock=lambda: WHEN)
        self.engine = SyncEngine(db, Policy(page_size=100))
        self.company_id = create_company(db, "Ledgers Ltd").id
        settings = Settings(database_url=db.url, port=8080, bootstrap_api_key=KEY)
        self.app: FastAPI = create_app(settings, database=db, work_source_factory=no_work)
        self.sessions = 0
        self.base = f"/api/v1/companies/{self.company_id}/reports"

    def sync(self) -> None:
        self.sessions += 1
        when = WHEN + timedelta(minutes=self.sessions)
        assert (
            run_session(self.engine, self.qb, self.company_id, f"T{self.sessions}", when)[-1] == 100
        )

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                headers = {"Authorization": f"Bearer {KEY}"}
                return await c.request(method, self.base + url, headers=headers, **kwargs)

        return asyncio.run(go())


@pytest.fixture
def books(db: Database) -> Books:
    synced = Books(db)
    synced.sync()
    return synced


def money(value: str) -> Decimal:
    return Decimal(value)


def test_the_balance_sheet_balances_and_names_accounts(books: Books) -> None:
    sheet = books.call("GET", "/balance-sheet")
    assert sheet.status_code == 200, sheet.text
    body = sheet.json()
    assert body["asOf"] == TODAY.isoformat() and body["basis"] == "accrual"
    assert len(body["columns"]) == 1 and body["columns"][0]["asOf"] == TODAY.isoformat()
    summary = body["summary"]
    assert money(summary["totalAssets"]) == money(summary["totalLiabilities"]) + money(
        summary["totalEquity"]
    )
    accounts = [row for row in body["rows"] if row.get("accountId")]
    assert accounts and all(row["kind"] == "data" for row in accounts)
    # a month end of the monthly balance sheet, as its own report
    month_end = month_start(TODAY, -2) - timedelta(days=1)
    earlier = books.call("GET", "/balance-sheet", params={"asOf": month_end.isoformat()})
    assert earlier.status_code == 200, earlier.text
    assert earlier.json()["asOf"] == month_end.isoformat()
    assert len(earlier.json()["columns"]) == 1


def test_profit_and_loss_year_to_date_and_by_month(books: Books) -> None:
    latest = books.call("GET", "/profit-and-loss").json()
    assert (
        latest["from"] == date(TODAY.year, 1, 1).isoformat() and latest["to"] == TODAY.isoformat()
    )
    assert set(latest["summary"]) == {
        "totalIncome",
        "totalCostOfGoodsSold",
        "grossProfit",
        "totalExpenses",
        "netIncome",
    }
    first = month_start(TODAY, -5)
    last = month_start(TODAY, -4) - timedelta(days=1)
    month = books.call("GET", "/profit-and-loss", params={"from": str(first), "to": str(last)})
    assert month.status_code == 200, month.text
    assert month.json()["columns"][0]["from"] == str(first)
    net = money(month.json()["summary"]["netIncome"])
    assert next(r for r in month.json()["rows"] if r["label"] == "Net Income")["values"] == [
        str(net)
    ]


def test_trial_balance_and_aging(books: Books) -> None:
    trial = books.call("GET", "/trial-balance").json()["summary"]
    assert trial["totalDebit"] == trial["totalCredit"]
    aged = books.call("GET", "/aged-receivables").json()["summary"]
    assert money(aged["total"]) == sum(money(v) for v in aged["buckets"].values())
    assert books.call("GET", "/aged-payables").status_code == 200


def test_a_report_request_is_answered_in_the_next_session(books: Books) -> None:
    dates = {"from": "2023-01-01", "to": "2023-03-31"}
    missing = books.call("GET", "/profit-and-loss", params=dates | {"basis": "cash"})
    error_of(missing, 404, "report_not_found")
    asked = books.call("POST", "/profit-and-loss/requests", json=dates | {"basis": "cash"})
    assert asked.status_code == 202, asked.text
    request = asked.json()
    assert request["status"] == "queued" and request["from"] == "2023-01-01"
    books.sync()
    shown = books.call("GET", f"/profit-and-loss/requests/{request['id']}").json()
    assert shown["status"] == "done" and shown["answeredAt"]
    report = books.call("GET", "/profit-and-loss", params=dates | {"basis": "cash"})
    assert report.status_code == 200 and report.json()["basis"] == "cash"


def test_dates_that_do_not_fit_are_refused(books: Books) -> None:
    error_of(
        books.call("GET", "/profit-and-loss", params={"asOf": "2024-01-01"}),
        422,
        "invalid_report_dates",
    )
    error_of(
        books.call("GET", "/balance-sheet", params={"from": "2024-01-01", "to": "2024-02-01"}),
        422,
        "invalid_report_dates",
    )
    error_of(
        books.call(
            "POST", "/profit-and-loss/requests", json={"from": "2024-02-01", "to": "2024-01-01"}
        ),
        422,
        "invalid_report_dates",
    )
    error_of(books.call("POST", "/profit-and-loss/requests", json={}), 422, "invalid_report_dates")
    assert books.call("GET", "/income-statement").status_code == 422
    error_of(books.call("GET", "/balance-sheet/requests/nope"), 404, "report_request_not_found")

"""Financial reports end to end over real HTTP on loopback (issue 17): the QBWC client with
the fake QuickBooks talks SOAP to the live service; after the first sync the REST API's
balance sheet balances and equals the fake's books, and a profit and loss asked through the
API is answered in the next session with the totals the fake QuickBooks computes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connector.qbwc.client import SessionResult
from connector.store.db import Database
from qbd_emulator.company.statements import balance_sheet, profit_and_loss
from qbd_emulator.generate import generate
from tests.e2e.e2e_harness import latest_now, link_company, live_service, session

KEY = "reports-e2e-key"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    db.migrate()
    yield db
    db.dispose()


def _total(statement: Any, label: str) -> Decimal:
    row = next(r for r in statement.rows if r.label == label)
    value = row.values[-1]
    assert isinstance(value, Decimal)
    return value


def test_reports_through_the_web_connector(database: Database) -> None:
    company = generate(11, "tiny")
    now = latest_now(company)
    with live_service(database, bootstrap_api_key=KEY) as settings:
        link = link_company(database, settings, "Reports Co", company)
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{settings.port}/api/v1/companies/{link.company_id}",
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=30,
        )
        assert session(link, company, now).result is SessionResult.DONE
        sheet = api.get("/reports/balance-sheet")
        assert sheet.status_code == 200, sheet.text
        body = sheet.json()
        assets = Decimal(body["summary"]["totalAssets"])
        liabilities = Decimal(body["summary"]["totalLiabilities"])
        assert assets == liabilities + Decimal(body["summary"]["totalEquity"]) and assets
        fake = balance_sheet(company, "Accrual", [date.fromisoformat(body["asOf"])])
        assert assets == _total(fake, "TOTAL ASSETS")

        asked = api.post(
            "/reports/profit-and-loss/requests", json={"from": "2023-01-01", "to": "2023-12-31"}
        )
        assert asked.status_code == 202 and asked.json()["status"] == "queued", asked.text
        assert session(link, company, now).result is SessionResult.DONE  # the next session
        request = api.get(f"/reports/profit-and-loss/requests/{asked.json()['id']}").json()
        assert request["status"] == "done", request
        got = api.get("/reports/profit-and-loss", params={"from": "2023-01-01", "to": "2023-12-31"})
        assert got.status_code == 200, got.text
        summary = got.json()["summary"]
        fake_pnl = profit_and_loss(company, "Accrual", date(2023, 1, 1), date(2023, 12, 31), False)
        assert Decimal(summary["netIncome"]) == _total(fake_pnl, "Net Income") != 0
        assert Decimal(summary["totalIncome"]) == _total(fake_pnl, "Total Income")
        api.close()

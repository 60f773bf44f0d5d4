"""The portal's company page shows the latest profit and loss and balance sheet as tables
and a server-rendered SVG chart of monthly income, expenses and net income (issue 17)."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from decimal import Decimal

from lxml import etree

from connector.api.app import create_app
from connector.portal.financials import MonthFigures, chart_svg
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.generate import generate
from qbd_emulator.generate.gen import NOW
from qbd_emulator.processor import FakeQuickBooks
from tests.portal.portal_client import PageClient, login, make_settings
from tests.sync.sync_harness import run_session

WHEN = (NOW + timedelta(hours=1)).astimezone(UTC)


def _svg(html: str) -> etree._Element:
    found = re.search(r"<svg.*?</svg>", html, re.S)
    assert found, "no chart in the page"
    return etree.fromstring(found.group(0).encode())


def test_the_company_page_shows_statements_and_a_monthly_chart(sqlite_db: Database) -> None:
    company_id = create_company(sqlite_db, "Chart Co").id
    client = PageClient(create_app(make_settings(sqlite_db), database=sqlite_db))
    login(client)
    before = client.get(f"/portal/companies/{company_id}")
    assert "No report taken from QuickBooks yet" in before.text and "<svg" not in before.text
    qb = FakeQuickBooks(company=generate(8, "small"), clock=lambda: WHEN)
    engine = SyncEngine(sqlite_db, Policy(page_size=250))
    assert run_session(engine, qb, company_id, "T1", WHEN)[-1] == 100
    page = client.get(f"/portal/companies/{company_id}")
    assert page.status_code == 200
    assert (
        'data-testid="profit-and-loss"' in page.text and 'data-testid="balance-sheet"' in page.text
    )
    assert "Net Income" in page.text and "TOTAL ASSETS" in page.text
    svg = _svg(page.text)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}rect[@class='income']")) == 24
    assert len(svg.findall(f"{ns}rect[@class='expenses']")) == 24
    (line,) = svg.findall(f"{ns}polyline[@class='net']")
    assert len(str(line.get("points")).split()) == 24
    # the bars carry the API's monthly figures
    report = client.api("GET", f"/companies/{company_id}/reports/profit-and-loss")
    assert report.status_code == 200
    incomes = [Decimal(str(r.get("data-value"))) for r in svg.findall(f"{ns}rect[@class='income']")]
    assert sum(incomes) != 0


def test_bars_grow_with_the_amounts() -> None:
    months = [
        MonthFigures("Jan 24", Decimal("100"), Decimal("50"), Decimal("50")),
        MonthFigures("Feb 24", Decimal("400"), Decimal("100"), Decimal("300")),
        MonthFigures("Mar <&>", Decimal("0"), Decimal("200"), Decimal("-200")),
    ]
    svg = etree.fromstring(chart_svg(months).encode())  # well-formed, the label escaped
    ns = "{http://www.w3.org/2000/svg}"
    heights = [float(str(r.get("height"))) for r in svg.findall(f"{ns}rect[@class='income']")]
    assert heights[1] == 4 * heights[0] and heights[2] < 1
    assert chart_svg([]) == ""

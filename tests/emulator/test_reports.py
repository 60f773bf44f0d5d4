"""The fake QuickBooks' financial reports: schema-valid for every version, and consistent
the way real books are (hypothesis over generated companies): the trial balance sums to
zero, the balance sheet balances, a year's net income is the change in retained earnings
across it, aged receivables equal the open invoices less credits."""

from __future__ import annotations

import copy
import sys
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.qbxml.parse import parse_response
from connector.qbxml.values import Record, RecordData, ResponseStart
from qbd_emulator.company import CompanyFile
from qbd_emulator.company.ledger import accounts, balances, daily, postings
from qbd_emulator.company.statements import running
from tests.emulator.test_processor_support import (
    assert_valid,
    company,
    fixed_clock,
    rq,
    session,
)

ZERO = Decimal("0.00")
VERSIONS = ("13.0", "14.0", "15.0", "16.0")
TODAY = date(2024, 6, 28)  # the generator's NOW (tests/emulator/test_processor_support LATER)


def general(kind: str, extra: str = "", basis: str = "Accrual") -> str:
    return (
        f"<GeneralSummaryReportQueryRq><GeneralSummaryReportType>{kind}"
        f"</GeneralSummaryReportType>{extra}<ReportBasis>{basis}</ReportBasis>"
        "</GeneralSummaryReportQueryRq>"
    )


def span(start: date, end: date) -> str:
    return (
        f"<ReportPeriod><FromReportDate>{start}</FromReportDate>"
        f"<ToReportDate>{end}</ToReportDate></ReportPeriod>"
    )


def aging(kind: str, extra: str = "") -> str:
    return (
        f"<AgingReportQueryRq><AgingReportType>{kind}</AgingReportType>{extra}</AgingReportQueryRq>"
    )


def ask(comp: CompanyFile, body: str, version: str = "16.0") -> tuple[str, RecordData]:
    """The response text and the ``ReportRet`` read by the connector's parser."""
    qb, ticket = session(comp, fixed_clock())
    text = qb.process_request(ticket, rq(body, version))
    events = parse_response(text)
    starts = [e for e in events if isinstance(e, ResponseStart)]
    assert starts and starts[0].status.code == 0, text[:600]
    reports = [e.data for e in events if isinstance(e, Record) and e.ret == "ReportRet"]
    assert len(reports) == 1, text[:600]
    return text, reports[0]


def money(text: object) -> Decimal:
    return Decimal(str(text)) if text not in ("", None) else ZERO


def row(report: RecordData, label: str, kind: str | None = None) -> list[Decimal]:
    rows = report["Rows"]
    assert isinstance(rows, list)
    for found in rows:
        assert isinstance(found, dict)
        if found["Label"] == label and (kind is None or found["Kind"] == kind):
            values = found["Values"]
            assert isinstance(values, list)
            return [money(v) for v in values]
    return []


def _single(report: RecordData, label: str) -> Decimal:
    """The one column of ``label``'s row; zero when the report has no such row."""
    values = row(report, label)
    assert len(values) <= 1, (label, values)
    return values[0] if values else ZERO


BODIES = {
    "pnl-month": general(
        "ProfitAndLossStandard",
        span(date(2023, 1, 1), date(2024, 6, 28))
        + "<SummarizeColumnsBy>Month</SummarizeColumnsBy>",
    ),
    "pnl-ytd-cash": general(
        "ProfitAndLossStandard", "<ReportDateMacro>ThisYearToDate</ReportDateMacro>", "Cash"
    ),
    "bs-month": general(
        "BalanceSheetStandard",
        "<ReportDateMacro>LastYear</ReportDateMacro><SummarizeColumnsBy>Month</SummarizeColumnsBy>",
    ),
    "bs-today": general("BalanceSheetStandard"),
    "tb": general("TrialBalance", "<ReportDateMacro>Today</ReportDateMacro>"),
    "ar": aging("ARAgingSummary", "<ReportDateMacro>Today</ReportDateMacro>"),
    "ap": aging("APAgingSummary", span(date(2024, 1, 1), date(2024, 3, 31))),
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_report_is_valid_against_its_versions_schema(version: str, name: str) -> None:
    text, report = ask(company(2, "tiny"), BODIES[name], version)
    assert_valid(version, text)
    assert report["Rows"], text[:600]


def test_a_monthly_profit_and_loss_has_a_column_per_month_and_a_total() -> None:
    _, report = ask(company(2, "small"), BODIES["pnl-month"])
    columns = report["Columns"]
    assert isinstance(columns, list)
    titles = [c["Title"] for c in columns if isinstance(c, dict)]
    assert titles[1] == "Jan 23" and titles[-2] == "Jun 1 - Jun 28, 24" and titles[-1] == "TOTAL"
    assert len(titles) == 1 + 18 + 1
    for label in ("Total Income", "Net Income"):
        values = row(report, label)
        assert sum(values[:-1], ZERO) == values[-1], label
    assert row(report, "Net Income", "total")


def test_unsupported_reports_and_filters_are_refused_not_invented() -> None:
    qb, ticket = session(company(1, "tiny"), fixed_clock())
    for body in (
        general("SalesByRepSummary"),
        general("ProfitAndLossStandard", "<SummarizeColumnsBy>Class</SummarizeColumnsBy>"),
        aging("CollectionsReport"),
    ):
        text = qb.process_request(ticket, rq(body))
        assert 'statusCode="1030"' in text, text[:400]


def _properties(comp: CompanyFile) -> None:
    # the trial balance sums to zero (debits = credits), both bases
    for basis in ("Accrual", "Cash"):
        _, tb = ask(comp, general("TrialBalance", basis=basis))
        debit, credit = row(tb, "TOTAL", "total")
        assert debit == credit and debit > 0
    # the balance sheet balances at every month end of the last two years
    extra = span(date(2022, 7, 1), TODAY) + "<SummarizeColumnsBy>Month</SummarizeColumnsBy>"
    _, bs = ask(comp, general("BalanceSheetStandard", extra))
    assets = row(bs, "TOTAL ASSETS")
    assert assets == row(bs, "TOTAL LIABILITIES & EQUITY", "total") and len(assets) == 24
    # a year's net income is the change in retained earnings across it
    _, pnl = ask(comp, general("ProfitAndLossStandard", span(date(2023, 1, 1), date(2023, 12, 31))))
    (net,) = row(pnl, "Net Income", "total")
    _, opening = ask(
        comp, general("BalanceSheetStandard", span(date(2023, 1, 1), date(2023, 1, 1)))
    )
    _, closing = ask(
        comp, general("BalanceSheetStandard", span(date(2024, 1, 1), date(2024, 1, 1)))
    )
    retained = next(a for a in accounts(comp).values() if a.special == "RetainedEarnings")
    direct = -balances(postings(comp), date(2023, 1, 1), date(2023, 12, 31)).get(
        retained.list_id, ZERO
    )
    # a balance sheet leaves out an account with nothing in it (seed 77: no retained earnings yet)
    change = _single(closing, retained.full_name) - _single(opening, retained.full_name)
    assert change == net + direct
    # aged receivables equal the open invoices less credits and unused payments
    open_total = sum(
        (money(r.data.get("BalanceRemaining")) for r in comp.iter_records("invoices")), ZERO
    )
    open_total -= sum(
        (money(r.data.get("CreditRemaining")) for r in comp.iter_records("credit_memos")), ZERO
    )
    open_total -= sum(
        (money(r.data.get("UnusedPayment")) for r in comp.iter_records("receive_payments")), ZERO
    )
    _, ar = ask(comp, aging("ARAgingSummary"))
    assert row(ar, "TOTAL", "total")[-1] == open_total
    ar_account = next(a for a in accounts(comp).values() if a.type == "AccountsReceivable")
    assert row(bs, ar_account.full_name)[-1] == open_total
    open_bills = sum((money(r.data.get("OpenAmount")) for r in comp.iter_records("bills")), ZERO)
    open_bills -= sum(
        (money(r.data.get("OpenAmount")) for r in comp.iter_records("vendor_credits")), ZERO
    )
    _, ap = ask(comp, aging("APAgingSummary"))
    assert row(ap, "TOTAL", "total")[-1] == open_bills


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10_000), size=st.sampled_from(["tiny", "small"]))
def test_generated_books_are_consistent(seed: int, size: str) -> None:
    from qbd_emulator.generate import generate

    _properties(generate(seed, size))


@pytest.mark.slow
def test_a_medium_company_s_books_are_consistent() -> None:
    from qbd_emulator.generate import generate

    _properties(generate(5, "medium"))


def test_cash_basis_counts_an_invoice_when_it_is_paid() -> None:
    comp = company(3, "small")
    window = span(TODAY - timedelta(days=365), TODAY)
    _, accrual = ask(comp, general("ProfitAndLossStandard", window))
    _, cash = ask(comp, general("ProfitAndLossStandard", window, "Cash"))
    assert row(accrual, "Total Income") != row(cash, "Total Income")
    _, cash_bs = ask(comp, general("BalanceSheetStandard", basis="Cash"))
    assert row(cash_bs, "TOTAL ASSETS") == row(cash_bs, "TOTAL LIABILITIES & EQUITY")


def test_basis_none_is_the_company_s_preference() -> None:
    comp = company(1, "tiny")
    prefs = dict(comp.preferences)
    prefs["ReportsPreferences"] = dict(prefs["ReportsPreferences"]) | {"SummaryReportBasis": "Cash"}  # type: ignore[arg-type]
    comp.preferences = prefs
    body = "<GeneralSummaryReportQueryRq><GeneralSummaryReportType>TrialBalance</GeneralSummaryReportType><ReportBasis>None</ReportBasis></GeneralSummaryReportQueryRq>"
    _, report = ask(comp, body)
    assert report["ReportBasis"] == "Cash"
    _, accrual = ask(comp, general("TrialBalance"))
    assert accrual["ReportBasis"] == "Accrual"


def test_reports_follow_a_transaction_written_and_deleted() -> None:
    comp = company(2, "tiny")
    _, before = ask(comp, general("TrialBalance"))
    office = row(before, "Office Supplies") or [ZERO, ZERO]
    entry = (
        "<JournalEntryAddRq><JournalEntryAdd><TxnDate>2024-06-01</TxnDate>"
        "<JournalDebitLine><AccountRef><FullName>Office Supplies</FullName></AccountRef>"
        "<Amount>100.00</Amount></JournalDebitLine><JournalCreditLine><AccountRef>"
        "<FullName>Checking</FullName></AccountRef><Amount>100.00</Amount>"
        "</JournalCreditLine></JournalEntryAdd></JournalEntryAddRq>"
    )
    qb, ticket = session(comp, fixed_clock())
    added = qb.process_request(ticket, rq(entry))
    txn_id = added.split("<TxnID>")[1].split("</TxnID>")[0]
    _, after = ask(comp, general("TrialBalance"))
    assert row(after, "Office Supplies")[0] == office[0] + Decimal("100.00")
    assert row(after, "TOTAL")[0] == row(after, "TOTAL")[1]
    delete = f"<TxnDelRq><TxnDelType>JournalEntry</TxnDelType><TxnID>{txn_id}</TxnID></TxnDelRq>"
    assert 'statusCode="0"' in qb.process_request(ticket, rq(delete))
    _, again = ask(comp, general("TrialBalance"))
    assert (row(again, "Office Supplies") or [ZERO, ZERO])[0] == office[0]


def test_the_ledger_of_many_companies_in_threads_at_once() -> None:
    """Fake QuickBooks of several companies in threads of one process (the fleet bench runs
    hundreds): the ledger's memo of each file is found and swept safely. Before its lock, a
    sweep met another thread's insert: "dictionary changed size during iteration"."""
    base = company(1, "tiny")
    want = postings(base)
    errors: list[BaseException] = []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the threads switch as often as the interpreter can

    def books() -> None:
        kept = []  # alive: every file keeps its memo, so each sweep walks them all
        try:
            for _ in range(200):
                kept.append(copy.copy(base))
                assert postings(kept[-1]) == want
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=books) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert not errors, errors[:2]


def test_the_daily_sums_give_the_balances_of_every_posting() -> None:
    """The statements read running balances off ``daily`` (the postings summed per day and
    account); on any day they are the balances of the postings themselves."""
    comp = company(3, "small")
    entries, sums = postings(comp), daily(comp)
    assert len(sums) < len(entries)
    assert [e.day for e in sums] == sorted(e.day for e in sums)
    days = sorted({e.day for e in entries})
    points = [days[0] - timedelta(days=1), days[0], days[len(days) // 2], days[-1]]
    assert running(sums, points) == running(entries, points)
    for day in points:
        assert balances(sums, end=day) == balances(entries, end=day)
    assert daily(comp) is sums  # made once while the books do not change

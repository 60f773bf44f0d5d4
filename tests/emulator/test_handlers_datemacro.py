"""DateMacro periods, and the filter using them against the company file."""

from __future__ import annotations

from datetime import date

import pytest

from connector.qbxml.schema import Schema
from qbd_emulator.handlers.datemacro import period
from tests.emulator.test_processor_support import company, ids, one, rq, session

TODAY = date(2024, 6, 28)  # a Friday


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("All", (None, None)),
        ("Today", (TODAY, TODAY)),
        ("Yesterday", (date(2024, 6, 27), date(2024, 6, 27))),
        ("ThisWeek", (date(2024, 6, 23), date(2024, 6, 29))),
        ("ThisWeekToDate", (date(2024, 6, 23), TODAY)),
        ("LastWeek", (date(2024, 6, 16), date(2024, 6, 22))),
        ("NextFourWeeks", (date(2024, 6, 30), date(2024, 7, 27))),
        ("ThisMonth", (date(2024, 6, 1), date(2024, 6, 30))),
        ("LastMonth", (date(2024, 5, 1), date(2024, 5, 31))),
        ("LastMonthToDate", (date(2024, 5, 1), date(2024, 5, 28))),
        ("NextMonth", (date(2024, 7, 1), date(2024, 7, 31))),
        ("ThisCalendarQuarter", (date(2024, 4, 1), date(2024, 6, 30))),
        ("LastCalendarQuarter", (date(2024, 1, 1), date(2024, 3, 31))),
        ("ThisCalendarYear", (date(2024, 1, 1), date(2024, 12, 31))),
        ("LastCalendarYearToDate", (date(2023, 1, 1), date(2023, 6, 28))),
        ("NextCalendarYear", (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_calendar_periods(macro: str, expected: tuple[date | None, date | None]) -> None:
    assert period(macro, TODAY) == expected


def test_fiscal_periods_follow_the_first_fiscal_month() -> None:
    assert period("ThisFiscalYear", TODAY, "October") == (date(2023, 10, 1), date(2024, 9, 30))
    assert period("ThisFiscalQuarter", TODAY, "October") == (date(2024, 4, 1), date(2024, 6, 30))
    assert period("LastFiscalYear", TODAY, "July") == (date(2022, 7, 1), date(2023, 6, 30))


def test_every_schema_macro_is_known() -> None:
    leaf = Schema.for_version("16.0").leaf("TxnDateRangeFilter", "DateMacro")
    assert leaf is not None and leaf.enum
    for macro in leaf.enum:
        lo, hi = period(macro, TODAY, "April")
        assert lo is None or hi is None or lo <= hi, macro


def test_date_macro_filter_selects_by_txn_date() -> None:
    comp = company(1)
    qb, ticket = session(comp)  # the clock is the generated file's "now" + 1 hour
    lo, hi = period("ThisCalendarYear", TODAY)
    expected = sorted(
        str(r.data["TxnID"])
        for r in comp.iter_records("invoices")
        if lo <= r.data["TxnDate"] <= hi  # type: ignore[operator]
    )
    rs = one(
        qb.process_request(
            ticket,
            rq(
                "<InvoiceQueryRq><TxnDateRangeFilter><DateMacro>ThisCalendarYear</DateMacro></TxnDateRangeFilter></InvoiceQueryRq>"
            ),
        )
    )
    assert sorted(ids(rs, "TxnID")) == expected

"""``DateMacro`` of ``TxnDateRangeFilter``: a named period as a (from, to) pair of dates.

Owns: the calendar arithmetic for the 34 macros of the qbXML schema, relative to the
injected clock's date and the company's first fiscal month (CompanyRet
``FirstMonthFiscalYear``). Weeks start on Sunday (QuickBooks' US default; uncertain for
files whose TimeTrackingPreferences say otherwise). "ToDate" periods end today; "All" is
unbounded. Must not: read the clock or the company file itself.
"""

from __future__ import annotations

from datetime import date, timedelta

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

Period = tuple[date | None, date | None]
Span = tuple[date, date]


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _span(start: date, months: int) -> Span:
    return start, _month_start(start, months) - timedelta(days=1)


def _week(today: date, shift: int) -> Span:
    start = today - timedelta(days=(today.weekday() + 1) % 7) + timedelta(weeks=shift)
    return start, start + timedelta(days=6)


def _quarter_start(today: date, first_month: int) -> date:
    offset = (today.month - first_month) % 3
    return _month_start(today, -offset)


def _year_start(today: date, first_month: int) -> date:
    offset = (today.month - first_month) % 12
    return _month_start(today, -offset)


def period(macro: str, today: date, first_fiscal_month: str | None = None) -> Period:
    """The dates ``macro`` stands for on ``today``; ``ValueError`` for an unknown macro."""
    fiscal = MONTHS.index(first_fiscal_month) + 1 if first_fiscal_month in MONTHS else 1
    if macro == "All":
        return None, None
    if macro == "Today":
        return today, today
    if macro == "Yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if macro == "NextFourWeeks":
        start = _week(today, 1)[0]
        return start, start + timedelta(days=27)
    base = macro.removesuffix("ToDate")
    when, unit = _split(base)
    shift = {"This": 0, "Last": -1, "Next": 1}[when]
    span: Span
    if unit == "Week":
        span = _week(today, shift)
    elif unit == "Month":
        span = _span(_month_start(today, shift), 1)
    elif unit in ("CalendarQuarter", "FiscalQuarter"):
        first = 1 if unit.startswith("Calendar") else fiscal
        span = _span(_month_start(_quarter_start(today, first), 3 * shift), 3)
    elif unit in ("CalendarYear", "FiscalYear"):
        first = 1 if unit.startswith("Calendar") else fiscal
        span = _span(_month_start(_year_start(today, first), 12 * shift), 12)
    else:
        raise ValueError(f"unknown DateMacro {macro!r}")
    if macro.endswith("ToDate"):
        # a past period "to date" runs as far into it as today is into the current one
        # (uncertain: QuickBooks' reading of LastMonthToDate and kin)
        start, stop = span
        end = today if shift == 0 else _same_day(today, unit, shift)
        return start, min(end, stop)
    return span


def _same_day(today: date, unit: str, shift: int) -> date:
    """``today`` moved ``shift`` periods of ``unit``, the day clamped to the month's end."""
    if unit == "Week":
        return today + timedelta(weeks=shift)
    months = {"Month": 1}.get(unit, 3 if unit.endswith("Quarter") else 12) * shift
    first = _month_start(today, months)
    last = _month_start(first, 1) - timedelta(days=1)
    return first.replace(day=min(today.day, last.day))


def _split(name: str) -> tuple[str, str]:
    for when in ("This", "Last", "Next"):
        if name.startswith(when):
            return when, name.removeprefix(when)
    raise ValueError(f"unknown DateMacro {name!r}")

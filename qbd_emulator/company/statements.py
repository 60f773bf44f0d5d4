"""Financial statements computed from the ledger: profit and loss, balance sheet, trial
balance (the A/R and A/P aging summaries: ``aging.py``).

Owns: the rows and columns of each report, in the order QuickBooks lays them out (the
sections, subtotals and totals of Intuit's standard reports; flat accounts by FullName,
where QuickBooks also nests sub-accounts under their parent: a simplification), as plain
values. ``handlers/reports.py`` turns a ``Statement`` into a ``ReportRet``.
Must not: read the clock (``today`` is passed in), do I/O, or know qbXML syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .ledger import ZERO, Account, Posting, accounts, daily
from .model import CompanyFile


def running(entries: Iterable[Posting], days: Iterable[date]) -> dict[date, dict[str, Decimal]]:
    """Net debit per account from the beginning to the end of each of ``days``, in one
    pass over the postings (sorted once) however many days are asked."""
    ordered = sorted(entries, key=lambda entry: entry.day)
    out: dict[date, dict[str, Decimal]] = {}
    current: dict[str, Decimal] = {}
    index = 0
    for day in sorted(set(days)):
        while index < len(ordered) and ordered[index].day <= day:
            entry = ordered[index]
            current[entry.account] = current.get(entry.account, ZERO) + entry.amount
            index += 1
        out[day] = dict(current)
    return out


def difference(later: dict[str, Decimal], earlier: dict[str, Decimal]) -> dict[str, Decimal]:
    """Net debit per account between two ``running`` points."""
    return {key: value - earlier.get(key, ZERO) for key, value in later.items()}


@dataclass(frozen=True)
class Row:
    kind: str
    """``data``, ``text``, ``subtotal`` or ``total`` (DataRow, TextRow, SubtotalRow, TotalRow)."""
    label: str
    values: tuple[Decimal | None, ...] = ()
    row_type: str = "label"
    """RowData rowType: ``account``, ``customer``, ``vendor`` or ``label``."""


@dataclass(frozen=True)
class Column:
    title: str
    col_type: str
    """ColType: ``Label``, ``Amount``, ``Debit``, ``Credit``, ``Total``..."""
    data_type: str = "AMTTYPE"


@dataclass
class Statement:
    title: str
    subtitle: str
    basis: str | None
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)


MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_spans(start: date, end: date) -> list[tuple[date, date]]:
    """[start, end] cut at month ends (the first and last pieces may be partial)."""
    out: list[tuple[date, date]] = []
    first = start
    while first <= end:
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(nxt - timedelta(days=1), end)
        out.append((first, last))
        first = nxt
    return out


def span_title(start: date | None, end: date) -> str:
    """A column title as QuickBooks writes them: ``Jan 24``, ``Jan 1 - 15, 24``."""
    if start is not None and start.day == 1 and start.month == end.month and start.year == end.year:
        month_end = date(end.year + end.month // 12, end.month % 12 + 1, 1) - timedelta(days=1)
        if end == month_end:
            return f"{MONTH_ABBR[end.month - 1]} {end:%y}"
    if start is None:
        return f"{MONTH_ABBR[end.month - 1]} {end.day}, {end:%y}"
    return f"{MONTH_ABBR[start.month - 1]} {start.day} - {MONTH_ABBR[end.month - 1]} {end.day}, {end:%y}"


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


PNL_SECTIONS = (
    ("Income", "Income", "Total Income"),
    ("Cost of Goods Sold", "CostOfGoodsSold", "Total COGS"),
    ("Expense", "Expense", "Total Expense"),
    ("Other Income", "OtherIncome", "Total Other Income"),
    ("Other Expense", "OtherExpense", "Total Other Expense"),
)


def profit_and_loss(
    company: CompanyFile, basis: str, start: date, end: date, by_month: bool
) -> Statement:
    """Income, COGS, gross profit, expenses, other income and expense, net income; one
    column per month and a TOTAL column when ``by_month``."""
    spans: list[tuple[date, date]] = month_spans(start, end) if by_month else [(start, end)]
    if by_month:
        spans.append((start, end))
    titles = (
        [span_title(a, b) for a, b in spans[:-1]] + ["TOTAL"]
        if by_month
        else [span_title(start, end)]
    )
    table, entries = accounts(company), daily(company, basis)
    points = running(entries, [d for a, b in spans for d in (a - timedelta(days=1), b)])
    per_span = [difference(points[b], points[a - timedelta(days=1)]) for a, b in spans]
    statement = Statement(
        "Profit & Loss",
        f"{long_date(start)} through {long_date(end)}",
        basis,
        [Column("", "Label", "STRTYPE")] + [Column(t, "Amount") for t in titles],
    )
    rows = statement.rows
    totals: dict[str, tuple[Decimal, ...]] = {}
    for heading, kind, total_label in PNL_SECTIONS:
        members = [a for a in table.values() if a.type == kind]
        amounts = [_shown(a, per_span) for a in members]
        section = _sum_columns(amounts, len(spans))
        totals[kind] = section
        shown = _group(heading, members, amounts, total_label, section)
        rows += shown
        if shown and kind == "CostOfGoodsSold":
            rows.append(Row("subtotal", "Gross Profit", _minus(totals["Income"], section)))
    ordinary = _minus(_minus(totals["Income"], totals["CostOfGoodsSold"]), totals["Expense"])
    other = _minus(totals["OtherIncome"], totals["OtherExpense"])
    rows.append(Row("subtotal", "Net Ordinary Income", ordinary))
    if any(other):
        rows.append(Row("subtotal", "Net Other Income", other))
    rows.append(Row("total", "Net Income", _plus(ordinary, other)))
    return statement


def _group(
    heading: str,
    members: Sequence[Account],
    amounts: Sequence[tuple[Decimal, ...]],
    total_label: str,
    total: tuple[Decimal, ...],
) -> list[Row]:
    """A heading, a row for each member account with an amount, and the subtotal; no rows
    at all when no member has an amount (QuickBooks leaves an empty group out)."""
    if not any(any(v) for v in amounts):
        return []
    lines = [
        Row("data", a.full_name, v, "account")
        for a, v in zip(members, amounts, strict=True)
        if any(v)
    ]
    return [Row("text", heading), *lines, Row("subtotal", total_label, total)]


def _shown(account: Account, per_span: Sequence[dict[str, Decimal]]) -> tuple[Decimal, ...]:
    return tuple(account.sign * b.get(account.list_id, ZERO) for b in per_span)


def _sum_columns(rows: Sequence[Sequence[Decimal]], width: int) -> tuple[Decimal, ...]:
    return tuple(sum((row[i] for row in rows), ZERO) for i in range(width))


def _minus(a: Sequence[Decimal], b: Sequence[Decimal]) -> tuple[Decimal, ...]:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _plus(a: Sequence[Decimal], b: Sequence[Decimal]) -> tuple[Decimal, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def fiscal_year_start(company: CompanyFile, day: date) -> date:
    """The first day of the fiscal year ``day`` is in (CompanyRet FirstMonthFiscalYear)."""
    name = str(company.company_info.get("FirstMonthFiscalYear", "January"))
    first = MONTHS.index(name) + 1 if name in MONTHS else 1
    year = day.year if day.month >= first else day.year - 1
    return date(year, first, 1)


BS_SECTIONS = (
    ("ASSETS", (
        ("Current Assets", ("Bank", "AccountsReceivable", "OtherCurrentAsset")),
        ("Fixed Assets", ("FixedAsset",)),
        ("Other Assets", ("OtherAsset",)),
    ), "TOTAL ASSETS"),
    ("Liabilities", (
        ("Current Liabilities", ("AccountsPayable", "CreditCard", "OtherCurrentLiability")),
        ("Long Term Liabilities", ("LongTermLiability",)),
    ), "Total Liabilities"),
)  # fmt: skip


def balance_sheet(company: CompanyFile, basis: str, as_of: Sequence[date]) -> Statement:
    """Assets, liabilities and equity at each date of ``as_of`` (one column each); equity
    carries retained earnings (the file's account plus the net income of earlier fiscal
    years) and the current fiscal year's net income."""
    table, entries = accounts(company), daily(company, basis)
    starts = [fiscal_year_start(company, day) - timedelta(days=1) for day in as_of]
    points = running(entries, [*as_of, *starts])
    at = [points[day] for day in as_of]
    width = len(as_of)
    retained = next((a for a in table.values() if a.special == "RetainedEarnings"), None)
    net_now: list[Decimal] = []
    earlier: list[Decimal] = []
    for start, upto in zip(starts, at, strict=True):
        before = points[start]
        net_now.append(_net_income(table, upto) - _net_income(table, before))
        earlier.append(_net_income(table, before))
    statement = Statement(
        "Balance Sheet",
        f"As of {long_date(as_of[-1])}",
        basis,
        [Column("", "Label", "STRTYPE")] + [Column(span_title(None, d), "Amount") for d in as_of],
    )
    rows = statement.rows
    section_totals: list[tuple[Decimal, ...]] = []
    for heading, groups, total_label in BS_SECTIONS:
        rows.append(Row("text", heading))
        section: list[tuple[Decimal, ...]] = []
        for group, kinds in groups:
            members = [a for a in table.values() if a.type in kinds]
            amounts = [_shown(a, at) for a in members]
            subtotal = _sum_columns(amounts, width)
            shown = _group(group, members, amounts, f"Total {group}", subtotal)
            rows += shown
            if shown:
                section.append(subtotal)
        total = _sum_columns(section, width)
        rows.append(Row("subtotal", total_label, total))
        section_totals.append(total)
    rows.append(Row("text", "Equity"))
    equity: list[tuple[Decimal, ...]] = []
    for account in table.values():
        if account.type != "Equity":
            continue
        values = _shown(account, at)
        if account is retained:
            values = _plus(values, tuple(earlier))  # earlier years' net income
        if any(values):
            rows.append(Row("data", account.full_name, values, "account"))
            equity.append(values)
    if retained is None and any(earlier):
        values = tuple(earlier)
        rows.append(Row("data", "Retained Earnings", values))
        equity.append(values)
    net = tuple(net_now)
    rows.append(Row("data", "Net Income", net))
    equity.append(net)
    total_equity = _sum_columns(equity, width)
    rows.append(Row("subtotal", "Total Equity", total_equity))
    rows.append(Row("total", "TOTAL LIABILITIES & EQUITY", _plus(section_totals[1], total_equity)))
    return statement


def _net_income(table: dict[str, Account], debits: dict[str, Decimal]) -> Decimal:
    """Debits of the income-statement accounts, negated: income minus expenses."""
    return -sum(
        (debits.get(a.list_id, ZERO) for a in table.values() if a.type in INCOME_TYPES), ZERO
    )


INCOME_TYPES = frozenset({"Income", "CostOfGoodsSold", "Expense", "OtherIncome", "OtherExpense"})


def trial_balance(company: CompanyFile, basis: str, as_of: date) -> Statement:
    """Each account's balance at ``as_of`` as a debit or a credit; income-statement
    accounts count from the start of the fiscal year, earlier years' net income sits in
    retained earnings, so the debits equal the credits."""
    table, entries = accounts(company), daily(company, basis)
    start = fiscal_year_start(company, as_of) - timedelta(days=1)
    points = running(entries, [as_of, start])
    upto, before = points[as_of], points[start]
    earlier = _net_income(table, before)
    statement = Statement(
        "Trial Balance",
        f"As of {long_date(as_of)}",
        basis,
        [
            Column("", "Label", "STRTYPE"),
            Column("Debit", "Debit"),
            Column("Credit", "Credit"),
        ],
    )
    total_debit = total_credit = ZERO
    retained_seen = False
    for account in table.values():
        amount = upto.get(account.list_id, ZERO)
        if account.type in INCOME_TYPES:
            amount -= before.get(account.list_id, ZERO)
        if account.special == "RetainedEarnings":
            amount -= earlier
            retained_seen = True
        if not amount:
            continue
        debit, credit = (amount, None) if amount > 0 else (None, -amount)
        total_debit += debit or ZERO
        total_credit += credit or ZERO
        statement.rows.append(Row("data", account.full_name, (debit, credit), "account"))
    if not retained_seen and earlier:
        debit, credit = (None, earlier) if earlier > 0 else (-earlier, None)
        total_debit += debit or ZERO
        total_credit += credit or ZERO
        statement.rows.append(Row("data", "Retained Earnings", (debit, credit)))
    statement.rows.append(Row("total", "TOTAL", (total_debit, total_credit)))
    return statement


__all__ = [
    "Column",
    "Posting",
    "Row",
    "Statement",
    "balance_sheet",
    "fiscal_year_start",
    "long_date",
    "month_spans",
    "profit_and_loss",
    "span_title",
    "trial_balance",
]

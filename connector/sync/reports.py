"""Financial reports, purely: which reports a sync asks for, and what a report answer
becomes in the REST API (DESIGN.md: ``{reportType, basis, from, to | asOf, takenAt,
columns, rows: [{kind, label, accountId?, values}], summary}``).

Owns: the report types of the API and their QuickBooks types; the standard reports of
every sync (profit and loss by month over the last 24 months, the current month to date
included, and for the year to date; the balance sheet at each of the last 24 month ends
and today; the trial balance, aged receivables and aged payables today: six requests, the
months as columns of one request rather than a request each); each column's dates (the
request's period cut by month, QuickBooks' own titles kept as ``title``); the summary of
each type from its rows (QuickBooks' labels: "Total Income", "Total COGS", "Gross Profit",
"Total Expense", "Net Income", "TOTAL ASSETS", "Total Liabilities", "Total Equity", the
TOTAL row); picking one column of a stored report for a narrower question (a month of
the monthly P&L, a month end of the monthly balance sheet).
Amounts are decimal strings (as every amount the API serves), ``null`` for an empty cell.
Uncertain: the fiscal year is taken to start in January (the year-to-date P&L); "today" is
the service's UTC date (the service does not know the PC's time zone), sent as an explicit
date so QuickBooks' own clock does not matter.
Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from connector.qbxml.values import RecordData

__all__ = [
    "BASES",
    "REPORT_TYPES",
    "ReportJson",
    "ReportSpec",
    "ReportType",
    "column_periods",
    "month_start",
    "pick_column",
    "select_report",
    "standard_reports",
    "summary",
]


@dataclass(frozen=True)
class ReportType:
    name: str
    """The API's name (``profit-and-loss``)."""
    qb_type: str
    """QuickBooks' ``GeneralSummaryReportType`` or ``AgingReportType``."""
    period: bool
    """True: a period (``from``/``to``); False: a date (``asOf``)."""
    basis: bool
    """Whether QuickBooks takes a ``ReportBasis`` for it (aging reports have none)."""


REPORT_TYPES: dict[str, ReportType] = {
    t.name: t
    for t in (
        ReportType("profit-and-loss", "ProfitAndLossStandard", True, True),
        ReportType("balance-sheet", "BalanceSheetStandard", False, True),
        ReportType("trial-balance", "TrialBalance", False, True),
        ReportType("aged-receivables", "ARAgingSummary", False, False),
        ReportType("aged-payables", "APAgingSummary", False, False),
    )
}
BASES = ("accrual", "cash")


@dataclass(frozen=True)
class ReportSpec:
    report_type: str
    basis: str
    """``accrual`` or ``cash`` (aging reports: ``accrual``, QuickBooks takes none)."""
    from_date: date | None = None
    to_date: date | None = None
    as_of: date | None = None
    by_month: bool = False

    @property
    def kind(self) -> ReportType:
        return REPORT_TYPES[self.report_type]

    @property
    def period_key(self) -> str:
        """The stored report's key: its dates and its columns."""
        months = " by month" if self.by_month else ""
        if self.kind.period:
            return f"{self.from_date}..{self.to_date}{months}"
        start = f"{self.from_date}.." if self.from_date else ""
        return f"asOf {start}{self.as_of}{months}"

    @property
    def start(self) -> date | None:
        return self.from_date

    @property
    def end(self) -> date:
        end = self.to_date if self.kind.period else self.as_of
        assert end is not None
        return end


def month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def standard_reports(today: date) -> list[ReportSpec]:
    """The reports every sync asks for (see the module docstring)."""
    return [
        ReportSpec("profit-and-loss", "accrual", month_start(today, -23), today, by_month=True),
        ReportSpec("profit-and-loss", "accrual", date(today.year, 1, 1), today),
        ReportSpec(
            "balance-sheet",
            "accrual",
            from_date=month_start(today, -24),
            as_of=today,
            by_month=True,
        ),
        ReportSpec("trial-balance", "accrual", as_of=today),
        ReportSpec("aged-receivables", "accrual", as_of=today),
        ReportSpec("aged-payables", "accrual", as_of=today),
    ]


def _month_spans(start: date, end: date) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    first = start
    while first <= end:
        last = min(month_start(first, 1) - timedelta(days=1), end)
        out.append((first, last))
        first = month_start(first, 1)
    return out


def column_periods(spec: ReportSpec, count: int) -> list[dict[str, str]]:
    """The dates of each of the ``count`` amount columns of the answer to ``spec``, when
    they can be known from the request (else ``{}`` for that column)."""
    out: list[dict[str, str]]
    if spec.kind.period and spec.from_date is not None and spec.to_date is not None:
        whole = {"from": spec.from_date.isoformat(), "to": spec.to_date.isoformat()}
        if spec.by_month:
            spans = _month_spans(spec.from_date, spec.to_date)
            out = [{"from": a.isoformat(), "to": b.isoformat()} for a, b in spans] + [whole]
        else:
            out = [whole]
    elif not spec.kind.period and spec.by_month and spec.from_date is not None:
        out = [{"asOf": b.isoformat()} for _, b in _month_spans(spec.from_date, spec.end)]
    elif spec.kind.period:
        out = []
    else:
        out = (
            [{"asOf": spec.end.isoformat()}]
            if spec.kind.qb_type in ("BalanceSheetStandard",)
            else [{} for _ in range(count)]
        )
    return out if len(out) == count else [{} for _ in range(count)]


def _money(text: object) -> str | None:
    value = str(text).strip().replace(",", "") if text is not None else ""
    if not value:
        return None
    try:
        return str(Decimal(value))
    except InvalidOperation:
        return value  # not an amount (a name column of another report): kept as text


ROWS_PIECE = 256 * 1024
"""Bytes of rows' JSON a ``ReportJson`` gathers into one piece (a row is never cut)."""


class ReportJson:
    """The API's JSON of one ``ReportRet`` (as ``connector.qbxml.reports`` reads it) as text,
    its rows taken one by one as the parser reads them (``add``: a ``RowSink``). Each row is
    written at once, into pieces of about ``ROWS_PIECE`` bytes, and only the rows a summary
    reads (the non-data ones) are kept: the aged receivables of a large company, 25,000 rows,
    cost the service 38 MB as dicts, about 3 MB as text (issue 12); stored a piece at a time
    (``parts``), the text is never joined; ``sink`` takes each piece as it is full, so
    not even the pieces are held. Rows left in the record (``ret["Rows"]``) are taken at
    ``parts``."""

    def __init__(
        self,
        spec: ReportSpec,
        account_ids: Mapping[str, str],
        sink: Callable[[str], object] | None = None,
    ) -> None:
        self.spec = spec
        self._account_ids = account_ids
        self._sink = sink
        self._rows = bytearray()  # the rows of the piece being written, comma-separated
        self._pieces: list[bytes] = []  # the pieces written before it (none with a sink)
        self._started = False  # a row was written (the next one follows a comma)
        self._kept: list[dict[str, Any]] = []  # the summary reads only rows that are not data

    def add(self, raw: Mapping[str, Any]) -> None:
        label = str(raw.get("Label", ""))
        row: dict[str, Any] = {"kind": str(raw.get("Kind", "data")), "label": label}
        if raw.get("RowType") == "account" and label in self._account_ids:
            row["accountId"] = self._account_ids[label]
        row["values"] = [_money(v) for v in _list(raw.get("Values"))]
        if self._started:
            self._rows += b","
        self._started = True
        self._rows += orjson.dumps(row)  # one buffer: orjson's bytes each hold 4 KB or so
        if len(self._rows) >= ROWS_PIECE:
            if self._sink is not None:
                self._sink(self._rows.decode())
            else:
                self._pieces.append(bytes(self._rows))
            self._rows = bytearray()
        if row["kind"] != "data":
            self._kept.append(row)

    def parts(self, ret: RecordData, taken_at: datetime) -> tuple[str, Iterator[str]]:
        """The body with no rows (``"rows": []``), and the rows' array as text in pieces
        (without its brackets; each piece's bytes go as it is taken): those not given to
        the sink. ``ret`` is the report's record (title, columns)."""
        prefix, suffix, rows = self._split(ret, taken_at)
        return (prefix + suffix).decode(), rows

    def text(self, ret: RecordData, taken_at: datetime) -> str:
        """The whole body as one text (without a sink: it took pieces the text lacks)."""
        assert self._sink is None, "text() of a ReportJson with a sink"
        prefix, suffix, rows = self._split(ret, taken_at)
        return prefix.decode() + "".join(rows) + suffix.decode()

    def _split(self, ret: RecordData, taken_at: datetime) -> tuple[bytes, bytes, Iterator[str]]:
        prefix, suffix = self._frame(ret, taken_at)
        if self._rows:
            self._pieces.append(bytes(self._rows))
        pieces, self._pieces, self._rows = self._pieces, [], bytearray()
        return prefix, suffix, _decoded(pieces)

    def _frame(self, ret: RecordData, taken_at: datetime) -> tuple[bytes, bytes]:
        """The body's text before its rows and after them."""
        for raw in _list(ret.get("Rows")):
            if isinstance(raw, dict):
                self.add(raw)
        spec = self.spec
        raw_columns = [c for c in _list(ret.get("Columns")) if isinstance(c, dict)]
        amount_columns = raw_columns[1:]
        periods = column_periods(spec, len(amount_columns))
        columns = [
            {"title": str(c.get("Title", "")), "type": str(c.get("ColType", ""))} | period
            for c, period in zip(amount_columns, periods, strict=True)
        ]
        head: dict[str, Any] = {"reportType": spec.report_type, "basis": spec.basis}
        if spec.kind.period:
            head |= {"from": _iso(spec.from_date), "to": _iso(spec.to_date)}
        else:
            head["asOf"] = _iso(spec.as_of)
        head |= {"takenAt": taken_at.isoformat(), "title": str(ret.get("ReportTitle", ""))}
        head |= {"subtitle": str(ret.get("ReportSubtitle", "")), "columns": columns}
        tail = summary(spec.report_type, columns, self._kept, len(columns) - 1)
        return orjson.dumps(head)[:-1] + b',"rows":[', b'],"summary":' + orjson.dumps(tail) + b"}"


def _decoded(pieces: list[bytes]) -> Iterator[str]:
    pieces.reverse()
    while pieces:
        yield pieces.pop().decode()


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


PNL_SUMMARY = (
    ("totalIncome", "Total Income"),
    ("totalCostOfGoodsSold", "Total COGS"),
    ("grossProfit", "Gross Profit"),
    ("totalExpenses", "Total Expense"),
    ("netIncome", "Net Income"),
)
BS_SUMMARY = (
    ("totalAssets", "TOTAL ASSETS"),
    ("totalLiabilities", "Total Liabilities"),
    ("totalEquity", "Total Equity"),
)


def _value(rows: Sequence[Mapping[str, Any]], label: str, index: int) -> str:
    for row in rows:
        if row.get("kind") != "data" and str(row.get("label", "")).casefold() == label.casefold():
            values = row.get("values") or []
            if 0 <= index < len(values) and values[index] is not None:
                return str(values[index])
    return "0.00"


def summary(
    report_type: str,
    columns: Sequence[Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
    index: int,
) -> dict[str, Any]:
    """The summary fields of ``report_type`` from column ``index`` (the last: TOTAL)."""
    if report_type == "profit-and-loss":
        out = {key: _value(rows, label, index) for key, label in PNL_SUMMARY}
        if out["grossProfit"] == "0.00" and out["totalCostOfGoodsSold"] == "0.00":
            out["grossProfit"] = out["totalIncome"]
        return out
    if report_type == "balance-sheet":
        return {key: _value(rows, label, index) for key, label in BS_SUMMARY}
    if report_type == "trial-balance":
        return {"totalDebit": _value(rows, "TOTAL", 0), "totalCredit": _value(rows, "TOTAL", 1)}
    titles = [str(c.get("title", "")) for c in columns]
    total_row = [r for r in rows if r.get("kind") == "total"]
    values = list(total_row[-1].get("values") or []) if total_row else []
    buckets = {
        title: (values[i] if i < len(values) and values[i] is not None else "0.00")
        for i, title in enumerate(titles[:-1])
    }
    return {
        "total": values[-1] if values and values[-1] is not None else "0.00",
        "buckets": buckets,
    }


def pick_column(body: Mapping[str, Any], index: int) -> dict[str, Any]:
    """``body`` narrowed to its amount column ``index`` (dates and summary follow)."""
    columns = list(body.get("columns") or [])
    column = dict(columns[index])
    rows = [
        dict(row) | {"values": [list(row.get("values") or [None] * len(columns))[index]]}
        for row in body.get("rows") or []
    ]
    out = dict(body) | {"columns": [column], "rows": rows}
    for key in ("from", "to", "asOf"):
        if key in column:
            out[key] = column[key]
    out["summary"] = summary(str(body.get("reportType", "")), [column], rows, 0)
    return out


def select_report(
    bodies: Sequence[Mapping[str, Any]],
    *,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
) -> dict[str, Any] | None:
    """The report answering a question, from stored bodies (newest first): the newest when
    no date is given; else one taken for exactly those dates; else one column of a wider
    report whose column has those dates (a month of the monthly P&L, a month end of the
    monthly balance sheet)."""
    if start is None and end is None and as_of is None:
        return _latest(bodies)
    want = (
        {"asOf": as_of.isoformat()} if as_of is not None else {"from": _iso(start), "to": _iso(end)}
    )
    for body in bodies:
        if all(body.get(key) == value for key, value in want.items()):
            columns = list(body.get("columns") or [])
            if len(columns) > 1 and "asOf" in want and "from" not in columns[-1]:
                index = _column_index(columns, want)
                return pick_column(body, index) if index is not None else dict(body)
            return dict(body)
    for body in bodies:
        index = _column_index(list(body.get("columns") or []), want)
        if index is not None:
            return pick_column(body, index)
    return None


def _column_index(columns: Sequence[Mapping[str, Any]], want: Mapping[str, Any]) -> int | None:
    for index, column in enumerate(columns):
        if all(column.get(key) == value for key, value in want.items()):
            return index
    return None


def _latest(bodies: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The newest answer, as one column where it can be: a single-period report taken in
    the newest session before a monthly one, a balance sheet as of its last date."""
    if not bodies:
        return None
    newest = [b for b in bodies if b.get("takenAt") == bodies[0].get("takenAt")]
    body = next((b for b in newest if len(b.get("columns") or []) == 1), newest[0])
    columns = list(body.get("columns") or [])
    if len(columns) > 1 and columns[-1].get("asOf") == body.get("asOf") is not None:
        return pick_column(body, len(columns) - 1)
    return dict(body)

"""``GeneralSummaryReportQueryRq`` and ``AgingReportQueryRq``: financial reports computed
from the company file's ledger (``company/ledger.py``, ``company/statements.py``, ``company/aging.py``).

Owns: reading the report request (``ReportDateMacro`` or ``ReportPeriod``, ``ReportBasis``,
``SummarizeColumnsBy``, ``ReportAgingAsOf``) and writing the ``ReportRet`` (ReportTitle,
ReportSubtitle, ReportBasis, NumRows, NumColumns, NumColTitleRows, ColDesc, ReportData with
TextRow/DataRow/SubtotalRow/TotalRow, RowData and ColData, as the schema orders them).
Supported: ProfitAndLossStandard, BalanceSheetStandard, TrialBalance (columns TotalOnly or
Month) and ARAgingSummary, APAgingSummary; the other report types, column summaries and
the report filters answer 1030 (not modelled), never a made-up report.
Uncertain: the default period without a date (QuickBooks uses the report's preset; here
this fiscal year to date for the P&L, today for the others), ``ThisYear``/``ThisQuarter``
read as calendar periods, and the exact wording of titles and column headings.
Must not: read the clock (``ctx.now``) or do I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from lxml import etree

from connector.qbxml.values import RecordData

from ..company.aging import aging
from ..company.ledger import daily
from ..company.statements import (
    Statement,
    balance_sheet,
    fiscal_year_start,
    month_spans,
    profit_and_loss,
    trial_balance,
)
from ..errors import NotSupportedError, StatusError
from .context import Context, Handler, Reply, Request, ok
from .datemacro import period
from .filters import text

GENERAL = ("ProfitAndLossStandard", "BalanceSheetStandard", "TrialBalance")
AGING = {"ARAgingSummary": True, "APAgingSummary": False}
FILTERS = (
    "ReportAccountFilter",
    "ReportEntityFilter",
    "ReportItemFilter",
    "ReportClassFilter",
    "ReportTxnTypeFilter",
    "ReportModifiedDateRangeFilter",
    "ReportModifiedDateRangeMacro",
    "ReportDetailLevelFilter",
    "ReportPostingStatusFilter",
    "IncludeSubcolumns",
    "IncludeColumn",
    "IncludeAccounts",
)
MACRO_UNITS = {"Quarter": "CalendarQuarter", "Year": "CalendarYear"}


def _period(ctx: Context, body: RecordData, default: str) -> tuple[date | None, date | None]:
    """(from, to) of ``ReportDateMacro`` or ``ReportPeriod`` (3020 for a bad date)."""
    today = ctx.now.date()
    macro = text(body, "ReportDateMacro")
    fiscal = ctx.company.company_info.get("FirstMonthFiscalYear")
    if macro is not None:
        name = macro
        for unit, full in MACRO_UNITS.items():
            if name.endswith(unit) or name.endswith(unit + "ToDate"):
                name = name.replace(unit, full)
        return period(name, today, str(fiscal) if fiscal else None)
    span = body.get("ReportPeriod")
    if isinstance(span, dict):
        try:
            start = text(span, "FromReportDate")
            end = text(span, "ToReportDate")
            return (
                date.fromisoformat(start) if start else None,
                date.fromisoformat(end) if end else None,
            )
        except ValueError as exc:
            raise StatusError(
                3020, f"There is an invalid date in the report period: {exc}."
            ) from None
    if default == "YearToDate":
        return fiscal_year_start(ctx.company, today), today
    return today, today


def _report_kind(request: Request, element: str, known: Collection[str]) -> str:
    """The report type ``element`` asks for; ``NotSupportedError`` when this QuickBooks does
    not make it or the request asks for a filter it does not support."""
    kind = text(request.body, element) or ""
    if kind not in known:
        raise NotSupportedError(f"The report {kind} is not supported by this QuickBooks.")
    for name in FILTERS:
        if name in request.body:
            raise NotSupportedError(f"{name} is not supported by this QuickBooks' reports.")
    return kind


def general_summary(ctx: Context, request: Request) -> Reply:
    body = request.body
    kind = _report_kind(request, "GeneralSummaryReportType", GENERAL)
    columns = text(body, "SummarizeColumnsBy") or "TotalOnly"
    if columns not in ("TotalOnly", "Month") or (kind == "TrialBalance" and columns != "TotalOnly"):
        raise NotSupportedError(f"SummarizeColumnsBy {columns} is not supported for {kind}.")
    basis = _basis(ctx, text(body, "ReportBasis"))
    start, end = _period(ctx, body, "YearToDate" if kind == "ProfitAndLossStandard" else "Today")
    end = end or ctx.now.date()
    if start is not None and start > end:
        raise StatusError(3030, "The report period's start date is after its end date.")
    statement: Statement
    if kind == "ProfitAndLossStandard":
        first = start or _first_posting(ctx, basis) or end
        statement = profit_and_loss(ctx.company, basis, first, end, columns == "Month")
    elif kind == "BalanceSheetStandard":
        dates = [b for _, b in month_spans(start, end)] if start and columns == "Month" else [end]
        statement = balance_sheet(ctx.company, basis, dates)
    else:
        statement = trial_balance(ctx.company, basis, end)
    return ok(request, raw=report_xml(statement))


def _basis(ctx: Context, asked: str | None) -> str:
    """``ReportBasis``; ``None`` (or absent) is the company's preference, as in QuickBooks
    (PreferencesRet ReportsPreferences SummaryReportBasis)."""
    if asked in ("Accrual", "Cash"):
        return asked
    prefs = ctx.company.preferences.get("ReportsPreferences")
    chosen = prefs.get("SummaryReportBasis") if isinstance(prefs, dict) else None
    return "Cash" if chosen == "Cash" else "Accrual"


def aging_report(ctx: Context, request: Request) -> Reply:
    body = request.body
    kind = _report_kind(request, "AgingReportType", AGING)
    _, end = _period(ctx, body, "Today")
    if text(body, "ReportAgingAsOf") == "Today" or end is None:
        end = ctx.now.date()
    return ok(request, raw=report_xml(aging(ctx.company, AGING[kind], end)))


def _first_posting(ctx: Context, basis: str) -> date | None:
    entries = daily(ctx.company, basis)  # in day order
    return entries[0].day if entries else None


def _amount(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{abs(value) if value == 0 else value:.2f}"  # never "-0.00"


def report_xml(statement: Statement) -> str:
    """The ``ReportRet`` element of ``statement`` as text."""
    ret = etree.Element("ReportRet")
    etree.SubElement(ret, "ReportTitle").text = statement.title
    etree.SubElement(ret, "ReportSubtitle").text = statement.subtitle
    if statement.basis is not None:
        etree.SubElement(ret, "ReportBasis").text = statement.basis
    etree.SubElement(ret, "NumRows").text = str(len(statement.rows))
    etree.SubElement(ret, "NumColumns").text = str(len(statement.columns))
    etree.SubElement(ret, "NumColTitleRows").text = "1"
    for index, column in enumerate(statement.columns, start=1):
        desc = etree.SubElement(ret, "ColDesc", colID=str(index), dataType=column.data_type)
        title = etree.SubElement(desc, "ColTitle", titleRow="1")
        if column.title:
            title.set("value", column.title)
        etree.SubElement(desc, "ColType").text = column.col_type
    data = etree.SubElement(ret, "ReportData")
    element = {"data": "DataRow", "text": "TextRow", "subtotal": "SubtotalRow", "total": "TotalRow"}
    for number, row in enumerate(statement.rows, start=1):
        node = etree.SubElement(data, element[row.kind], rowNumber=str(number))
        if row.kind == "text":
            node.set("value", row.label)
            continue
        etree.SubElement(node, "RowData", rowType=row.row_type, value=row.label)
        etree.SubElement(node, "ColData", colID="1", value=row.label)
        for index, value in enumerate(row.values, start=2):
            cell = etree.SubElement(node, "ColData", colID=str(index))
            shown = _amount(value)
            if shown is not None:
                cell.set("value", shown)
    return etree.tostring(ret, encoding="unicode")


def report_handlers() -> dict[str, Handler]:
    return {
        "GeneralSummaryReportQueryRq": general_summary,
        "AgingReportQueryRq": aging_report,
    }


__all__ = ["aging_report", "general_summary", "report_handlers", "report_xml"]

"""The company page's financial statements: the latest profit and loss and balance sheet as
tables, and a chart of monthly income, expenses and net income (issue 17).

Owns: picking the reports to show from the store (the newest single-period P&L, the newest
balance sheet as of its last date, the newest monthly P&L for the chart: its last 24 month
columns), the table rows, and the chart as server-rendered SVG (bars for income and
expenses, a line for net income, month labels, a zero line): no script, no build step.
Income is the "Total Income" row plus "Total Other Income"; expenses are "Total COGS",
"Total Expense" and "Total Other Expense". Must not: render HTML pages (the template does)
or know qbXML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from connector.store import reports as store
from connector.store.db import Database
from connector.sync.reports import select_report

__all__ = ["Financials", "MonthFigures", "chart_svg", "financials", "monthly_figures"]

ZERO = Decimal("0")


@dataclass(frozen=True)
class MonthFigures:
    label: str
    income: Decimal
    expenses: Decimal
    net: Decimal


@dataclass(frozen=True)
class Financials:
    profit_and_loss: dict[str, Any] | None
    balance_sheet: dict[str, Any] | None
    months: tuple[MonthFigures, ...]
    chart: str
    """The SVG element ("" without monthly figures)."""


def _amount(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except InvalidOperation:
        return ZERO


def _row(rows: Sequence[Mapping[str, Any]], label: str) -> list[Decimal]:
    for row in rows:
        if row.get("kind") != "data" and str(row.get("label", "")).casefold() == label.casefold():
            return [_amount(v) for v in row.get("values") or []]
    return []


def monthly_figures(body: Mapping[str, Any], last: int = 24) -> tuple[MonthFigures, ...]:
    """The month columns (those with ``from``/``to``, the TOTAL left out) of a monthly P&L."""
    columns = list(body.get("columns") or [])
    rows = list(body.get("rows") or [])
    months = [i for i, c in enumerate(columns) if "from" in c and c.get("title") != "TOTAL"]

    def at(label: str, index: int) -> Decimal:
        values = _row(rows, label)
        return values[index] if index < len(values) else ZERO

    out = [
        MonthFigures(
            str(columns[i].get("title", "")),
            at("Total Income", i) + at("Total Other Income", i),
            at("Total COGS", i) + at("Total Expense", i) + at("Total Other Expense", i),
            at("Net Income", i),
        )
        for i in months
    ]
    return tuple(out[-last:])


def financials(db: Database, company_id: str) -> Financials:
    pnl = [r.body for r in store.find_reports(db, company_id, "profit-and-loss", "accrual")]
    sheets = [r.body for r in store.find_reports(db, company_id, "balance-sheet", "accrual")]
    monthly = next((b for b in pnl if len(b.get("columns") or []) > 2), None)
    months = monthly_figures(monthly) if monthly is not None else ()
    return Financials(select_report(pnl), select_report(sheets), months, chart_svg(months))


WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 260, 64, 40, 16
COLOURS = {"income": "#2f7d32", "expenses": "#c62828", "net": "#1f4fbf"}


def chart_svg(months: Sequence[MonthFigures]) -> str:
    """Bars (income, expenses) and a line (net income) per month, as one ``<svg>``."""
    if not months:
        return ""
    values = [v for m in months for v in (m.income, m.expenses, m.net)] + [ZERO]
    top, bottom = max(values), min(values)
    span = (top - bottom) or Decimal(1)
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = (WIDTH - PAD_LEFT) / len(months)
    bar = max(slot * 0.35, 1.0)

    def y(value: Decimal) -> float:
        return PAD_TOP + float((top - value) / span) * plot_h

    zero = y(ZERO)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="pnl-chart-title" data-testid="pnl-chart">',
        '<title id="pnl-chart-title">Monthly income, expenses and net income</title>',
        f'<line x1="{PAD_LEFT}" y1="{zero:.1f}" x2="{WIDTH}" y2="{zero:.1f}" stroke="#888"/>',
        f'<text x="{PAD_LEFT - 6}" y="{y(top) + 4:.1f}" text-anchor="end" font-size="11">'
        f"{escape(_short(top))}</text>",
        f'<text x="{PAD_LEFT - 6}" y="{zero + 4:.1f}" text-anchor="end" font-size="11">0</text>',
    ]
    points = []
    for index, month in enumerate(months):
        left = PAD_LEFT + index * slot + (slot - 2 * bar) / 2
        for offset, (kind, value) in enumerate(
            (("income", month.income), ("expenses", month.expenses))
        ):
            y_top, y_end = sorted((y(value), zero))
            parts.append(
                f'<rect class="{kind}" x="{left + offset * bar:.1f}" y="{y_top:.1f}" '
                f'width="{bar:.1f}" height="{max(y_end - y_top, 0.5):.1f}" '
                f'fill="{COLOURS[kind]}" data-value="{value}">'
                f"<title>{escape(month.label)} {kind}: {value}</title></rect>"
            )
        centre = PAD_LEFT + index * slot + slot / 2
        points.append(f"{centre:.1f},{y(month.net):.1f}")
        if index % max(len(months) // 12, 1) == 0:
            parts.append(
                f'<text x="{centre:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle" '
                f'font-size="10">{escape(month.label)}</text>'
            )
    parts.append(
        f'<polyline class="net" points="{" ".join(points)}" fill="none" '
        f'stroke="{COLOURS["net"]}" stroke-width="2"/>'
    )
    legend = (("income", "Income"), ("expenses", "Expenses"), ("net", "Net income"))
    for index, (kind, text) in enumerate(legend):
        x = PAD_LEFT + index * 120
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{COLOURS[kind]}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11">{text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(value: Decimal) -> str:
    whole = int(value)
    return f"{whole / 1000:.0f}k" if abs(whole) >= 10_000 else str(whole)

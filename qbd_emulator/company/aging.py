"""The A/R and A/P aging summaries: open balances per customer or vendor by days past due.

Owns: which documents are open at a date (invoices and bills less the payments dated up to
it; unapplied credit memos, vendor credits and unused payments as credits), the buckets
(Current, 1 - 30, 31 - 60, 61 - 90, > 90 days past the due date; credits age from their
own date: uncertain) and the ``Statement`` rows. Must not: read the clock or do I/O.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connector.qbxml.values import Value

from .ledger import ZERO
from .model import CompanyFile
from .statements import Column, Row, Statement, long_date

AGING_BUCKETS = ("Current", "1 - 30", "31 - 60", "61 - 90", "> 90")


def _bucket(as_of: date, due: date) -> int:
    late = (as_of - due).days
    if late <= 0:
        return 0
    return min((late - 1) // 30 + 1, 4)


def aging(company: CompanyFile, receivable: bool, as_of: date) -> Statement:
    """Open balances per customer (or vendor) at ``as_of`` by days past due: open
    invoices (bills) less unapplied credit memos (vendor credits) and unused payments,
    each counted as it stood on ``as_of`` (payments dated later are added back)."""
    open_items = _open_items(company, receivable, as_of)
    per_name: dict[str, list[Decimal]] = {}
    for name, due, amount in open_items:
        buckets = per_name.setdefault(name, [ZERO] * len(AGING_BUCKETS))
        buckets[_bucket(as_of, due)] += amount
    statement = Statement(
        "A/R Aging Summary" if receivable else "A/P Aging Summary",
        f"As of {long_date(as_of)}",
        None,
        [Column("", "Label", "STRTYPE")]
        + [Column(title, "Amount") for title in AGING_BUCKETS]
        + [Column("TOTAL", "Total")],
    )
    row_type = "customer" if receivable else "vendor"
    totals = [ZERO] * (len(AGING_BUCKETS) + 1)
    for name in sorted(per_name, key=str.casefold):
        values = [*per_name[name], sum(per_name[name], ZERO)]
        if not any(values):
            continue
        statement.rows.append(Row("data", name, tuple(values), row_type))
        totals = [a + b for a, b in zip(totals, values, strict=True)]
    statement.rows.append(Row("total", "TOTAL", tuple(totals)))
    return statement


def _open_items(
    company: CompanyFile, receivable: bool, as_of: date
) -> list[tuple[str, date, Decimal]]:
    """(name, due date, open amount) of every open document and credit at ``as_of``."""
    sources: tuple[tuple[str, str, str, int], ...]
    if receivable:
        sources = (
            ("invoices", "CustomerRef", "BalanceRemaining", 1),
            ("credit_memos", "CustomerRef", "CreditRemaining", -1),
            ("receive_payments", "CustomerRef", "UnusedPayment", -1),
        )
    else:
        sources = (
            ("bills", "VendorRef", "OpenAmount", 1),
            ("vendor_credits", "VendorRef", "OpenAmount", -1),
        )
    out: list[tuple[str, date, Decimal]] = []
    for key, ref, field_name, sign in sources:
        for record in company.iter_records(key):
            data = record.data
            day = data.get("TxnDate")
            if not isinstance(day, date) or day > as_of:
                continue
            amount = _money(data.get(field_name))
            if sign > 0:
                amount += _paid_after(data.get("LinkedTxn"), as_of)
            if not amount:
                continue
            entity = data.get(ref)
            name = str(entity.get("FullName", "")) if isinstance(entity, dict) else ""
            due = data.get("DueDate") if sign > 0 else day
            out.append((name, due if isinstance(due, date) else day, sign * amount))
    return out


def _paid_after(links: Value | None, as_of: date) -> Decimal:
    """What payments dated after ``as_of`` took off a document (links carry -amount)."""
    rows = links if isinstance(links, list) else []
    total = ZERO
    for link in rows:
        if isinstance(link, dict) and link.get("LinkType") == "AMTTYPE":
            day = link.get("TxnDate")
            if isinstance(day, date) and day > as_of:
                total -= _money(link.get("Amount"))
    return total


def _money(value: Value | None) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


__all__ = ["AGING_BUCKETS", "aging"]

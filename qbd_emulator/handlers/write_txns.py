"""Transaction writes: InvoiceAdd/Mod, CreditMemoAdd, BillAdd/Mod, PurchaseOrderAdd,
JournalEntryAdd and the other transaction Adds with lines (CheckAdd, SalesReceiptAdd, ...).

Owns: what QuickBooks computes when it saves a transaction: TxnLineIDs, line Amounts
(Quantity x Rate or Cost), Subtotal/TotalAmount/Amount, the open amounts (BalanceRemaining,
AmountDue/OpenAmount, CreditRemaining), IsPaid, default AR/AP accounts, TxnDate (today),
RefNumber auto-numbering, and the customer/vendor balance they move. JournalEntryAdd must
balance (debits equal credits). A Mod that lists lines of a kind replaces that kind's lines
with exactly those listed (``TxnLineID`` -1 adds one; QuickBooks drops the omitted ones).
Payments are in ``write_payments``. Must not: build XML.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from connector.qbxml.datatypes import DATA_TYPES, Kind
from connector.qbxml.values import RecordData, Value

from ..company import CompanyFile
from ..errors import ObjectNotFoundError, StatusError
from .context import Context, Handler, Reply, Request, ok
from .filters import as_list
from .write_common import (
    ZERO,
    adjust_ref_balance,
    body_of,
    default_account,
    fill_line,
    line_total,
    mod_target,
    money,
    store_schema,
    to_ret,
)

TOTAL_FIELDS = (
    "Subtotal",
    "TotalAmount",
    "AmountDue",
    "CreditRemaining",
    "CreditAmount",
    "DepositTotal",
)
"""The ``*Ret`` fields that carry a transaction's line total (qbXML 16.0 names)."""
PAYMENT_KEYS = ("receive_payments", "bill_payment_checks", "bill_payment_credit_cards")
JOURNAL_LINES = ("JournalDebitLine", "JournalCreditLine")
BALANCE_EFFECT: dict[str, tuple[str, str, int]] = {
    "invoices": ("customers", "CustomerRef", 1),
    "credit_memos": ("customers", "CustomerRef", -1),
    "bills": ("vendors", "VendorRef", 1),
    "vendor_credits": ("vendors", "VendorRef", -1),
}
DEFAULT_ACCOUNTS = {
    "invoices": ("ARAccountRef", "AccountsReceivable"),
    "credit_memos": ("ARAccountRef", "AccountsReceivable"),
    "bills": ("APAccountRef", "AccountsPayable"),
    "vendor_credits": ("APAccountRef", "AccountsPayable"),
}
TXN_ADDS = {
    f"{d.query.removesuffix('Query')}AddRq": (d.key, d.rets[0])
    for d in DATA_TYPES
    if d.kind is Kind.TXN and d.key not in PAYMENT_KEYS
}
TXN_MODS = {f"{d.mod}Rq": (d.key, d.rets[0]) for d in DATA_TYPES if d.mod and d.kind is Kind.TXN}


def line_names(ret: str) -> list[str]:
    return [
        s.name
        for s in store_schema().children(ret)
        if s.name.endswith("LineRet") or s.name in JOURNAL_LINES
    ]


def _fill_lines(company: CompanyFile, ret: str, data: RecordData, now: datetime) -> None:
    for name in line_names(ret):
        if name in data:
            data[name] = [
                fill_line(company, line, now, "Rate" if "Rate" in line else "Cost")
                for line in as_list(data[name])
                if isinstance(line, dict)
            ]


def set_totals(key: str, ret: str, data: RecordData, paid: Decimal = ZERO) -> None:
    """Set the totals and open amounts the ``*Ret`` carries (``paid``: already applied)."""
    model = {s.name for s in store_schema().children(ret)}
    total = sum((line_total(data.get(n)) for n in line_names(ret) if n not in JOURNAL_LINES), ZERO)
    if "Amount" in model and key != "transfers":
        data["Amount"] = total
    for name in TOTAL_FIELDS:
        if name in model:
            data[name] = total
    if "SalesTaxTotal" in model:
        data.setdefault("SalesTaxTotal", ZERO)
    open_amount = money(total - paid)
    for name in ("BalanceRemaining", "OpenAmount"):
        if name in model:
            data[name] = open_amount
    if "AppliedAmount" in model:
        data["AppliedAmount"] = -paid
    if "IsPaid" in model:
        data["IsPaid"] = open_amount == 0
    if key == "purchase_orders":
        data.setdefault("IsManuallyClosed", False)
        data.setdefault("IsFullyReceived", False)


def _check_journal(data: RecordData) -> None:
    debit = line_total(data.get("JournalDebitLine"))
    credit = line_total(data.get("JournalCreditLine"))
    if debit != credit:
        # uncertain: QuickBooks' code for an unbalanced entry; the text is its dialog's.
        raise StatusError(
            3180,
            "There was an error when saving a Journal Entry. "
            "QuickBooks error message: Transaction not in balance.",
        )


def _next_ref_number(company: CompanyFile, key: str) -> str:
    numbers = [
        int(ref)
        for r in company.iter_records(key)
        if (ref := str(r.data.get("RefNumber", ""))).isdigit()
    ]
    return str(max(numbers, default=0) + 1)


def txn_add(key: str, ret: str) -> Handler:
    def handle(ctx: Context, request: Request) -> Reply:
        data = to_ret(ret, body_of(ctx, request))
        data.setdefault("TxnDate", ctx.now.date())
        if key in DEFAULT_ACCOUNTS:
            field, kind = DEFAULT_ACCOUNTS[key]
            data.setdefault(field, default_account(ctx.company, kind))
        if key in ("invoices", "credit_memos", "sales_receipts", "estimates", "sales_orders"):
            data.setdefault("RefNumber", _next_ref_number(ctx.company, key))
        _fill_lines(ctx.company, ret, data, ctx.now)
        if key == "journal_entries":
            _check_journal(data)
        set_totals(key, ret, data)
        record = ctx.company.add(key, ret, data, ctx.now)
        move_balance(ctx, key, record.data, 1)
        return ok(request, ((record.ret, record.data),))

    return handle


def move_balance(ctx: Context, key: str, data: RecordData, sign: int) -> None:
    if key not in BALANCE_EFFECT:
        return
    target, ref_name, direction = BALANCE_EFFECT[key]
    amount = data.get("BalanceRemaining", data.get("OpenAmount", data.get("CreditRemaining")))
    delta = money(amount) * direction * sign
    adjust_ref_balance(ctx.company, target, data.get(ref_name), delta)


def txn_mod(key: str, ret: str) -> Handler:
    def handle(ctx: Context, request: Request) -> Reply:
        raw = body_of(ctx, request)
        txn_id, edit = mod_target(raw, "TxnID")
        old = ctx.company.get(key, txn_id).data
        changes = {k: v for k, v in to_ret(ret, raw).items() if k not in ("TxnID", "EditSequence")}
        merged = dict(old) | changes
        for name in line_names(ret):
            if name in changes:
                merged[name] = _merge_lines(ctx, as_list(old.get(name)), as_list(changes[name]))
                changes[name] = merged[name]
        paid = money(_total_of(old)) - money(old.get("BalanceRemaining", old.get("OpenAmount")))
        set_totals(key, ret, merged, paid)
        changes |= {k: merged[k] for k in merged if k not in old or merged[k] != old[k]}
        record = ctx.company.modify(key, txn_id, changes, edit, ctx.now)
        move_balance(ctx, key, old, -1)
        move_balance(ctx, key, record.data, 1)
        return ok(request, ((record.ret, record.data),))

    return handle


def _total_of(data: RecordData) -> Value | None:
    for name in ("Subtotal", "AmountDue", "TotalAmount"):
        if name in data:
            return data[name]
    return None


def _merge_lines(ctx: Context, old: list[Value], mods: list[Value]) -> list[Value]:
    by_id = {str(line.get("TxnLineID")): line for line in old if isinstance(line, dict)}
    out: list[Value] = []
    for mod in mods:
        if not isinstance(mod, dict):
            continue
        line_id = str(mod.get("TxnLineID", "-1"))
        if line_id != "-1" and line_id not in by_id:
            raise ObjectNotFoundError(line_id)
        base = dict(by_id.get(line_id, {}))
        if "Quantity" in mod or "Rate" in mod or "Cost" in mod:
            base.pop("Amount", None)
        merged = base | mod
        out.append(fill_line(ctx.company, merged, ctx.now, "Rate" if "Rate" in merged else "Cost"))
    return out


def txn_write_handlers() -> dict[str, Handler]:
    table = {name: txn_add(key, ret) for name, (key, ret) in TXN_ADDS.items()}
    table |= {name: txn_mod(key, ret) for name, (key, ret) in TXN_MODS.items()}
    return table


__all__ = ["TXN_ADDS", "TXN_MODS", "txn_write_handlers"]

"""Open balances kept consistent when payments are applied: invoices, bills, customers,
vendors.

Owns: the arithmetic QuickBooks does when a ReceivePayment is applied to invoices or a bill
payment (check or credit card) to bills, and the customer/vendor balance roll-ups. Shared
by the generator and the processor's write handlers (ReceivePaymentAdd,
BillPaymentCheckAdd). Must not: read the clock or do I/O.

Conventions (uncertain, from memory of real files, not from a recorded response): an
invoice's ``AppliedAmount`` is the negative sum of what was applied to it, and the
``LinkedTxn`` a payment leaves on the invoice or bill carries the negative amount.
A customer's ``Balance`` is its own open amount; ``TotalBalance`` adds its jobs'.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from connector.qbxml.values import RecordData, Value
from qbd_emulator.errors import OverpaymentError

from .ids import edit_sequence
from .model import CompanyFile, in_schema_order
from .values import StoredRecord

ZERO = Decimal("0.00")

__all__ = [
    "OPEN_AMOUNTS",
    "PAYMENTS",
    "adjust_balance",
    "application",
    "apply_payment",
    "recompute_balances",
]

# payment Ret -> (key of the paid txns, open-amount field, paid txn type, entity ref, entity key)
PAYMENTS: dict[str, tuple[str, str, str, str, str]] = {
    "ReceivePaymentRet": ("invoices", "BalanceRemaining", "Invoice", "CustomerRef", "customers"),
    "BillPaymentCheckRet": ("bills", "OpenAmount", "Bill", "PayeeEntityRef", "vendors"),
    "BillPaymentCreditCardRet": ("bills", "OpenAmount", "Bill", "PayeeEntityRef", "vendors"),
}


def _dec(value: Value | None) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


def application(target: StoredRecord, amount: Decimal) -> RecordData:
    """The ``AppliedToTxnRet`` a payment of ``amount`` against ``target`` carries."""
    open_field = "BalanceRemaining" if target.ret == "InvoiceRet" else "OpenAmount"
    remaining = _dec(target.data.get(open_field)) - amount
    if amount <= 0 or remaining < 0:
        raise OverpaymentError(
            f"Cannot apply {amount} to {target.data.get('RefNumber', '')}: "
            f"the amount due is {target.data.get(open_field)}."
        )
    out: RecordData = {"TxnID": target.data["TxnID"], "TxnType": target.ret.removesuffix("Ret")}
    out["TxnDate"] = target.data["TxnDate"]
    if "RefNumber" in target.data:
        out["RefNumber"] = target.data["RefNumber"]
    out |= {"BalanceRemaining": remaining, "Amount": amount}
    return out


def apply_payment(company: CompanyFile, payment: StoredRecord, now: datetime | None) -> None:
    """Apply a stored payment's ``AppliedToTxnRet`` lines to the invoices or bills they
    name and to the payer's balance. ``now`` also bumps each paid txn's TimeModified and
    EditSequence (QuickBooks changes a txn when a link is added; uncertain, but safe for
    syncs). Raises 3120 for an unknown txn, 3210 for an overpayment."""
    key, open_field, _, entity_field, entity_key = PAYMENTS[payment.ret]
    total = ZERO
    for applied in _list(payment.data.get("AppliedToTxnRet")):
        target = company.get(key, str(applied["TxnID"]))
        amount = _dec(applied.get("Amount"))
        application(target, amount)  # validates the amount
        _pay(company, target, payment, amount, open_field, now)
        total += amount
    entity = payment.data.get(entity_field)
    if isinstance(entity, dict) and total:
        adjust_balance(company, entity_key, str(entity["ListID"]), -total)


def _pay(
    company: CompanyFile,
    target: StoredRecord,
    payment: StoredRecord,
    amount: Decimal,
    open_field: str,
    now: datetime | None,
) -> None:
    data = dict(target.data)
    remaining = _dec(data.get(open_field)) - amount
    data[open_field] = remaining
    if target.ret == "InvoiceRet":
        data["AppliedAmount"] = _dec(data.get("AppliedAmount")) - amount
    data["IsPaid"] = remaining == 0
    link: RecordData = {"TxnID": payment.data["TxnID"], "TxnType": payment.ret.removesuffix("Ret")}
    link["TxnDate"] = _date(payment.data["TxnDate"])
    if "RefNumber" in payment.data:
        link["RefNumber"] = payment.data["RefNumber"]
    link |= {"LinkType": "AMTTYPE", "Amount": -amount}
    had_links = "LinkedTxn" in data
    data["LinkedTxn"] = [*_list(data.get("LinkedTxn")), link]
    if now is not None:
        modified = data["TimeModified"]
        if isinstance(modified, datetime) and now > modified:
            data["TimeModified"] = now
        data["EditSequence"] = edit_sequence(now, str(data["EditSequence"]))
    target.data = data if had_links else in_schema_order(target.ret, data)


def adjust_balance(company: CompanyFile, key: str, list_id: str, delta: Decimal) -> None:
    """Add ``delta`` to an entity's Balance; customers also roll TotalBalance up the job
    tree. Balances are computed values: TimeModified is not touched (uncertain)."""
    record = company.get(key, list_id)
    record.data = dict(record.data)
    record.data["Balance"] = _dec(record.data.get("Balance")) + delta
    while key == "customers":
        record.data["TotalBalance"] = _dec(record.data.get("TotalBalance")) + delta
        parent = record.data.get("ParentRef")
        if not isinstance(parent, dict):
            break
        record = company.get(key, str(parent["ListID"]))
        record.data = dict(record.data)


def recompute_balances(company: CompanyFile) -> None:
    """Rebuild every customer and vendor balance from the open transactions."""
    for key in ("customers", "vendors"):
        for record in company.iter_records(key):
            record.data = dict(record.data)
            record.data["Balance"] = ZERO
            if key == "customers":
                record.data["TotalBalance"] = ZERO
    for key, field, ref, sign in OPEN_AMOUNTS:
        for txn in company.iter_records(key):
            entity = txn.data.get(ref)
            amount = _dec(txn.data.get(field))
            if isinstance(entity, dict) and amount:
                owner = "customers" if ref == "CustomerRef" else "vendors"
                adjust_balance(company, owner, str(entity["ListID"]), sign * amount)


OPEN_AMOUNTS: tuple[tuple[str, str, str, int], ...] = (
    ("invoices", "BalanceRemaining", "CustomerRef", 1),
    ("credit_memos", "CreditRemaining", "CustomerRef", -1),
    ("receive_payments", "UnusedPayment", "CustomerRef", -1),
    ("bills", "OpenAmount", "VendorRef", 1),
    ("vendor_credits", "OpenAmount", "VendorRef", -1),
)
"""What makes up an entity's balance: (key, open-amount field, entity ref, sign)."""


def _list(value: Value | None) -> list[RecordData]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _date(value: Value) -> date:
    assert isinstance(value, date)
    return value

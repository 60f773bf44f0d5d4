"""Payments: ReceivePaymentAdd (to invoices) and BillPaymentCheckAdd (to bills).

Owns: applying a payment the way QuickBooks does: each ``AppliedToTxnAdd`` names an open
transaction of the payer (3120 when the TxnID is unknown, 3140 when it belongs to someone
else), may not pay more than is open (3210, text after PHP Errors.php "cannot pay more than
the amount due"), lowers the target's open amount, marks it paid at zero, links the two
(LinkedTxn on the target), and lowers the customer's/vendor's balance. ``IsAutoApply``
applies the payment to the payer's oldest open invoices. Must not: build XML.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from connector.qbxml.values import RecordData, Value

from ..company.refs import resolve_refs
from ..errors import InvalidFieldError, InvalidReferenceError, ObjectNotFoundError
from .context import Context, Handler, Reply, Request, ok
from .filters import as_list, text
from .write_common import ZERO, adjust_ref_balance, body_of, default_account, money, to_ret


@dataclass(frozen=True)
class PaymentKind:
    key: str
    ret: str
    payer_ref: str
    payer_key: str
    target_key: str
    target_type: str
    open_fields: tuple[str, ...]
    """The target's open-amount fields (BalanceRemaining; AmountDue is the bill's total)."""
    total_field: str
    account: tuple[str, str]


RECEIVE = PaymentKind(
    "receive_payments",
    "ReceivePaymentRet",
    "CustomerRef",
    "customers",
    "invoices",
    "Invoice",
    ("BalanceRemaining",),
    "TotalAmount",
    ("ARAccountRef", "AccountsReceivable"),
)
BILL_CHECK = PaymentKind(
    "bill_payment_checks",
    "BillPaymentCheckRet",
    "PayeeEntityRef",
    "vendors",
    "bills",
    "Bill",
    ("OpenAmount",),
    "Amount",
    ("APAccountRef", "AccountsPayable"),
)

BILL_CARD = replace(BILL_CHECK, key="bill_payment_credit_cards", ret="BillPaymentCreditCardRet")
"""Paying bills by credit card differs from by check only in where the payment is kept."""


def payment_add(kind: PaymentKind) -> Handler:
    def handle(ctx: Context, request: Request) -> Reply:
        raw = body_of(ctx, request)
        data = to_ret(kind.ret, raw)
        data.setdefault("TxnDate", ctx.now.date())
        data.setdefault(kind.account[0], default_account(ctx.company, kind.account[1]))
        payer = resolve_refs(ctx.company, kind.payer_key, {kind.payer_ref: data[kind.payer_ref]})
        payer_ref = payer[kind.payer_ref]
        assert isinstance(payer_ref, dict)
        plan = _plan(ctx, kind, raw, payer_ref)
        applied = sum((amount for _, amount in plan), ZERO)
        total = money(raw["TotalAmount"]) if "TotalAmount" in raw else applied
        if applied > total:
            raise InvalidFieldError("The total of the amounts applied is more than the payment.")
        data[kind.total_field] = total
        if kind is RECEIVE:
            data["UnusedPayment"] = total - applied
            data["UnusedCredits"] = ZERO
        data["AppliedToTxnRet"] = [
            _applied_ret(ctx, kind, txn_id, amount) for txn_id, amount in plan
        ]
        record = ctx.company.add(kind.key, kind.ret, data, ctx.now)
        for txn_id, amount in plan:
            _apply(ctx, kind, txn_id, amount, str(record.data["TxnID"]), record.data)
        # balances.OPEN_AMOUNTS: an unused payment lowers the customer's balance too
        moved = total if kind is RECEIVE else applied
        adjust_ref_balance(ctx.company, kind.payer_key, payer_ref, -moved)
        return ok(
            request, ((record.ret, ctx.company.get(kind.key, str(record.data["TxnID"])).data),)
        )

    return handle


def _open(data: RecordData, kind: PaymentKind) -> Decimal:
    return money(data.get(kind.open_fields[0]))


def _plan(
    ctx: Context, kind: PaymentKind, raw: RecordData, payer: RecordData
) -> list[tuple[str, Decimal]]:
    """(TxnID, amount) pairs the payment applies to, checked."""
    if text(raw, "IsAutoApply") in ("true", "1"):
        return _auto(ctx, kind, raw, payer)
    plan: list[tuple[str, Decimal]] = []
    for item in as_list(raw.get("AppliedToTxnAdd")):
        if not isinstance(item, dict):
            continue
        txn_id = text(item, "TxnID") or ""
        target = _target(ctx, kind, txn_id, payer)
        amount = money(item.get("PaymentAmount", target[kind.open_fields[0]]))
        if amount > _open(target, kind):
            raise InvalidFieldError(
                f'The amount applied to "{txn_id}" is more than its open balance; '
                "QuickBooks cannot pay more than the amount due."
            )
        plan.append((txn_id, amount))
    return plan


def _auto(
    ctx: Context, kind: PaymentKind, raw: RecordData, payer: RecordData
) -> list[tuple[str, Decimal]]:
    left = money(raw.get("TotalAmount"))
    plan: list[tuple[str, Decimal]] = []
    targets = sorted(
        (
            r.data
            for r in ctx.company.iter_records(kind.target_key)
            if _same(r.data.get(kind.payer_ref if kind is RECEIVE else "VendorRef"), payer)
            and _open(r.data, kind) > 0
        ),
        key=lambda d: str(d.get("TxnDate")),
    )
    for target in targets:
        if left <= 0:
            break
        amount = min(left, _open(target, kind))
        plan.append((str(target["TxnID"]), amount))
        left -= amount
    return plan


def _same(ref: Value | None, payer: RecordData) -> bool:
    return isinstance(ref, dict) and ref.get("ListID") == payer.get("ListID")


def _target(ctx: Context, kind: PaymentKind, txn_id: str, payer: RecordData) -> RecordData:
    target = ctx.company.get(kind.target_key, txn_id).data
    owner = target.get("CustomerRef" if kind is RECEIVE else "VendorRef")
    if not _same(owner, payer):
        raise InvalidReferenceError(kind.target_type, txn_id, kind.ret.removesuffix("Ret"))
    return target


def _applied_ret(ctx: Context, kind: PaymentKind, txn_id: str, amount: Decimal) -> RecordData:
    target = ctx.company.get(kind.target_key, txn_id).data
    out: RecordData = {"TxnID": txn_id, "TxnType": kind.target_type}
    for name in ("TxnDate", "RefNumber"):
        if name in target:
            out[name] = target[name]
    out["BalanceRemaining"] = _open(target, kind) - amount
    out["Amount"] = amount
    return out


def _apply(
    ctx: Context,
    kind: PaymentKind,
    txn_id: str,
    amount: Decimal,
    payment_id: str,
    payment: RecordData,
) -> None:
    target = ctx.company.get(kind.target_key, txn_id).data
    left = _open(target, kind) - amount
    changes: RecordData = {kind.open_fields[0]: left, "IsPaid": left == 0}
    if "AppliedAmount" in target:
        changes["AppliedAmount"] = money(target["AppliedAmount"]) - amount
    link: RecordData = {
        "TxnID": payment_id,
        "TxnType": kind.ret.removesuffix("Ret"),
        "TxnDate": payment["TxnDate"],
        "LinkType": "AMTTYPE",
        "Amount": -amount,
    }
    if "RefNumber" in payment:
        link["RefNumber"] = payment["RefNumber"]
    changes["LinkedTxn"] = [*as_list(target.get("LinkedTxn")), link]
    edit = str(target["EditSequence"])
    ctx.company.modify(kind.target_key, txn_id, changes, edit, ctx.now, resolve=False)


def payment_handlers() -> dict[str, Handler]:
    return {
        "ReceivePaymentAddRq": payment_add(RECEIVE),
        "BillPaymentCheckAddRq": payment_add(BILL_CHECK),
        "BillPaymentCreditCardAddRq": payment_add(BILL_CARD),
    }


KINDS = {kind.key: kind for kind in (RECEIVE, BILL_CHECK, BILL_CARD)}


def unapply(ctx: Context, key: str, payment: RecordData) -> None:
    """Undo a payment's applications (before it is deleted or voided): the targets' open
    amounts and links, and the payer's balance, as QuickBooks does on deletion."""
    kind = KINDS.get(key)
    if kind is None:
        return
    restored = ZERO
    for applied in as_list(payment.get("AppliedToTxnRet")):
        if not isinstance(applied, dict):
            continue
        txn_id, amount = str(applied.get("TxnID", "")), money(applied.get("Amount"))
        try:
            target = ctx.company.get(kind.target_key, txn_id).data
        except ObjectNotFoundError:
            continue  # the target is gone already
        left = _open(target, kind) + amount
        links = [
            link
            for link in as_list(target.get("LinkedTxn"))
            if not (isinstance(link, dict) and link.get("TxnID") == payment.get("TxnID"))
        ]
        changes: RecordData = {kind.open_fields[0]: left, "IsPaid": left == 0, "LinkedTxn": links}
        if "AppliedAmount" in target:
            changes["AppliedAmount"] = money(target["AppliedAmount"]) + amount
        edit = str(target["EditSequence"])
        ctx.company.modify(kind.target_key, txn_id, changes, edit, ctx.now, resolve=False)
        restored += amount
    if kind is RECEIVE:
        restored += money(payment.get("UnusedPayment"))
    payer = payment.get(kind.payer_ref)
    adjust_ref_balance(ctx.company, kind.payer_key, payer, restored)

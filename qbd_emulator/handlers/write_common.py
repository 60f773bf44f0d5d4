"""Shared steps of the write handlers: request fields to ``*Ret`` fields, lines, balances.

Owns: renaming an ``*Add``/``*Mod`` body to its ``*Ret`` shape (``InvoiceLineAdd`` ->
``InvoiceLineRet``, ``AppliedToTxnAdd`` -> ``AppliedToTxnRet``), typing it by the 16.0
``*Ret`` model (the company file keeps the newest shape; answers are pruned per version),
QuickBooks' line arithmetic (Amount = Quantity x Rate/Cost, rounded to cents), and the
customer/vendor balance bookkeeping that Adds, payments and deletes share.
Must not: build XML.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from connector.qbxml.schema import Schema
from connector.qbxml.values import RecordData, Value

from ..company import CompanyFile, balances
from ..errors import InvalidFieldError, MissingElementError
from .context import Context, Request
from .filters import text
from .reading import check_lengths, typed_record

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
STORE_VERSION = "16.0"


def store_schema() -> Schema:
    return Schema.for_version(STORE_VERSION)


def body_of(ctx: Context, request: Request) -> RecordData:
    """The ``CustomerAdd`` (etc.) aggregate inside ``CustomerAddRq``, lengths checked."""
    inner = request.body.get(request.base)
    if not isinstance(inner, dict):
        raise MissingElementError(request.base)
    check_lengths(ctx.schema.content(request.base), inner, f"{request.base}/")
    return inner


def mod_target(raw: RecordData, id_name: str) -> tuple[str, str]:
    """The ``ListID``/``TxnID`` (``id_name``) and ``EditSequence`` a Mod must carry;
    ``MissingElementError`` naming both when either is missing or empty."""
    record_id, edit = text(raw, id_name), text(raw, "EditSequence")
    if not record_id or not edit:
        raise MissingElementError(f"{id_name}/EditSequence")
    return record_id, edit


BARE_MODS = frozenset({"SalesOrPurchaseMod", "SalesAndPurchaseMod"})
"""Mod aggregates whose ``*Ret`` form has no suffix (an item's ``SalesOrPurchase``)."""


def ret_names(raw: RecordData) -> RecordData:
    """``*Add``/``*Mod`` children renamed to their ``*Ret`` names, recursively."""
    out: RecordData = {}
    for name, value in raw.items():
        new = name
        for suffix in ("Add", "Mod"):
            if name.endswith(suffix) and name not in ("LinkToTxnID",):
                bare = name in BARE_MODS
                new = name.removesuffix(suffix) + ("" if bare else "Ret")
        out[new] = _rename_value(value)
    return out


def _rename_value(value: Value) -> Value:
    if isinstance(value, list):
        return [_rename_value(v) for v in value]
    if isinstance(value, dict):
        return ret_names(value)
    return value


def to_ret(ret: str, raw: RecordData) -> RecordData:
    """``raw`` (renamed) typed and restricted to ``ret``'s children."""
    return typed_record(store_schema(), ret, ret_names(raw))


def money(value: Value | None) -> Decimal:
    """An amount rounded to cents; one QuickBooks cannot hold answers 3210 (uncertain code)."""
    if value is None:
        return ZERO
    try:
        return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except InvalidOperation:
        raise InvalidFieldError(f'The amount "{value}" is out of range.') from None


def fill_line(company: CompanyFile, line: RecordData, now: datetime, price: str) -> RecordData:
    """A new line: TxnLineID, and Amount from Quantity x ``price`` (Rate or Cost) if absent."""
    out = dict(line)
    if str(out.get("TxnLineID", "-1")) == "-1":
        out["TxnLineID"] = company.counters.txn_id(now)
    if "Amount" not in out and price in out:
        quantity = Decimal(str(out.get("Quantity", 1)))
        out["Amount"] = money(quantity * Decimal(str(out[price])))
    return out


def line_total(lines: Value | None) -> Decimal:
    total = ZERO
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, dict):
            total += money(line.get("Amount"))
    return total


def default_account(company: CompanyFile, account_type: str) -> RecordData:
    """The first active account of ``account_type`` (QuickBooks' default AR/AP account)."""
    for record in company.iter_records("accounts"):
        if record.data.get("AccountType") == account_type:
            return {"ListID": record.data["ListID"], "FullName": record.data.get("FullName", "")}
    raise InvalidFieldError(f"There is no {account_type} account in this company file.")


def adjust_ref_balance(company: CompanyFile, key: str, ref: Value | None, delta: Decimal) -> None:
    """Add ``delta`` to the balance of the customer/vendor ``ref`` names (the company
    model's roll-up, ``qbd_emulator.company.balances``: TimeModified is not touched)."""
    if isinstance(ref, dict) and delta != 0:
        balances.adjust_balance(company, key, str(ref.get("ListID", "")), delta)

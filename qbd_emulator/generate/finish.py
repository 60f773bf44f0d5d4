"""The last steps of generation: later modifications, recent deletions, final balances.

Owns: TimeModified/EditSequence changes after creation, the deleted lists and
transactions of the last 90 days (ListDeletedQuery/TxnDeletedQuery look back that far,
PROTOCOL.md 1.10), account balances from the ledger, customer and vendor balances from
the open documents. Must not: create the living records (the other modules do).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from connector.qbxml.datatypes import DATA_TYPES, Kind
from connector.qbxml.values import RecordData, Value
from qbd_emulator.company import StoredRecord
from qbd_emulator.company.balances import recompute_balances
from qbd_emulator.company.ledger import DEBIT_NORMAL
from qbd_emulator.generate.gen import ZERO, Gen, local
from qbd_emulator.generate.names import address, unique_name

STOCKED = frozenset({"ItemInventoryRet", "ItemInventoryAssemblyRet"})


def modify_some(gen: Gen, share: float = 0.15) -> None:
    """About ``share`` of the records get a later modification (TimeModified > TimeCreated,
    new EditSequence), as edits do in a real file. 40% of the modified list elements
    are made inactive, when QuickBooks would allow it: no open balance, and not a stocked
    item (QuickBooks refuses to hide either; from memory of its UI, uncertain for items)."""
    for dtype in DATA_TYPES:
        if dtype.kind not in (Kind.LIST, Kind.TXN) or dtype.key == "sales_tax_items":
            continue
        for record in list(gen.company.iter_records(dtype.key)):
            modified = record.data["TimeModified"]
            assert isinstance(modified, datetime)
            when = gen.later(modified, share)
            if when is None:
                continue
            record_id = str(record.data[dtype.id_field])
            if _may_deactivate(record) and gen.chance(0.4):
                edit = str(record.data["EditSequence"])
                changes: RecordData = {"IsActive": False}
                gen.company.modify(dtype.key, record_id, changes, edit, when, resolve=False)
            else:
                gen.company.touch(dtype.key, record_id, when)


def _may_deactivate(record: StoredRecord) -> bool:
    data = record.data
    if data.get("IsActive") is not True or record.ret in STOCKED:
        return False
    return data.get("Balance", ZERO) == ZERO and data.get("TotalBalance", ZERO) == ZERO


def delete_some(gen: Gen, count: int) -> None:
    """``count`` records created and deleted within the last 90 days, half lists and half
    transactions; nothing refers to them, so every remaining ref still resolves."""
    window = timedelta(days=89)
    used = {
        str(r.data.get("FullName", r.data["Name"])).casefold()
        for key in ("customers", "vendors", "employees", "other_names")
        for r in gen.company.iter_records(key)
    }
    for index in range(count):
        created = local(gen.now - window + timedelta(minutes=gen.rng.randint(0, 60 * 24 * 80)))
        deleted = created + timedelta(minutes=gen.rng.randint(1, 60 * 24 * 5))
        deleted = local(min(deleted, gen.now - timedelta(minutes=1)))
        if index % 2 == 0:
            data: RecordData = {"Name": unique_name(gen, f"Prospect {gen.fk('last_name')}", used)}
            data |= {"IsActive": True, "BillAddress": address(gen), "Balance": ZERO}
            data["TotalBalance"] = ZERO
            record = gen.add("customers", "CustomerRet", data, created)
            gen.company.delete("customers", str(record.data["ListID"]), deleted)
        else:
            data = {"AccountRef": gen.account["checking"], "PayeeEntityRef": gen.pick("vendors")}
            data |= {"RefNumber": f"V{index}", "TxnDate": created.date()}
            data |= {"Amount": Decimal("10.00"), "Memo": "Entered in error"}
            line: RecordData = {"TxnLineID": gen.line_id(created)}
            line |= {"AccountRef": gen.account["office"], "Amount": Decimal("10.00")}
            data["ExpenseLineRet"] = [line]
            record = gen.add("checks", "CheckRet", data, created)
            gen.company.delete("checks", str(record.data["TxnID"]), deleted)


def account_balances(gen: Gen) -> None:
    """Balance from the ledger; TotalBalance adds the subaccounts'."""
    totals: dict[str, Decimal] = {}
    records = list(gen.company.iter_records("accounts"))
    for record in records:
        list_id = str(record.data["ListID"])
        debit = gen.gl.get(list_id, ZERO)
        balance = debit if record.data["AccountType"] in DEBIT_NORMAL else -debit
        record.data = dict(record.data) | {"Balance": balance}
        totals[list_id] = totals.get(list_id, ZERO) + balance
        parent = record.data.get("ParentRef")
        if isinstance(parent, dict):
            parent_id = str(parent["ListID"])
            totals[parent_id] = totals.get(parent_id, ZERO) + balance
    for record in records:
        record.data["TotalBalance"] = totals[str(record.data["ListID"])]


# (key, line element, quantity field, sign) of the documents that move or reserve stock
STOCK_MOVES = (
    ("invoices", "InvoiceLineRet", "QuantityOnHand", -1),
    ("sales_receipts", "SalesReceiptLineRet", "QuantityOnHand", -1),
    ("credit_memos", "CreditMemoLineRet", "QuantityOnHand", 1),
    ("bills", "ItemLineRet", "QuantityOnHand", 1),
)


def stock_levels(gen: Gen) -> None:
    """QuantityOnHand moves with sales, returns and bills from an opening quantity that no
    record shows (chosen so that stock does not end negative); QuantityOnOrder is what
    open purchase orders still expect, QuantityOnSalesOrder what open sales orders still
    reserve."""
    moves: dict[tuple[str, str], Decimal] = {}
    for key, line_name, field, sign in STOCK_MOVES:
        for txn in gen.company.iter_records(key):
            _count_lines(moves, txn.data.get(line_name), field, sign, "Quantity")
    for order in gen.company.iter_records("purchase_orders"):
        if order.data.get("IsFullyReceived") is not True:
            _count_lines(
                moves, order.data["PurchaseOrderLineRet"], "QuantityOnOrder", 1, "Quantity"
            )
    for order in gen.company.iter_records("sales_orders"):
        if order.data.get("IsFullyInvoiced") is not True:
            lines = order.data["SalesOrderLineRet"]
            _count_lines(moves, lines, "QuantityOnSalesOrder", 1, "Quantity")
    for item in gen.company.iter_records("items"):
        if item.ret in STOCKED:
            item_id = str(item.data["ListID"])
            levels = {f: _dec(item.data.get(f)) + moves.get((item_id, f), 0) for f in _LEVELS}
            if levels["QuantityOnHand"] < 0:  # the opening stock (no record shows it)
                levels["QuantityOnHand"] = _dec(item.data.get("QuantityOnHand"))  # was larger
            item.data = dict(item.data) | levels


_LEVELS = ("QuantityOnHand", "QuantityOnOrder", "QuantityOnSalesOrder")


def _count_lines(
    moves: dict[tuple[str, str], Decimal], lines: Value | None, field: str, sign: int, qty: str
) -> None:
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, dict) and isinstance(line.get("ItemRef"), dict):
            item_ref = line["ItemRef"]
            assert isinstance(item_ref, dict)
            slot = (str(item_ref["ListID"]), field)
            moves[slot] = moves.get(slot, Decimal(0)) + sign * _dec(line.get(qty))


def _dec(value: Value | None) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(0)


def finish(gen: Gen, deletions: int) -> None:
    stock_levels(gen)
    account_balances(gen)
    recompute_balances(gen.company)  # before modify_some: it looks at balances
    modify_some(gen)
    delete_some(gen, deletions)

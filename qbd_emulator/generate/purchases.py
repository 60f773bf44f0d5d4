"""Generated purchase transactions: purchase orders, bills, vendor credits, and bill
payments by check and by credit card (applied to bills).

Owns: their records, expense/item lines and ledger postings. Must not: decide counts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from connector.qbxml.values import RecordData, Value
from qbd_emulator.company import in_schema_order
from qbd_emulator.company.balances import apply_payment
from qbd_emulator.company.ids import edit_sequence
from qbd_emulator.generate.gen import CENT, ZERO, Gen, vals
from qbd_emulator.generate.state import TxnState

MEMOS = ("Monthly service", "Supplies", "Parts order", "Maintenance", "Quarterly fee", "Repairs")


def expense_lines(
    gen: Gen, created: datetime, count: int, low: int = 20, high: int = 900
) -> tuple[list[RecordData], list[tuple[RecordData, Decimal]]]:
    """ExpenseLineRet dicts and their debit postings."""
    lines: list[RecordData] = []
    postings: list[tuple[RecordData, Decimal]] = []
    for _ in range(count):
        account, amount = gen.pick("expense"), gen.money(low, high)
        line: RecordData = {"TxnLineID": gen.line_id(created), "AccountRef": account}
        line |= {"Amount": amount, "Memo": gen.choice(MEMOS)}
        if gen.chance(0.1):
            line |= {"CustomerRef": gen.pick("customers"), "BillableStatus": "Billable"}
        lines.append(line)
        postings.append((account, amount))
    return lines, postings


def item_lines(
    gen: Gen, state: TxnState, created: datetime, count: int
) -> tuple[list[RecordData], list[tuple[RecordData, Decimal]]]:
    """ItemLineRet dicts for items that are bought (they post to COGS/expense/inventory)."""
    bought = state.bought_items()
    lines: list[RecordData] = []
    postings: list[tuple[RecordData, Decimal]] = []
    for item in gen.rng.sample(bought, k=min(count, len(bought))):
        assert item.expense is not None
        quantity = Decimal(gen.rng.randint(1, 20))
        cost = item.cost if item.cost else item.price
        amount = (cost * quantity).quantize(CENT)
        line: RecordData = {"TxnLineID": gen.line_id(created), "ItemRef": item.ref}
        line |= {"Desc": str(item.ref["FullName"]), "Quantity": quantity, "Cost": cost}
        line["Amount"] = amount
        lines.append(line)
        postings.append((item.expense, amount))
    return lines, postings


def _vendor(gen: Gen) -> RecordData:
    return gen.company.get("vendors", str(gen.pick("vendors")["ListID"])).data


def make_purchase_order(gen: Gen, state: TxnState, day: date) -> None:
    created, vendor = gen.stamp(day), _vendor(gen)
    bought, postings = item_lines(gen, state, created, gen.rng.randint(1, 3))
    status: RecordData = {"ReceivedQuantity": Decimal(0), "IsBilled": False}
    status["IsManuallyClosed"] = False
    # PurchaseOrderLineRet calls the unit cost Rate (ItemLineRet calls it Cost).
    lines = [{("Rate" if k == "Cost" else k): v for k, v in x.items()} | status for x in bought]
    data: RecordData = {"VendorRef": gen.ref(gen.company.get("vendors", str(vendor["ListID"])))}
    data |= {"TxnDate": day, "RefNumber": state.next_number("purchase_order", 7001)}
    data |= {"VendorAddress": vendor["VendorAddress"], "DueDate": state.due(None, day)}
    data |= {"ExpectedDate": state.due(None, day), "TotalAmount": _sum(postings)}
    data |= {"IsManuallyClosed": False, "IsFullyReceived": False, "IsToBePrinted": False}
    data |= {"IsToBeEmailed": False, "PurchaseOrderLineRet": vals(lines)}
    record = gen.add("purchase_orders", "PurchaseOrderRet", data, created)
    state.purchase_orders.add(str(record.data["TxnID"]))


def _sum(postings: list[tuple[RecordData, Decimal]]) -> Decimal:
    return sum((amount for _, amount in postings), ZERO)


def make_bill(gen: Gen, state: TxnState, day: date) -> None:
    """A bill with expense lines and sometimes item lines; about one in four bills the
    goods of an open purchase order (linked both ways, the order marked received)."""
    created = gen.stamp(day)
    order = _open_order(gen, state)
    vendor = _vendor(gen) if order is None else _order_vendor(gen, order)
    expenses, postings = expense_lines(gen, created, gen.rng.randint(0 if order else 1, 2))
    items: list[RecordData] = []
    if order is not None:
        items, more = _received_lines(gen, state, order, created)
        postings += more
    elif gen.chance(0.4):
        items, more = item_lines(gen, state, created, gen.rng.randint(1, 2))
        postings += more
    total = _sum(postings)
    ref = gen.ref(gen.company.get("vendors", str(vendor["ListID"])))
    terms = vendor.get("TermsRef")
    data: RecordData = {"VendorRef": ref, "VendorAddress": vendor["VendorAddress"]}
    data |= {"APAccountRef": gen.account["ap"], "TxnDate": day}
    data |= {"DueDate": state.due(terms if isinstance(terms, dict) else None, day)}
    data |= {"AmountDue": total, "RefNumber": f"B{gen.rng.randint(10000, 9999999)}"}
    if isinstance(terms, dict):
        data["TermsRef"] = terms
    data |= {"Memo": gen.choice(MEMOS), "IsPaid": total == 0}
    if order is not None:
        data["LinkedTxn"] = vals([_link(order, "PurchaseOrder", total)])
    if expenses:
        data["ExpenseLineRet"] = vals(expenses)
    if items:
        data["ItemLineRet"] = vals(items)
    data["OpenAmount"] = total
    record = gen.add("bills", "BillRet", data, created)
    for account, amount in postings:
        gen.post(account, amount)
    gen.post(gen.account["ap"], -total)
    if order is not None:
        _receive(gen, order, record.data, total, created)
    if total > 0:
        state.bills.add(str(ref["ListID"]), str(record.data["TxnID"]))


def _open_order(gen: Gen, state: TxnState) -> RecordData | None:
    if not state.purchase_orders or not gen.chance(0.25):
        return None
    txn_id = state.purchase_orders.choice(gen.rng)
    state.purchase_orders.discard(txn_id)
    return gen.company.get("purchase_orders", txn_id).data


def _order_vendor(gen: Gen, order: RecordData) -> RecordData:
    ref = order["VendorRef"]
    assert isinstance(ref, dict)
    return gen.company.get("vendors", str(ref["ListID"])).data


def _received_lines(
    gen: Gen, state: TxnState, order: RecordData, created: datetime
) -> tuple[list[RecordData], list[tuple[RecordData, Decimal]]]:
    """The order's lines as bill ItemLineRets (Rate becomes Cost), with their postings."""
    lines: list[RecordData] = []
    postings: list[tuple[RecordData, Decimal]] = []
    for line in rows(order["PurchaseOrderLineRet"]):
        item_ref, amount = line["ItemRef"], line["Amount"]
        assert isinstance(item_ref, dict) and isinstance(amount, Decimal)
        out: RecordData = {"TxnLineID": gen.line_id(created), "ItemRef": item_ref}
        out |= {"Desc": line["Desc"], "Quantity": line["Quantity"], "Cost": line["Rate"]}
        lines.append(out | {"Amount": amount})
        expense = state.items[str(item_ref["ListID"])].expense
        assert expense is not None
        postings.append((expense, amount))
    return lines, postings


def _link(other: RecordData, txn_type: str, amount: Decimal) -> RecordData:
    link: RecordData = {"TxnID": other["TxnID"], "TxnType": txn_type, "TxnDate": other["TxnDate"]}
    return link | {"RefNumber": other["RefNumber"], "LinkType": "QUANTYPE", "Amount": amount}


def _receive(
    gen: Gen, order: RecordData, bill: RecordData, total: Decimal, created: datetime
) -> None:
    """The order is fully received and billed; it links to the bill."""
    record = gen.company.get("purchase_orders", str(order["TxnID"]))
    data = dict(record.data) | {"IsFullyReceived": True}
    data["LinkedTxn"] = vals([*rows(data.get("LinkedTxn")), _link(bill, "Bill", total)])
    data["PurchaseOrderLineRet"] = vals(
        [
            line | {"ReceivedQuantity": line["Quantity"], "IsBilled": True}
            for line in rows(data["PurchaseOrderLineRet"])
        ]
    )
    modified = data["TimeModified"]
    if isinstance(modified, datetime) and created > modified:
        data["TimeModified"] = created
        data["EditSequence"] = edit_sequence(created, str(data["EditSequence"]))
    record.data = in_schema_order(record.ret, data)


def rows(value: Value | None) -> list[RecordData]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def make_vendor_credit(gen: Gen, state: TxnState, day: date) -> None:
    created, vendor = gen.stamp(day), _vendor(gen)
    expenses, postings = expense_lines(gen, created, 1, 10, 200)
    total = _sum(postings)
    data: RecordData = {"VendorRef": gen.ref(gen.company.get("vendors", str(vendor["ListID"])))}
    data |= {"APAccountRef": gen.account["ap"], "TxnDate": day, "CreditAmount": total}
    data |= {"RefNumber": f"C{gen.rng.randint(1000, 99999)}", "Memo": "Credit for return"}
    data |= {"ExpenseLineRet": vals(expenses), "OpenAmount": total}
    gen.add("vendor_credits", "VendorCreditRet", data, created)
    gen.post(gen.account["ap"], total)
    for account, amount in postings:
        gen.post(account, -amount)


def make_bill_payment(gen: Gen, state: TxnState, day: date, by_card: bool) -> None:
    """Pays one or two open bills of one vendor, by check or by credit card."""
    if not state.bills:
        return
    created = gen.stamp(day)
    payment = state.bills.pay(gen)
    total = payment.total
    data: RecordData = {"PayeeEntityRef": payment.owner, "APAccountRef": gen.account["ap"]}
    data["TxnDate"] = day
    if by_card:
        account = gen.pick("credit_card")
        data |= {"CreditCardAccountRef": account, "Amount": total}
        data["RefNumber"] = str(gen.rng.randint(100, 9999))
        key, ret = "bill_payment_credit_cards", "BillPaymentCreditCardRet"
    else:
        account = gen.account["checking"]
        data |= {"BankAccountRef": account, "Amount": total}
        data |= {"RefNumber": state.next_number("check", 3001), "IsToBePrinted": False}
        key, ret = "bill_payment_checks", "BillPaymentCheckRet"
    data["AppliedToTxnRet"] = vals(payment.applied)
    record = gen.add(key, ret, data, created)
    apply_payment(gen.company, record, created)
    state.bills.settle(gen, payment)
    gen.post(gen.account["ap"], total)
    gen.post(account, -total)

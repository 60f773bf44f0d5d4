"""Generated sales transactions: estimates, sales orders, invoices, credit memos, sales
receipts and payments received (applied to invoices).

Owns: their records, lines, links and ledger postings. Each ``make_*`` creates one
transaction dated ``day``. Must not: decide how many there are (``txns``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.company import in_schema_order
from qbd_emulator.company.balances import apply_payment
from qbd_emulator.company.ids import edit_sequence
from qbd_emulator.generate.gen import CENT, ZERO, Gen, vals
from qbd_emulator.generate.items import ItemInfo
from qbd_emulator.generate.state import TxnState, Undeposited


@dataclass
class Sale:
    lines: list[RecordData]
    subtotal: Decimal
    tax: Decimal
    rate: Decimal
    postings: list[tuple[RecordData, Decimal]]
    """Ledger postings of the lines and tax (debit positive), excluding the AR/cash side."""

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def build_sale(
    gen: Gen, state: TxnState, customer: RecordData, created: datetime, kind: str
) -> Sale:
    """Lines for a sales document (``kind`` "InvoiceLineRet", "EstimateLineRet", ...)."""
    taxable = customer.get("SalesTaxCodeRef", {}) == gen.account["code_Tax"]
    tax_ref = customer.get("ItemSalesTaxRef")
    rate = state.tax_rates.get(str(tax_ref["ListID"]), ZERO) if isinstance(tax_ref, dict) else ZERO
    lines: list[RecordData] = []
    postings: list[tuple[RecordData, Decimal]] = []
    subtotal = taxable_amount = ZERO
    for item in gen.rng.sample(state.sale_items(), k=min(gen.rng.randint(1, 4), len(state.items))):
        line, amount = _line(gen, item, created, kind, taxable)
        lines.append(line)
        subtotal += amount
        if taxable and item.taxable:
            taxable_amount += amount
        if item.income is not None:
            postings.append((item.income, -amount))
        if item.inventory:
            cost = item.cost * _dec(line["Quantity"])
            postings += [(gen.account["cogs"], cost), (gen.account["inventory"], -cost)]
    tax = (taxable_amount * rate / 100).quantize(CENT, ROUND_HALF_UP) if taxable else ZERO
    if tax:
        postings.append((gen.account["tax"], -tax))
    return Sale(lines, subtotal, tax, rate, postings)


def _line(
    gen: Gen, item: ItemInfo, created: datetime, kind: str, taxable: bool
) -> tuple[RecordData, Decimal]:
    quantity = Decimal(gen.rng.randint(1, 10))
    amount = (item.price * quantity).quantize(CENT)
    line: RecordData = {"TxnLineID": gen.line_id(created), "ItemRef": item.ref}
    line |= {"Desc": str(item.ref["FullName"]), "Quantity": quantity, "Rate": item.price}
    line["Amount"] = amount
    line["SalesTaxCodeRef"] = gen.account["code_Tax" if taxable and item.taxable else "code_Non"]
    if kind == "SalesOrderLineRet":
        line |= {"Invoiced": Decimal(0), "IsManuallyClosed": False}
    return line, amount


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


def _customer(gen: Gen) -> RecordData:
    return gen.company.get("customers", str(gen.pick("customers")["ListID"])).data


def _head(gen: Gen, customer: RecordData, day: date, number: str) -> RecordData:
    ref = gen.ref(gen.company.get("customers", str(customer["ListID"])))
    data: RecordData = {"CustomerRef": ref}
    if gen.chance(0.3) and "classes" in gen.refs:
        data["ClassRef"] = gen.pick("classes")
    return data | {"TxnDate": day, "RefNumber": number}


def _tax_fields(customer: RecordData, sale: Sale) -> RecordData:
    data: RecordData = {"Subtotal": sale.subtotal}
    if isinstance(customer.get("ItemSalesTaxRef"), dict):
        data["ItemSalesTaxRef"] = customer["ItemSalesTaxRef"]
    return data | {"SalesTaxPercentage": sale.rate, "SalesTaxTotal": sale.tax}


def make_estimate(gen: Gen, state: TxnState, day: date) -> None:
    created, customer = gen.stamp(day), _customer(gen)
    sale = build_sale(gen, state, customer, created, "EstimateLineRet")
    data = _head(gen, customer, day, state.next_number("estimate", 1))
    data |= {"BillAddress": customer["BillAddress"], "IsActive": True}
    data |= {"TermsRef": customer["TermsRef"], "DueDate": state.due(_ref(customer), day)}
    data |= _tax_fields(customer, sale) | {"TotalAmount": sale.total}
    data |= {"IsToBeEmailed": False, "CustomerSalesTaxCodeRef": customer["SalesTaxCodeRef"]}
    data["EstimateLineRet"] = vals(sale.lines)
    record = gen.add("estimates", "EstimateRet", data, created)
    state.estimates.add(str(record.data["TxnID"]))


def make_sales_order(gen: Gen, state: TxnState, day: date) -> None:
    created, customer = gen.stamp(day), _customer(gen)
    sale = build_sale(gen, state, customer, created, "SalesOrderLineRet")
    data = _head(gen, customer, day, state.next_number("sales_order", 5001))
    data |= {"BillAddress": customer["BillAddress"], "TermsRef": customer["TermsRef"]}
    data |= {"DueDate": state.due(_ref(customer), day)} | _tax_fields(customer, sale)
    data |= {"TotalAmount": sale.total, "IsManuallyClosed": False, "IsFullyInvoiced": False}
    data |= {"IsToBePrinted": False, "IsToBeEmailed": False}
    data["CustomerSalesTaxCodeRef"] = customer["SalesTaxCodeRef"]
    data["SalesOrderLineRet"] = vals(sale.lines)
    record = gen.add("sales_orders", "SalesOrderRet", data, created)
    state.sales_orders.add(str(record.data["TxnID"]))


def _ref(customer: RecordData) -> RecordData | None:
    terms = customer.get("TermsRef")
    return terms if isinstance(terms, dict) else None


def make_invoice(gen: Gen, state: TxnState, day: date) -> None:
    created = gen.stamp(day)
    source = _source_document(gen, state)
    customer = _customer(gen) if source is None else _owner(gen, source)
    sale = build_sale(gen, state, customer, created, "InvoiceLineRet")
    data = _head(gen, customer, day, state.next_number("invoice"))
    data |= {"ARAccountRef": gen.account["ar"], "BillAddress": customer["BillAddress"]}
    data |= {"IsPending": False, "IsFinanceCharge": False, "TermsRef": customer["TermsRef"]}
    data["DueDate"] = state.due(_ref(customer), day)
    if gen.chance(0.3):
        data["PONumber"] = f"PO-{gen.rng.randint(1000, 99999)}"
    data |= _tax_fields(customer, sale) | {"AppliedAmount": ZERO, "BalanceRemaining": sale.total}
    data |= {"IsPaid": sale.total == 0, "IsToBePrinted": False, "IsToBeEmailed": gen.chance(0.5)}
    data["CustomerSalesTaxCodeRef"] = customer["SalesTaxCodeRef"]
    data["InvoiceLineRet"] = vals(sale.lines)
    if source is not None:
        data["LinkedTxn"] = vals([_link(source, "QUANTYPE", sale.total)])
    record = gen.add("invoices", "InvoiceRet", data, created)
    _post_sale(gen, sale, gen.account["ar"], sale.total)
    if source is not None:
        _close_source(gen, source, record.data, sale.total, created)
    if sale.total > 0:
        state.invoices.add(str(customer["ListID"]), str(record.data["TxnID"]))


def _source_document(gen: Gen, state: TxnState) -> RecordData | None:
    """Sometimes an invoice is made from an open estimate or sales order."""
    for key, pool in (("estimates", state.estimates), ("sales_orders", state.sales_orders)):
        if pool and gen.chance(0.25):
            txn_id = pool.choice(gen.rng)
            pool.discard(txn_id)
            return gen.company.get(key, txn_id).data
    return None


def _owner(gen: Gen, source: RecordData) -> RecordData:
    ref = source["CustomerRef"]
    assert isinstance(ref, dict)
    return gen.company.get("customers", str(ref["ListID"])).data


def _link(other: RecordData, link_type: str, amount: Decimal) -> RecordData:
    txn_type = "Estimate" if "EstimateLineRet" in other else "SalesOrder"
    if "InvoiceLineRet" in other:
        txn_type = "Invoice"
    link: RecordData = {"TxnID": other["TxnID"], "TxnType": txn_type, "TxnDate": other["TxnDate"]}
    link |= {"RefNumber": other["RefNumber"], "LinkType": link_type, "Amount": amount}
    return link


def _close_source(
    gen: Gen, source: RecordData, invoice: RecordData, amount: Decimal, created: datetime
) -> None:
    key = "estimates" if "EstimateLineRet" in source else "sales_orders"
    record = gen.company.get(key, str(source["TxnID"]))
    data = dict(record.data)
    data["LinkedTxn"] = [*_links(data), _link(invoice, "QUANTYPE", amount)]
    if key == "sales_orders":
        data["IsFullyInvoiced"] = True
        lines = data["SalesOrderLineRet"]
        assert isinstance(lines, list)
        data["SalesOrderLineRet"] = [
            dict(line) | {"Invoiced": line["Quantity"]} for line in lines if isinstance(line, dict)
        ]
    if created > data["TimeModified"]:  # type: ignore[operator]
        data["TimeModified"] = created
        data["EditSequence"] = edit_sequence(created, str(data["EditSequence"]))
    record.data = in_schema_order(record.ret, data)


def _links(data: RecordData) -> list[RecordData]:
    links = data.get("LinkedTxn")
    return [x for x in links if isinstance(x, dict)] if isinstance(links, list) else []


def _post_sale(gen: Gen, sale: Sale, debit_account: RecordData, amount: Decimal) -> None:
    gen.post(debit_account, amount)
    for account, value in sale.postings:
        gen.post(account, value)


def make_credit_memo(gen: Gen, state: TxnState, day: date) -> None:
    created, customer = gen.stamp(day), _customer(gen)
    sale = build_sale(gen, state, customer, created, "CreditMemoLineRet")
    data = _head(gen, customer, day, state.next_number("credit_memo", 9001))
    data |= {"ARAccountRef": gen.account["ar"], "BillAddress": customer["BillAddress"]}
    data |= {"IsPending": False} | _tax_fields(customer, sale)
    data |= {"TotalAmount": sale.total, "CreditRemaining": sale.total}
    data |= {"Memo": "Returned goods", "IsToBePrinted": False, "IsToBeEmailed": False}
    data["CustomerSalesTaxCodeRef"] = customer["SalesTaxCodeRef"]
    data["CreditMemoLineRet"] = vals(sale.lines)
    gen.add("credit_memos", "CreditMemoRet", data, created)
    gen.post(gen.account["ar"], -sale.total)
    for account, value in sale.postings:
        gen.post(account, -value)


def make_sales_receipt(gen: Gen, state: TxnState, day: date) -> None:
    created, customer = gen.stamp(day), _customer(gen)
    sale = build_sale(gen, state, customer, created, "SalesReceiptLineRet")
    method = gen.pick("payment_methods")
    deposit_to = gen.account["undeposited" if gen.chance(0.7) else "checking"]
    data = _head(gen, customer, day, state.next_number("sales_receipt", 20001))
    data |= {"BillAddress": customer["BillAddress"], "IsPending": False}
    data |= {"PaymentMethodRef": method, "DueDate": day}
    data |= _tax_fields(customer, sale)
    data |= {"TotalAmount": sale.total, "IsToBePrinted": False, "IsToBeEmailed": False}
    data |= {"CustomerSalesTaxCodeRef": customer["SalesTaxCodeRef"]}
    data |= {"DepositToAccountRef": deposit_to, "SalesReceiptLineRet": vals(sale.lines)}
    record = gen.add("sales_receipts", "SalesReceiptRet", data, created)
    _post_sale(gen, sale, deposit_to, sale.total)
    if deposit_to is gen.account["undeposited"] and sale.total > 0:
        entity = data["CustomerRef"]
        assert isinstance(entity, dict)
        txn_id = str(record.data["TxnID"])
        state.undeposited.append(Undeposited("SalesReceipt", txn_id, sale.total, entity, method))


def make_receive_payment(gen: Gen, state: TxnState, day: date) -> None:
    """A payment applied to one or two open invoices of one customer (sometimes partly),
    occasionally with an unused remainder."""
    if not state.invoices:
        return
    created = gen.stamp(day)
    payment = state.invoices.pay(gen)
    owner, total = payment.owner, payment.total
    unused = gen.money(1, 50) if gen.chance(0.05) else ZERO
    method = gen.pick("payment_methods")
    deposit_to = gen.account["undeposited" if gen.chance(0.7) else "checking"]
    data: RecordData = {"CustomerRef": owner, "ARAccountRef": gen.account["ar"], "TxnDate": day}
    data |= {"RefNumber": str(gen.rng.randint(1000, 99999)), "TotalAmount": total + unused}
    data |= {"PaymentMethodRef": method, "DepositToAccountRef": deposit_to}
    data |= {"UnusedPayment": unused, "UnusedCredits": ZERO}
    data["AppliedToTxnRet"] = vals(payment.applied)
    record = gen.add("receive_payments", "ReceivePaymentRet", data, created)
    apply_payment(gen.company, record, created)
    state.invoices.settle(gen, payment)
    gen.post(deposit_to, total + unused)
    gen.post(gen.account["ar"], -(total + unused))
    if deposit_to is gen.account["undeposited"]:
        state.undeposited.append(
            Undeposited("ReceivePayment", str(record.data["TxnID"]), total + unused, owner, method)
        )

"""Optional elements real QuickBooks fills that the other generator modules leave out.

Owns: one pass over the finished company (``fill``) that adds, to a share of records, what
recorded QuickBooks answers carry (``tests/emulator/test_element_coverage.py`` measures it):
on transactions address blocks, ship-to addresses and dates, form templates, card details,
custom fields; account tax lines; the company's services (names and items:
``optional_lists``). Values follow the documented dependencies: an ``*AddressBlock`` is its
address as printed; ``ShipDate`` is not before ``TxnDate``; ``CreditCardTxnInfo`` only on
payments by card, and then the company subscribes to the Merchant Account Service.
Must not: change amounts, dates, links or refs the ledger and balances were computed from.
It runs last, so the values every other module draws for a seed stay the same.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from connector.qbxml.values import RecordData, Value
from qbd_emulator.company import in_schema_order
from qbd_emulator.company.model import field_order
from qbd_emulator.generate.gen import CENT, ZERO, Gen, vals
from qbd_emulator.generate.optional_details import fill_details
from qbd_emulator.generate.optional_groups import fill_groups
from qbd_emulator.generate.optional_lists import address_block, custom_fields, fill_lists

CARD_METHODS = {"Visa", "MasterCard", "American Express", "Discover"}
SALES = {
    "invoices": ("InvoiceRet", "Intuit Product Invoice"),
    "sales_orders": ("SalesOrderRet", "Custom Sales Order"),
    "sales_receipts": ("SalesReceiptRet", "Custom Sales Receipt"),
    "estimates": ("EstimateRet", "Custom Estimate"),
    "credit_memos": ("CreditMemoRet", "Custom Credit Memo"),
}
# QuickBooks' built-in form template names; each file numbers its templates itself.
PURCHASE_TEMPLATE = "Custom Purchase Order"
SERVICES = (
    ("QuickBooks Online Banking", "banking.qb"),
    ("QuickBooks Bill Payment", "billpay.qb"),
    ("QuickBooks Payroll Service", "payroll.qb"),
    ("QuickBooks Basic Payroll Service", "payrollbsc.qb"),
    ("Merchant Account Service", "mas.qbn"),
)
"""Names and domains as a real CompanyRet lists them (QuickBooks Pro 2014)."""
COMPANY_TYPES = ("InformationTechnologyComputersSoftware", "Service Business")
"""Both seen in real answers (2014 and 2006); QuickBooks stores the industry chosen at setup."""
TAX_LINES = {
    "Bank": (1864, "B/S-Assets: Cash"),
    "AccountsReceivable": (1866, "B/S-Assets: Trade notes/accts rec."),
    "OtherCurrentAsset": (1870, "B/S-Assets: Other current assets"),
    "FixedAsset": (1876, "B/S-Assets: Buildings/oth. depr. assets"),
    "OtherAsset": (1884, "B/S-Assets: Other assets"),
    "AccountsPayable": (1886, "B/S-Liabs/Eq.: Accounts payable"),
    "CreditCard": (1890, "B/S-Liabs/Eq.: Other current liabilities"),
    "OtherCurrentLiability": (1890, "B/S-Liabs/Eq.: Other current liabilities"),
    "LongTermLiability": (1894, "B/S-Liabs/Eq.: Mortgages/notes/bonds"),
    "Equity": (1900, "B/S-Liabs/Eq.: Capital stock"),
    "Income": (1598, "Income: Gross receipts or sales"),
    "OtherIncome": (1604, "Income: Other income"),
    "CostOfGoodsSold": (1610, "COGS: Purchases"),
    "Expense": (1656, "Deductions: Other deductions"),
    "OtherExpense": (1640, "Deductions: Interest"),
}
"""Form 1120S tax lines by account type. Only 1864 "B/S-Assets: Cash" is taken from a real
answer; the other TaxLineIDs are this file's numbering (uncertain: not checked against
QuickBooks' tax line table)."""


def fill(gen: Gen) -> None:
    """Add the optional elements to the finished company (drawn from ``gen.rng`` last)."""
    _accounts(gen)
    addresses = fill_lists(gen)
    templates = {key: _template(gen, name) for key, (_, name) in SALES.items()}
    for key, (ret, _) in SALES.items():
        for record in gen.company.iter_records(key):
            record.data = in_schema_order(
                ret, _sale(gen, ret, record.data, addresses, templates[key])
            )
    _purchase_orders(gen, _template(gen, PURCHASE_TEMPLATE))
    _payee_addresses(gen)
    _memos_and_checks(gen)
    by_card = _card_payments(gen)
    _company(gen, by_card)
    fill_groups(gen)
    fill_details(gen)


def _last_check_numbers(gen: Gen) -> dict[str, str]:
    """The highest check number written on each bank account (checks and bill payments)."""
    out: dict[str, int] = {}
    for key, field in (("checks", "AccountRef"), ("bill_payment_checks", "BankAccountRef")):
        for record in gen.company.iter_records(key):
            account, number = record.data.get(field), str(record.data.get("RefNumber", ""))
            if isinstance(account, dict) and number.isdigit():
                list_id = str(account["ListID"])
                out[list_id] = max(out.get(list_id, 0), int(number))
    return {list_id: str(number) for list_id, number in out.items()}


def _template(gen: Gen, name: str) -> RecordData:
    return {"ListID": gen.company.counters.list_id(gen.start), "FullName": name}


def _accounts(gen: Gen) -> None:
    home = next((r for r in gen.refs.get("currencies", []) if r["FullName"] == "US Dollar"), None)
    # Uncertain: real AccountRets carry CurrencyRef (home currency) in some files and not
    # in others; here a file either has it on every account or on none.
    with_currency = home is not None and gen.chance(0.5)
    last_checks = _last_check_numbers(gen)
    for record in gen.company.iter_records("accounts"):
        data = dict(record.data)
        if str(data["ListID"]) in last_checks:
            data["LastCheckNumber"] = last_checks[str(data["ListID"])]
        if data.get("SpecialAccountType") == "SalesTaxPayable":
            data["IsTaxAccount"] = True  # uncertain: taken to flag the sales tax liability
        line = TAX_LINES.get(str(data.get("AccountType")))
        if line is not None and gen.chance(0.8):
            data["TaxLineInfoRet"] = {"TaxLineID": line[0], "TaxLineName": line[1]}
        if with_currency and home is not None:
            data["CurrencyRef"] = home
        record.data = in_schema_order(record.ret, data)


def _sale(
    gen: Gen,
    ret: str,
    data: RecordData,
    customers: dict[str, RecordData],
    template: RecordData,
) -> RecordData:
    order = field_order(ret)
    data = dict(data)
    ref = data.get("CustomerRef")
    customer = customers.get(str(ref["ListID"])) if isinstance(ref, dict) else None
    data["TemplateRef"] = template
    if customer is not None and isinstance(customer.get("BillAddress"), dict):
        data["BillAddress"] = customer["BillAddress"]
    ship = customer.get("ShipAddress") if customer is not None else None
    if ship is None and gen.chance(0.4):
        ship = data.get("BillAddress")
    if "ShipAddress" in order and ship is not None:
        data["ShipAddress"] = ship
    for key in ("BillAddress", "ShipAddress"):
        block = address_block(data.get(key))
        if block is not None and f"{key}Block" in order:
            data[f"{key}Block"] = block
    day = data.get("TxnDate")
    if "ShipDate" in order and "ShipAddress" in data and isinstance(day, date):
        data["ShipDate"] = day + timedelta(days=gen.rng.randint(0, 5))
    if "PONumber" in order and "PONumber" not in data and gen.chance(0.4):
        data["PONumber"] = f"PO-{gen.rng.randint(1000, 99999)}"
    return data


def _purchase_orders(gen: Gen, template: RecordData) -> None:
    """Ship to the company, the vendor's terms, the form, and the file's custom fields."""
    ship_to = gen.company.company_info.get("Address")
    for record in gen.company.iter_records("purchase_orders"):
        data = dict(record.data)
        data["TemplateRef"] = template
        ref = data["VendorRef"]
        assert isinstance(ref, dict)
        terms = gen.company.get("vendors", str(ref["ListID"])).data.get("TermsRef")
        if isinstance(terms, dict):
            data["TermsRef"] = terms
        places: tuple[tuple[str, Value | None], ...] = (
            ("VendorAddress", data.get("VendorAddress")),
            ("ShipAddress", ship_to),
        )
        for key, address in places:
            block = address_block(address)
            if (
                address is not None
                and block is not None
                and (key == "VendorAddress" or gen.chance(0.7))
            ):
                data[key] = address
                data[f"{key}Block"] = block
        fields = custom_fields(gen, "purchase_orders", 0.3)
        if fields:
            data["DataExtRet"] = vals(fields)
        record.data = in_schema_order(record.ret, data)


def _card_payments(gen: Gen) -> bool:
    """Some card payments and card sales went through QuickBooks Merchant Service (masked
    card number)."""
    any_card = False
    records = [*gen.company.iter_records("receive_payments")]
    for record in [*records, *gen.company.iter_records("sales_receipts")]:
        method = record.data.get("PaymentMethodRef")
        if not isinstance(method, dict) or method["FullName"] not in CARD_METHODS:
            continue
        if not gen.chance(0.5):
            continue
        any_card = True
        created = record.data["TimeCreated"]
        customer = record.data["CustomerRef"]
        assert isinstance(customer, dict)
        card: RecordData = {
            "CreditCardNumber": f"xxxxxxxxxxxx{gen.rng.randint(0, 9999):04d}",
            "ExpirationMonth": gen.rng.randint(1, 12),
            "ExpirationYear": gen.now.year + gen.rng.randint(0, 4),
            "NameOnCard": str(customer["FullName"]).split(":")[0][:41],
            "TransactionMode": gen.choice(("CardNotPresent", "CardPresent")),
            "CreditCardTxnType": "Charge",
        }
        result: RecordData = {
            "ResultCode": 0,
            "ResultMessage": "APPROVED",
            "CreditCardTransID": f"{gen.rng.randint(10**11, 10**12 - 1)}",
            "MerchantAccountNumber": "4269281420247209",
            "AuthorizationCode": f"{gen.rng.randint(0, 999999):06d}",
            "AVSStreet": "Pass",
            "AVSZip": "Pass",
            "PaymentStatus": "Completed",
            "TxnAuthorizationTime": created,
        }
        data = dict(record.data)
        data["CreditCardTxnInfo"] = {
            "CreditCardTxnInputInfo": card,
            "CreditCardTxnResultInfo": result,
        }
        record.data = in_schema_order(record.ret, data)
    return any_card


def _company(gen: Gen, merchant: bool) -> None:
    info = dict(gen.company.company_info)
    block = address_block(info.get("Address"))
    if block is not None:
        info["AddressBlock"] = block
    info["CompanyType"] = gen.choice(COMPANY_TYPES)
    info["SubscribedServices"] = {
        "Service": vals(
            [
                {
                    "Name": name,
                    "Domain": domain,
                    "ServiceStatus": "Active" if merchant and domain == "mas.qbn" else "Never",
                }
                for name, domain in SERVICES
            ]
        )
    }
    info["AccountantCopy"] = {"AccountantCopyExists": False}
    if isinstance(info.get("Address"), dict):  # what customers see on forms: the same place
        info["CompanyAddressForCustomer"] = info["Address"]
        info["CompanyAddressBlockForCustomer"] = block or {}
    if "Email" in info:
        info["CompanyEmailForCustomer"] = info["Email"]
    if gen.chance(0.5):
        info["Fax"] = f"{gen.rng.randint(201, 989)}-555-{gen.rng.randint(100, 9999):04d}"
    gen.company.company_info = in_schema_order("CompanyRet", info)


PAYEE_ADDRESSES = (
    ("vendors", "VendorAddress"),
    ("customers", "BillAddress"),
    ("employees", "EmployeeAddress"),
    ("other_names", "OtherNameAddress"),
)
MEMOS = {
    "invoices": ("Thank you for your business.", "Progress billing", "Rush order"),
    "sales_orders": ("Customer pickup", "Ship complete", "Backorder allowed"),
    "estimates": ("Valid for 30 days", "Includes installation"),
    "sales_receipts": ("Counter sale", "Paid in full"),
    "receive_payments": ("Payment received, thank you", "Partial payment"),
    "purchase_orders": ("Deliver to loading dock", "Confirm ship date"),
    "bill_payment_checks": ("Account payment",),
    "bill_payment_credit_cards": ("Paid by card",),
}


def _payee_addresses(gen: Gen) -> None:
    """Checks print the payee's address (QuickBooks fills it from the name)."""
    for key in ("checks", "bill_payment_checks"):
        for record in gen.company.iter_records(key):
            payee = record.data.get("PayeeEntityRef")
            address = _address_of(gen, payee) if isinstance(payee, dict) else None
            block = address_block(address)
            if address is None or block is None or not gen.chance(0.8):
                continue
            data = dict(record.data) | {"Address": address, "AddressBlock": block}
            record.data = in_schema_order(record.ret, data)


def _address_of(gen: Gen, ref: RecordData) -> Value | None:
    for key, field in PAYEE_ADDRESSES:
        table = gen.company.records.get(key, {})
        found = table.get(str(ref["ListID"]))
        if found is not None:
            return found.data.get(field)
    return None


def _memos_and_checks(gen: Gen) -> None:
    """Memos; the check number of a receipt paid by check; the class of a purchase order
    and its lines (class tracking is on); FOB and Other on some invoices."""
    classes = gen.refs.get("classes", [])
    for key, memos in MEMOS.items():
        for record in gen.company.iter_records(key):
            order = field_order(record.ret)
            data = dict(record.data)
            if "Memo" not in data and gen.chance(0.3):
                data["Memo"] = gen.choice(memos)
            method = data.get("PaymentMethodRef")
            if (
                "CheckNumber" in order
                and isinstance(method, dict)
                and method["FullName"] == "Check"
            ):
                data["CheckNumber"] = str(gen.rng.randint(1001, 9999))
            if key == "purchase_orders" and classes and gen.chance(0.3):
                data["ClassRef"] = gen.choice(classes)
                lines = data["PurchaseOrderLineRet"]
                assert isinstance(lines, list)
                data["PurchaseOrderLineRet"] = [
                    in_schema_order(
                        "PurchaseOrderLineRet", dict(line) | {"ClassRef": data["ClassRef"]}
                    )
                    for line in lines
                    if isinstance(line, dict)
                ]
            if key == "invoices" and gen.chance(0.2):
                data["FOB"] = gen.choice(("Origin", "Destination"))
                data["Other"] = f"Job {gen.rng.randint(100, 999)}"
            if key == "invoices":
                data |= _suggested_discount(gen, data)
            fields = custom_fields(gen, key, 0.2) if key in ("invoices", "sales_orders") else []
            if fields:
                data["DataExtRet"] = vals(fields)
            record.data = in_schema_order(record.ret, data)


def _suggested_discount(gen: Gen, invoice: RecordData) -> RecordData:
    """Terms with an early-payment discount suggest it: the percentage of the invoice's
    total, by the invoice date plus the discount days."""
    ref = invoice.get("TermsRef")
    table = gen.company.records.get("terms", {})
    terms = table.get(str(ref["ListID"])) if isinstance(ref, dict) else None
    if terms is None:
        return {}
    pct, days = terms.data.get("DiscountPct"), terms.data.get("StdDiscountDays")
    day = invoice.get("TxnDate")
    total = invoice.get("Subtotal", ZERO)
    tax = invoice.get("SalesTaxTotal", ZERO)
    if not (isinstance(pct, Decimal) and isinstance(days, int) and isinstance(day, date)):
        return {}
    assert isinstance(total, Decimal) and isinstance(tax, Decimal)
    amount = ((total + tax) * pct / 100).quantize(CENT, ROUND_HALF_UP)
    return {"SuggestedDiscountAmount": amount, "SuggestedDiscountDate": day + timedelta(days=days)}

"""The less common optional elements (a part of ``optional``, run after the rest).

Owns: fixed asset details (cost basis = purchase cost, year-end book value = cost basis less
accumulated depreciation, warranty after purchase), a discount on the date-driven terms,
employees' service, release (only inactive employees) and EEO answers, name suffixes, vendor
ship-from addresses, purchase order messages and drop shipments (ship to a customer: the
customer's address), FOB and Other on sales forms, classes on transfers; refs into the
small lists every file has (ship methods, customer messages, customer, vendor and job
types, price levels, sales reps by an employee's initials), a form taking its customer's
sales rep and a ship method only when it ships somewhere.
Must not: change amounts, dates, links or refs the ledger and balances were computed from.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.company import StoredRecord, in_schema_order
from qbd_emulator.company.model import field_order
from qbd_emulator.generate.gen import CENT, Gen
from qbd_emulator.generate.optional_lists import address_block

SUFFIXES = ("Jr.", "Sr.", "II", "III")
FOB_FORMS = ("estimates", "sales_orders", "sales_receipts")
SALES_FORMS = ("invoices", "sales_orders", "sales_receipts", "estimates", "credit_memos")
SMALL_LISTS = {
    "ship_methods": ("UPS", "FedEx", "US Mail", "Hand Delivered"),
    "customer_messages": ("Thank you for your business.", "We appreciate your prompt payment."),
    "customer_types": ("Retail", "Wholesale", "Commercial"),
    "vendor_types": ("Supplies", "Subcontractors", "Services"),
    "job_types": ("Installation", "Repair", "Maintenance"),
    "price_levels": ("Preferred 5%", "Wholesale 10%"),
}
"""Small lists every file has and the fake does not serve as queries (refs only)."""


def fill_details(gen: Gen) -> None:
    lists = _small_lists(gen)
    for key in ("items", "terms", "employees", "customers", "vendors"):
        for record in gen.company.iter_records(key):
            data = dict(record.data)
            _detail(gen, record, data)
            _typed(gen, record.ret, data, lists)
            record.data = in_schema_order(record.ret, data)
    for key in (*SALES_FORMS, "purchase_orders", "transfers"):
        for record in gen.company.iter_records(key):
            data = dict(record.data)
            _txn(gen, key, data)
            _form_refs(gen, record.ret, data, lists)
            record.data = in_schema_order(record.ret, data)


def _small_lists(gen: Gen) -> dict[str, list[RecordData]]:
    out: dict[str, list[RecordData]] = {
        name: [{"ListID": gen.company.counters.list_id(gen.start), "FullName": v} for v in values]
        for name, values in SMALL_LISTS.items()
    }
    # A sales rep is an employee, known on forms by initials (at most five letters).
    out["sales_reps"] = [
        {
            "ListID": gen.company.counters.list_id(gen.start),
            "FullName": "".join(part[0] for part in str(r.data["Name"]).split())[:5],
        }
        for r in gen.company.iter_records("employees")
    ]
    return out


def _typed(gen: Gen, ret: str, data: RecordData, lists: dict[str, list[RecordData]]) -> None:
    if ret == "CustomerRet":
        if lists["sales_reps"] and gen.chance(0.4):
            data["SalesRepRef"] = gen.choice(lists["sales_reps"])
        if "ParentRef" in data:
            if gen.chance(0.5):
                data["JobTypeRef"] = gen.choice(lists["job_types"])
            return
        if gen.chance(0.5):
            data["CustomerTypeRef"] = gen.choice(lists["customer_types"])
        if gen.chance(0.1):
            data["PriceLevelRef"] = gen.choice(lists["price_levels"])
    elif ret == "VendorRet" and not data.get("IsTaxAgency") and gen.chance(0.5):
        data["VendorTypeRef"] = gen.choice(lists["vendor_types"])


def _form_refs(gen: Gen, ret: str, data: RecordData, lists: dict[str, list[RecordData]]) -> None:
    """The customer's sales rep (QuickBooks fills it from the customer), a shipping method
    where the form ships somewhere, a customer message on some forms."""
    order = field_order(ret)
    ref = data.get("CustomerRef")
    if "SalesRepRef" in order and isinstance(ref, dict):
        rep = gen.company.get("customers", str(ref["ListID"])).data.get("SalesRepRef")
        if rep is not None:
            data["SalesRepRef"] = rep
    if "ShipMethodRef" in order and "ShipAddress" in data and gen.chance(0.5):
        data["ShipMethodRef"] = gen.choice(lists["ship_methods"])
    if "CustomerMsgRef" in order and gen.chance(0.2):
        data["CustomerMsgRef"] = gen.choice(lists["customer_messages"])


def _detail(gen: Gen, record: StoredRecord, data: RecordData) -> None:
    if record.ret == "ItemFixedAssetRet":
        _fixed_asset(gen, data)
    elif record.ret == "DateDrivenTermsRet" and gen.chance(0.5):
        data["DiscountDayOfMonth"] = 1
        data["DiscountPct"] = Decimal("1.0")
    elif record.ret == "EmployeeRet":
        _employee(gen, data)
    elif record.ret in ("CustomerRet", "VendorRet"):
        if "FirstName" in data and gen.chance(0.05):
            data["Suffix"] = gen.choice(SUFFIXES)
        if record.ret == "VendorRet" and "VendorAddress" in data and gen.chance(0.2):
            data["ShipAddress"] = data["VendorAddress"]


def _fixed_asset(gen: Gen, data: RecordData) -> None:
    cost = data.get("PurchaseCost")
    bought = data.get("PurchaseDate")
    if not isinstance(cost, Decimal) or not isinstance(bought, date):
        return
    years = max((gen.now.date() - bought).days // 365, 0)
    depreciation = min(cost, (cost / 5 * years).quantize(CENT))  # five-year straight line
    data["CostBasis"] = cost
    data["YearEndAccumulatedDepreciation"] = depreciation
    data["YearEndBookValue"] = cost - depreciation
    data["Location"] = gen.choice(("Main office", "Warehouse", "Yard"))
    data["PONumber"] = f"PO-{gen.rng.randint(1000, 99999)}"
    data["WarrantyExpDate"] = bought + timedelta(days=365 * gen.rng.randint(1, 5))
    data["AssetNumber"] = f"FA-{gen.rng.randint(100, 999)}"
    data["Notes"] = "Depreciated straight line over five years"


def _employee(gen: Gen, data: RecordData) -> None:
    hired = data.get("HiredDate")
    if isinstance(hired, date):
        data["AdjustedServiceDate"] = hired
        if data.get("IsActive") is False:
            data["ReleasedDate"] = min(
                hired + timedelta(days=gen.rng.randint(60, 400)), gen.now.date()
            )
    if gen.chance(0.4):
        data["USVeteran"] = gen.choice(("Yes", "No", "No"))
        data["Disabled"] = "No"
    if gen.chance(0.1):
        data["Fax"] = f"{gen.rng.randint(201, 989)}-555-{gen.rng.randint(100, 9999):04d}"


def _txn(gen: Gen, key: str, data: RecordData) -> None:
    if key in FOB_FORMS and gen.chance(0.2):
        data["FOB"] = gen.choice(("Origin", "Destination"))
        data["Other"] = f"Job {gen.rng.randint(100, 999)}"
    elif key == "purchase_orders":
        if gen.chance(0.3):
            data["VendorMsg"] = gen.choice(("Please confirm receipt.", "Call with questions."))
            data["FOB"] = gen.choice(("Origin", "Destination"))
            data["Other1"] = f"Req {gen.rng.randint(100, 999)}"
            data["Other2"] = gen.choice(("Dock 2", "Dock 4"))
        if gen.chance(0.1) and gen.refs.get("customers"):
            _drop_ship(gen, data)
    elif key == "transfers" and gen.refs.get("classes") and gen.chance(0.3):
        data["ClassRef"] = gen.pick("classes")


def _drop_ship(gen: Gen, data: RecordData) -> None:
    """A drop shipment: the order ships to a customer, at the customer's address."""
    ref = gen.pick("customers")
    customer = gen.company.get("customers", str(ref["ListID"])).data
    address = customer.get("ShipAddress") or customer.get("BillAddress")
    if not isinstance(address, dict):
        return
    data["ShipToEntityRef"] = ref
    data["ShipAddress"] = address
    block = address_block(address)
    if block is not None:
        data["ShipAddressBlock"] = block

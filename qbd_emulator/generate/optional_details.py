"""The less common optional elements (a part of ``optional``, run after the rest).

Owns: fixed asset details (cost basis = purchase cost, year-end book value = cost basis less
accumulated depreciation, warranty after purchase), a discount on the date-driven terms,
employees' service, release (only inactive employees) and EEO answers, name suffixes, vendor
ship-from addresses, purchase order messages and drop shipments (ship to a customer: the
customer's address), FOB and Other on sales forms, classes on transfers.
Must not: change amounts, dates, links or refs the ledger and balances were computed from.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.company import StoredRecord, in_schema_order
from qbd_emulator.generate.gen import CENT, Gen
from qbd_emulator.generate.optional_lists import address_block

SUFFIXES = ("Jr.", "Sr.", "II", "III")
FOB_FORMS = ("estimates", "sales_orders", "sales_receipts")


def fill_details(gen: Gen) -> None:
    for key in ("items", "terms", "employees", "customers", "vendors"):
        for record in gen.company.iter_records(key):
            data = dict(record.data)
            _detail(gen, record, data)
            record.data = in_schema_order(record.ret, data)
    for key in (*FOB_FORMS, "purchase_orders", "transfers"):
        for record in gen.company.iter_records(key):
            data = dict(record.data)
            _txn(gen, key, data)
            record.data = in_schema_order(record.ret, data)


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

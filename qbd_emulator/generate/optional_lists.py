"""Optional elements of names and items that real QuickBooks fills (the list half of
``optional``, which calls ``fill_lists`` first).

Owns: on a share of customers, vendors, employees and other names: name parts, extra
phones, alternate and additional contacts, notes and dated notes, address blocks, custom
fields (``DataExtRet`` with OwnerID 0, answered only when a query asks for OwnerID 0); on
items: bar codes (only when the bar code preference is on), units of measure, reorder
maxima, and the other form of the sales/purchase aggregate where the ledger allows it.
Dependencies kept: ``VendorTaxIdent`` only for 1099 vendors; ``Max`` not below
``ReorderPoint``; an item turns ``SalesOrPurchase`` (one account) only when no purchase
used it, and ``SalesAndPurchase`` only when no purchase used it either (so every posting
the ledger holds still matches the item's accounts).
Must not: change names, refs, balances or amounts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from connector.qbxml.values import RecordData, Value
from qbd_emulator.company import in_schema_order
from qbd_emulator.company.model import field_order
from qbd_emulator.generate.gen import CENT, Gen, short, vals

SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.")
INITIALS = tuple("ABCDEFGHJKLMNPRSTW")
CONTACT_KINDS = ("Mobile", "Main Email", "CC Email", "Website", "Work Phone")
"""ContactName values of QuickBooks' contact fields (the "Additional Info" fields)."""
NOTES = (
    "Prefers email for invoices.",
    "Call before delivery.",
    "Net terms approved by owner.",
    "Send statements monthly.",
    "Tax exempt certificate on file.",
)
CUSTOM_FIELDS = {
    "customers": ("Contract #", "Region"),
    "vendors": ("Account Rep", "Contract #"),
    "employees": ("Badge Number",),
    "purchase_orders": ("Project Code", "Approved By", "Contract #"),
    "invoices": ("Project Code",),
    "sales_orders": ("Project Code",),
    "items": ("Material", "Warranty"),
}
UOM_SETS = ("Count by the each", "Weight by the pound", "Length by the foot")
DEPARTMENTS = ("Operations", "Sales", "Finance", "Service")
UOM_RETS = ("ItemInventoryRet", "ItemNonInventoryRet", "ItemServiceRet")
"""Unit of measure sets (Premier and Enterprise) on the items QuickBooks allows them on."""
PURCHASE_LINES = ("ItemLineRet", "PurchaseOrderLineRet")


def fill_lists(gen: Gen) -> dict[str, RecordData]:
    """Names and items; returns each customer's data as it now is (for the sales forms)."""
    customers = _names(gen, "customers", _customer)
    _names(gen, "vendors", _vendor)
    _names(gen, "employees", _employee)
    _names(gen, "other_names", _other_name)
    _items(gen)
    return customers


def phone(gen: Gen) -> str:
    return f"{gen.rng.randint(201, 989)}-555-{gen.rng.randint(100, 9999):04d}"


def address_block(address: Value | None) -> RecordData | None:
    """The address as QuickBooks prints it: its lines, "City, State PostalCode", Country."""
    if not isinstance(address, dict):
        return None
    lines = [str(address[k]) for k in ("Addr1", "Addr2", "Addr3", "Addr4", "Addr5") if k in address]
    place = " ".join(str(address[k]) for k in ("State", "PostalCode") if k in address)
    city = str(address.get("City", ""))
    lines.append(f"{city}, {place}" if city and place else city or place)
    if "Country" in address:
        lines.append(str(address["Country"]))
    lines = [short(line, 41) for line in lines if line][:5]
    return {f"Addr{i}": line for i, line in enumerate(lines, 1)}


def _names(gen: Gen, key: str, extra: Callable[[Gen, RecordData], None]) -> dict[str, RecordData]:
    out: dict[str, RecordData] = {}
    for record in gen.company.iter_records(key):
        data = dict(record.data)
        extra(gen, data)
        _common(gen, key, field_order(record.ret), data)
        record.data = in_schema_order(record.ret, data)
        out[str(data["ListID"])] = record.data
    return out


def _common(gen: Gen, key: str, order: dict[str, int], data: RecordData) -> None:
    """What names may have (``order``: the Ret's children): notes, dated notes, contacts,
    custom fields."""
    if gen.chance(0.2):
        data["Notes"] = gen.choice(NOTES)
    if "AdditionalNotesRet" in order and gen.chance(0.15):
        created = data["TimeCreated"]
        start = created.date() if isinstance(created, datetime) else gen.start.date()
        notes: list[RecordData] = [
            {
                "NoteID": i,
                "Date": min(start + timedelta(days=gen.rng.randint(0, 200)), gen.now.date()),
                "Note": gen.choice(NOTES),
            }
            for i in range(1, gen.rng.randint(1, 3) + 1)
        ]
        data["AdditionalNotesRet"] = vals(notes)
    if "AdditionalContactRef" in order and gen.chance(0.25):
        kinds = gen.rng.sample(CONTACT_KINDS, k=gen.rng.randint(1, 2))
        data["AdditionalContactRef"] = vals([_contact(gen, kind, data) for kind in kinds])
    fields = custom_fields(gen, key, 0.25)
    if fields:
        data["DataExtRet"] = vals(fields)


def _contact(gen: Gen, kind: str, data: RecordData) -> RecordData:
    if kind.endswith("Email"):
        value = f"billing{gen.rng.randint(1, 99)}@example.com"
    elif kind == "Website":
        value = f"www.{str(data['Name']).split(':')[0].split(',')[0].replace(' ', '').lower()}.com"
    else:
        value = phone(gen)
    return {"ContactName": kind, "ContactValue": short(value, 255)}


def custom_fields(gen: Gen, key: str, share: float) -> list[RecordData]:
    """Some of the custom fields the file defines for ``key``'s records, with values."""
    return [_custom_field(gen, name) for name in CUSTOM_FIELDS.get(key, ()) if gen.chance(share)]


def _custom_field(gen: Gen, name: str) -> RecordData:
    """A custom field's value (OwnerID 0: the fields the user defines in QuickBooks)."""
    if name == "Region":
        value = gen.choice(("West", "Central", "East"))
    elif name in ("Account Rep", "Approved By"):
        value = gen.fk("name")
    elif name == "Material":
        value = gen.choice(("Steel", "Aluminum", "Plastic", "Copper"))
    elif name == "Warranty":
        value = gen.choice(("90 days", "1 year", "3 years"))
    elif name == "Project Code":
        value = f"PRJ-{gen.rng.randint(100, 999)}"
    elif name == "Badge Number":
        value = f"B{gen.rng.randint(1000, 9999)}"
    else:
        value = f"C-{gen.rng.randint(1000, 9999)}"
    return {"OwnerID": "0", "DataExtName": name, "DataExtType": "STR255TYPE", "DataExtValue": value}


def _person(gen: Gen, data: RecordData, mobile: bool = True) -> None:
    if "FirstName" in data and gen.chance(0.4):
        data["Salutation"] = gen.choice(SALUTATIONS)
    if "FirstName" in data and gen.chance(0.3):
        data["MiddleName"] = gen.choice(INITIALS)
    if "Phone" in data and gen.chance(0.25):
        data["AltPhone"] = phone(gen)
    if mobile and gen.chance(0.2):
        data["Mobile"] = phone(gen)


def _customer(gen: Gen, data: RecordData) -> None:
    _person(gen, data)
    if "CompanyName" in data and gen.chance(0.3):
        data["Fax"] = phone(gen)
    if "Contact" in data and gen.chance(0.2):
        data["AltContact"] = short(gen.fk("name"), 41)
    if "Email" in data and gen.chance(0.15):
        data["Cc"] = f"accounts{gen.rng.randint(1, 99)}@example.com"
    if "FirstName" in data and "CompanyName" in data and gen.chance(0.2):
        data["JobTitle"] = gen.choice(("Owner", "Office Manager", "Purchasing Agent"))
    if "CompanyName" in data and gen.chance(0.15):
        data["PrintAs"] = short(str(data["CompanyName"]), 41)
    non_taxable = isinstance(tax := data.get("SalesTaxCodeRef"), dict) and tax["FullName"] == "Non"
    if non_taxable and gen.chance(0.6):  # a reseller's certificate is why it is not taxed
        data["ResaleNumber"] = f"SR-{gen.rng.randint(10**8, 10**9 - 1)}"
    if "Email" in data and gen.chance(0.4):
        data["PreferredDeliveryMethod"] = "Email"
        data["DeliveryMethod"] = "Email"
    if "ParentRef" in data:
        _job_dates(gen, data)
    elif gen.chance(0.3):
        _attention(gen, data)
    for key in ("BillAddress", "ShipAddress"):
        block = address_block(data.get(key))
        if block is not None:
            data[f"{key}Block"] = block


def _job_dates(gen: Gen, data: RecordData) -> None:
    """A closed job has an end date; an open one a projected end; both after its start."""
    start = data.get("JobStartDate")
    if not isinstance(start, date):
        return
    end = min(start + timedelta(days=gen.rng.randint(30, 180)), gen.now.date())
    if data.get("JobStatus") == "Closed":
        data["JobEndDate"] = max(end, start)
    elif gen.chance(0.6):
        data["JobProjectedEndDate"] = start + timedelta(days=gen.rng.randint(30, 180))
    data["IsStatementWithParent"] = gen.chance(0.5)


def _attention(gen: Gen, data: RecordData) -> None:
    """QuickBooks' own layout: the name, then the contact, then the street."""
    for key in ("BillAddress", "ShipAddress"):
        address = data.get(key)
        if not isinstance(address, dict) or "Addr1" not in address:
            continue
        lines = [str(data.get("CompanyName") or data["Name"])]
        if "Contact" in data and "CompanyName" in data:
            lines.append(f"Attn: {data['Contact']}")
        lines.append(str(address["Addr1"]))
        if gen.chance(0.4):
            lines.append(f"Suite {gen.rng.randint(100, 990)}")
        fuller: RecordData = {f"Addr{i}": short(line, 41) for i, line in enumerate(lines, 1)}
        data[key] = fuller | {k: v for k, v in address.items() if not k.startswith("Addr")}


def _vendor(gen: Gen, data: RecordData) -> None:
    block = address_block(data.get("VendorAddress"))
    if block is not None:
        data["VendorAddressBlock"] = block
    if data.get("IsTaxAgency"):
        return
    _person(gen, data)
    if gen.chance(0.3):
        data["Fax"] = phone(gen)
    if gen.chance(0.5):
        data["Contact"] = short(gen.fk("name"), 41)
        if gen.chance(0.3):
            data["AltContact"] = short(gen.fk("name"), 41)
            data["JobTitle"] = gen.choice(("Sales Manager", "Account Manager", "Owner"))
    if gen.chance(0.3):
        data["CreditLimit"] = Decimal(gen.choice((2000, 5000, 15000))).quantize(Decimal("0.01"))
    if "Email" in data and gen.chance(0.15):
        data["Cc"] = f"ap{gen.rng.randint(1, 99)}@example.com"
    if gen.chance(0.3):
        data["PrefillAccountRef"] = vals(
            gen.rng.sample(gen.refs["expense"], k=gen.rng.randint(1, 2))
        )
    if data.get("IsVendorEligibleFor1099"):
        data["VendorTaxIdent"] = f"{gen.rng.randint(10, 99)}-{gen.rng.randint(1000000, 9999999)}"


def _employee(gen: Gen, data: RecordData) -> None:
    _person(gen, data)
    if gen.chance(0.6):
        data["Department"] = gen.choice(DEPARTMENTS)
    hired = data.get("HiredDate")
    if isinstance(hired, date) and gen.chance(0.5):
        data["BirthDate"] = hired - timedelta(days=365 * gen.rng.randint(20, 55))
        data["OriginalHireDate"] = hired
    if gen.chance(0.3):
        data["AccountNumber"] = f"E-{gen.rng.randint(100, 999)}"
    if gen.chance(0.5):
        data["Description"] = gen.choice(("Field technician", "Bookkeeper", "Sales associate"))
        data["PartOrFullTime"] = gen.choice(("FullTime", "FullTime", "PartTime"))
        data["Exempt"] = gen.choice(("Exempt", "NonExempt"))
        data["KeyEmployee"] = "No"
        data["USCitizen"] = "Yes"
        data["OnFile"] = "Yes"
    if gen.chance(0.1):
        data["Suffix"] = gen.choice(("Jr.", "Sr.", "III"))


def _other_name(gen: Gen, data: RecordData) -> None:
    _person(gen, data, mobile=False)  # OtherNameRet has no Mobile
    if gen.chance(0.5):
        data["CompanyName"] = str(data["Name"])
    if gen.chance(0.5):
        data["Email"] = f"info{gen.rng.randint(1, 99)}@example.com"
    if "FirstName" in data and gen.chance(0.5):
        data["Contact"] = short(f"{data['FirstName']} {data.get('LastName', '')}".strip(), 41)
    if gen.chance(0.2):
        data["Fax"] = phone(gen)
    if "Contact" in data and gen.chance(0.2):
        data["AltContact"] = short(gen.fk("name"), 41)
    if gen.chance(0.3):
        data["AccountNumber"] = str(gen.rng.randint(10000, 99999))
    block = address_block(data.get("OtherNameAddress"))
    if block is not None:
        data["OtherNameAddressBlock"] = block


def _items(gen: Gen) -> None:
    purchased = _purchased(gen)
    barcodes = bool(_inventory_pref(gen, "IsBarcodeEnabled"))
    uom_sets = {name: gen.company.counters.list_id(gen.start) for name in UOM_SETS}
    for record in gen.company.iter_records("items"):
        data = dict(record.data)
        item_id = str(data["ListID"])
        if barcodes and "ManufacturerPartNumber" in data and gen.chance(0.7):
            data["BarCodeValue"] = f"0{gen.rng.randint(10**10, 10**11 - 1)}"
        if record.ret in UOM_RETS and gen.chance(0.2):
            name = gen.choice(UOM_SETS)
            data["UnitOfMeasureSetRef"] = {"ListID": uom_sets[name], "FullName": name}
        point = data.get("ReorderPoint")
        if record.ret == "ItemInventoryRet" and isinstance(point, Decimal) and gen.chance(0.5):
            data["Max"] = point * 3
        if item_id not in purchased:
            _other_form(gen, record.ret, data)
        fields = custom_fields(gen, "items", 0.2) if "DataExtRet" in field_order(record.ret) else []
        if fields and "ManufacturerPartNumber" in data:
            data["DataExtRet"] = vals(fields)
        record.data = in_schema_order(record.ret, data)


def _inventory_pref(gen: Gen, name: str) -> Value | None:
    prefs = gen.company.preferences.get("ItemsAndInventoryPreferences")
    return prefs.get(name) if isinstance(prefs, dict) else None


def _purchased(gen: Gen) -> set[str]:
    """Items some purchase line (bill, check, card charge, order...) refers to."""
    out: set[str] = set()
    for table in gen.company.records.values():
        for record in table.values():
            for key in PURCHASE_LINES:
                lines = record.data.get(key)
                for line in lines if isinstance(lines, list) else ():
                    ref = line.get("ItemRef") if isinstance(line, dict) else None
                    if isinstance(ref, dict):
                        out.add(str(ref["ListID"]))
    return out


def _other_form(gen: Gen, ret: str, data: RecordData) -> None:
    """A never-bought non-inventory item sold through one account, or a never-bought other
    charge also set up to be bought (its sales keep their income account)."""
    both = data.get("SalesAndPurchase")
    one = data.get("SalesOrPurchase")
    if ret == "ItemNonInventoryRet" and isinstance(both, dict) and gen.chance(0.4):
        data.pop("SalesAndPurchase")
        data["SalesOrPurchase"] = {
            "Desc": both.get("SalesDesc", data["Name"]),
            "Price": both.get("SalesPrice", Decimal("0.00")),
            "AccountRef": both["IncomeAccountRef"],
        }
    elif ret == "ItemOtherChargeRet" and isinstance(one, dict) and gen.chance(0.4):
        data.pop("SalesOrPurchase")
        data["SalesAndPurchase"] = {
            "SalesDesc": one.get("Desc", data["Name"]),
            "SalesPrice": one.get("Price", Decimal("0.00")),
            "IncomeAccountRef": one["AccountRef"],
            "PurchaseDesc": one.get("Desc", data["Name"]),
            "PurchaseCost": (Decimal(str(one.get("Price", 0))) * Decimal("0.6")).quantize(CENT),
            "ExpenseAccountRef": gen.account["cogs"],
        }

"""Generated items: every kind ItemQuery returns, plus sales tax items and groups.

Owns: item records and ``ItemInfo`` (what a transaction line needs: price, cost, the
accounts it posts to) for the items transactions may sell or buy. Must not: create
transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from connector.qbxml.values import RecordData, Value
from qbd_emulator.generate.gen import ZERO, Gen, short, vals
from qbd_emulator.generate.names import unique_name

ITEM_NAME_MAX = 31
SERVICES = ("Consulting", "Installation", "Design", "Repair", "Training", "Support", "Labor")
PRODUCTS = ("Cable", "Panel", "Bracket", "Sensor", "Valve", "Lamp", "Switch", "Filter", "Pump")


@dataclass(frozen=True)
class ItemInfo:
    """What a line needs to know about an item (kept beside the records, not saved)."""

    ref: RecordData
    price: Decimal
    cost: Decimal
    income: RecordData | None
    expense: RecordData | None
    """Where a purchase of the item posts: expense/COGS, or the inventory asset account."""
    inventory: bool
    taxable: bool


def sales_tax_items(gen: Gen) -> None:
    rates = (("CA State Tax", "7.25"), ("County Tax", "1.00"), ("City Tax", "0.50"))
    for name, rate in rates:
        data: RecordData = {"Name": name, "IsActive": True, "ItemDesc": f"{name} {rate}%"}
        data |= {"TaxRate": Decimal(rate), "TaxVendorRef": gen.account["tax_agency"]}
        record = gen.add("items", "ItemSalesTaxRet", data, gen.start)
        gen.pool("sales_tax", record)
    group: RecordData = {"Name": "Combined Tax", "IsActive": True, "ItemDesc": "State + county"}
    group["ItemSalesTaxRef"] = list(gen.refs["sales_tax"][:2])
    gen.add("items", "ItemSalesTaxGroupRet", group, gen.start)


def items(gen: Gen, count: int, used: set[str]) -> dict[str, ItemInfo]:
    """At least one item of each kind, the rest services and inventory parts."""
    info: dict[str, ItemInfo] = {}
    makers = (_service, _non_inventory, _other_charge, _inventory, _assembly)
    for index in range(max(count - 6, 5)):
        item = makers[index % len(makers)](gen, used, info)
        info[str(item.ref["ListID"])] = item
        gen.refs.setdefault("sale_items", []).append(item.ref)
    _fixed_asset(gen, used)
    _subtotal(gen, used)
    _discount(gen, used)
    _payment(gen, used)
    _group(gen, used)
    return info


def _name(gen: Gen, words: tuple[str, ...], used: set[str]) -> str:
    base = f"{gen.choice(words)} {gen.fk('color_name')}"
    return unique_name(gen, short(base, ITEM_NAME_MAX - 3), used)


def _head(gen: Gen, name: str, full_name: bool = True) -> RecordData:
    data: RecordData = {"Name": name}
    if full_name:
        data["FullName"] = name
    data["IsActive"] = True
    if full_name:
        data["Sublevel"] = 0
    return data


def _service(gen: Gen, used: set[str], _: dict[str, ItemInfo]) -> ItemInfo:
    """A service item; some are sub-items of an earlier top-level service
    ("Consulting Red:Design Blue"), as QuickBooks item lists often are."""
    name = _name(gen, SERVICES, used)
    price = gen.money(40, 250)
    data = _head(gen, name)
    parents = gen.refs.get("service_parents")
    if parents and gen.chance(0.15):
        data["ParentRef"] = gen.choice(parents)
    data["SalesTaxCodeRef"] = gen.account["code_Non"]
    income = gen.account["income_services"]
    if gen.chance(0.3):
        cost = (price * Decimal("0.6")).quantize(ZERO)
        expense = gen.account["subcontract"]
        both: RecordData = {"SalesDesc": name, "SalesPrice": price}
        both |= {"IncomeAccountRef": income, "PurchaseDesc": name}
        both |= {"PurchaseCost": cost, "ExpenseAccountRef": expense}
        data["SalesAndPurchase"] = both | {"PrefVendorRef": gen.pick("vendors")}
    else:
        cost, expense = ZERO, None
        data["SalesOrPurchase"] = {"Desc": name, "Price": price, "AccountRef": income}
    record = gen.add("items", "ItemServiceRet", data, gen.list_created())
    if "ParentRef" not in data:
        gen.refs.setdefault("service_parents", []).append(gen.ref(record))
    return ItemInfo(gen.ref(record), price, cost, income, expense, False, False)


def _non_inventory(gen: Gen, used: set[str], _: dict[str, ItemInfo]) -> ItemInfo:
    name = _name(gen, PRODUCTS, used)
    price, income = gen.money(5, 400), gen.account["income_products"]
    cost = (price * Decimal("0.55")).quantize(ZERO)
    data = _head(gen, name) | {"ManufacturerPartNumber": f"NI-{gen.rng.randint(1000, 9999)}"}
    data["SalesTaxCodeRef"] = gen.account["code_Tax"]
    both: RecordData = {"SalesDesc": name, "SalesPrice": price}
    both |= {"IncomeAccountRef": income, "PurchaseDesc": name}
    data["SalesAndPurchase"] = both | {
        "PurchaseCost": cost,
        "ExpenseAccountRef": gen.account["cogs"],
    }
    record = gen.add("items", "ItemNonInventoryRet", data, gen.list_created())
    return ItemInfo(gen.ref(record), price, cost, income, gen.account["cogs"], False, True)


def _other_charge(gen: Gen, used: set[str], _: dict[str, ItemInfo]) -> ItemInfo:
    name = _name(gen, ("Delivery", "Freight", "Setup Fee", "Handling", "Rush Fee"), used)
    price, income = gen.money(10, 120), gen.account["income_other"]
    data = _head(gen, name) | {"SalesTaxCodeRef": gen.account["code_Non"]}
    data["SalesOrPurchase"] = {"Desc": name, "Price": price, "AccountRef": income}
    record = gen.add("items", "ItemOtherChargeRet", data, gen.list_created())
    return ItemInfo(gen.ref(record), price, ZERO, income, None, False, False)


def _inventory(gen: Gen, used: set[str], _: dict[str, ItemInfo]) -> ItemInfo:
    return _stocked(gen, used, "ItemInventoryRet", None)


def _assembly(gen: Gen, used: set[str], info: dict[str, ItemInfo]) -> ItemInfo:
    parts = [i.ref for i in info.values() if i.inventory][:3]
    return _stocked(gen, used, "ItemInventoryAssemblyRet", parts)


def _stocked(gen: Gen, used: set[str], ret: str, parts: list[RecordData] | None) -> ItemInfo:
    name = _name(gen, PRODUCTS, used)
    price = gen.money(10, 600)
    cost = (price * Decimal("0.5")).quantize(ZERO)
    income, cogs, asset = (gen.account[k] for k in ("income_products", "cogs", "inventory"))
    data = _head(gen, name) | {"ManufacturerPartNumber": f"P-{gen.rng.randint(10000, 99999)}"}
    data |= {"SalesTaxCodeRef": gen.account["code_Tax"], "SalesDesc": name, "SalesPrice": price}
    data |= {"IncomeAccountRef": income, "PurchaseDesc": name, "PurchaseCost": cost}
    data |= {"COGSAccountRef": cogs, "PrefVendorRef": gen.pick("vendors"), "AssetAccountRef": asset}
    data["BuildPoint" if parts is not None else "ReorderPoint"] = Decimal(gen.rng.randint(5, 50))
    on_hand = Decimal(gen.rng.randint(0, 400))
    data |= {"QuantityOnHand": on_hand, "AverageCost": cost, "QuantityOnOrder": Decimal(0)}
    data["QuantityOnSalesOrder"] = Decimal(0)
    if parts:
        lines: list[Value] = [
            {"ItemInventoryRef": p, "Quantity": Decimal(gen.rng.randint(1, 4))} for p in parts
        ]
        data["ItemInventoryAssemblyLine"] = lines
    record = gen.add("items", ret, data, gen.list_created())
    return ItemInfo(gen.ref(record), price, cost, income, asset, True, True)


def _fixed_asset(gen: Gen, used: set[str]) -> None:
    name = unique_name(gen, "Delivery Van", used)
    data: RecordData = {"Name": name, "IsActive": True, "AcquiredAs": "New"}
    data |= {"PurchaseDesc": "2022 cargo van", "PurchaseDate": gen.start.date()}
    data |= {"PurchaseCost": Decimal("38500.00"), "VendorOrPayeeName": "City Motors"}
    data |= {"AssetAccountRef": gen.account["vehicles"], "AssetDesc": "Cargo van"}
    data |= {"SerialNumber": f"VIN{gen.rng.randint(10**9, 10**10 - 1)}"}
    gen.add("items", "ItemFixedAssetRet", data, gen.start)


def _subtotal(gen: Gen, used: set[str]) -> None:
    data: RecordData = {"Name": unique_name(gen, "Subtotal", used), "IsActive": True}
    data["ItemDesc"] = "Subtotal"
    gen.add("items", "ItemSubtotalRet", data, gen.start)


def _discount(gen: Gen, used: set[str]) -> None:
    name = unique_name(gen, "Loyalty Discount", used)
    data = _head(gen, name) | {"ItemDesc": "10% loyalty discount"}
    data |= {"SalesTaxCodeRef": gen.account["code_Non"], "DiscountRatePercent": Decimal("10.0")}
    data["AccountRef"] = gen.account["discounts"]
    gen.add("items", "ItemDiscountRet", data, gen.start)


def _payment(gen: Gen, used: set[str]) -> None:
    data: RecordData = {"Name": unique_name(gen, "Deposit Received", used), "IsActive": True}
    data |= {"ItemDesc": "Customer deposit", "DepositToAccountRef": gen.account["undeposited"]}
    data["PaymentMethodRef"] = gen.pick("payment_methods")
    gen.add("items", "ItemPaymentRet", data, gen.start)


def _group(gen: Gen, used: set[str]) -> None:
    members = gen.refs["sale_items"][:3]
    data: RecordData = {"Name": unique_name(gen, "Starter Bundle", used), "IsActive": True}
    data |= {"ItemDesc": "Bundle of starter items", "IsPrintItemsInGroup": False}
    data["ItemGroupLine"] = vals([{"ItemRef": m, "Quantity": Decimal(1)} for m in members])
    gen.add("items", "ItemGroupRet", data, gen.start)

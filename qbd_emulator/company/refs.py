"""References between records: which list a ``*Ref`` names, names, and resolving refs.

Owns: ``REF_TARGETS`` (ref element name -> data-type keys it may name), the walk that
finds refs inside a record (top level and lines), ``NameIndex`` (the names QuickBooks keeps
unique, case-insensitively, per namespace) and ``resolve_refs``/``resolve_ref`` (a ref's
ListID or FullName to ``{ListID, FullName}`` of an existing record, 3140 when it names
nothing). Refs to lists the emulator does not model (TemplateRef, SalesRepRef,
ShipMethodRef, CustomerMsgRef, PriceLevelRef, ...) are absent from the table and left
alone. Must not: change records or do I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from connector.qbxml.datatypes import BY_KEY, Kind
from connector.qbxml.values import RecordData, Value
from qbd_emulator.errors import DuplicateNameError, InvalidReferenceError

from .values import StoredRecord

if TYPE_CHECKING:
    from .model import CompanyFile

VIEWS: dict[str, tuple[str, frozenset[str]]] = {
    "sales_tax_items": ("items", frozenset({"ItemSalesTaxRet"})),
}
"""Keys whose records are stored under another key, filtered by ``*Ret`` name
(ItemSalesTaxRet records live under ``items``: ItemQuery returns them)."""


def storage_key(key: str) -> str:
    return VIEWS[key][0] if key in VIEWS else key


def in_view(key: str, record: StoredRecord) -> bool:
    return key not in VIEWS or record.ret in VIEWS[key][1]


def name_of(data: RecordData) -> str:
    """The name QuickBooks keeps unique: FullName where the list is hierarchical, else Name."""
    value = data.get("FullName", data.get("Name", ""))
    return value if isinstance(value, str) else ""


ENTITIES = ("customers", "vendors", "employees", "other_names")
"""QuickBooks' name lists: one namespace, names must be unique across all four."""

_ACCOUNT_REFS = (
    "AccountRef",
    "ARAccountRef",
    "APAccountRef",
    "DepositToAccountRef",
    "BankAccountRef",
    "CreditCardAccountRef",
    "IncomeAccountRef",
    "COGSAccountRef",
    "AssetAccountRef",
    "ExpenseAccountRef",
    "TransferFromAccountRef",
    "TransferToAccountRef",
    "TaxOnPurchasesAccountRef",
    "TaxOnSalesAccountRef",
    "PrefillAccountRef",
)

REF_TARGETS: dict[str, tuple[str, ...]] = {
    **{name: ("accounts",) for name in _ACCOUNT_REFS},
    "CustomerRef": ("customers",),
    "VendorRef": ("vendors",),
    "PrefVendorRef": ("vendors",),
    "TaxVendorRef": ("vendors",),
    "SupervisorRef": ("employees",),
    "PayeeEntityRef": ENTITIES,
    "EntityRef": ENTITIES,
    "ShipToEntityRef": ENTITIES,
    "ItemRef": ("items",),
    "ItemGroupRef": ("items",),
    "ItemInventoryRef": ("items",),
    "ItemSalesTaxRef": ("items",),
    "ItemPurchaseTaxRef": ("items",),
    "ClassRef": ("classes",),
    "TermsRef": ("terms",),
    "SalesTaxCodeRef": ("sales_tax_codes",),
    "CustomerSalesTaxCodeRef": ("sales_tax_codes",),
    "PurchaseTaxCodeRef": ("sales_tax_codes",),
    "PaymentMethodRef": ("payment_methods",),
    "PreferredPaymentMethodRef": ("payment_methods",),
    "CurrencyRef": ("currencies",),
}


def iter_refs(data: RecordData, path: str = "") -> Iterator[tuple[str, str, RecordData]]:
    """Every ``(path, ref element name, ref dict)`` inside ``data``, lines included.
    ``ParentRef`` is reported too (its target is the record's own list)."""
    for name, value in data.items():
        here = f"{path}/{name}" if path else name
        if isinstance(value, dict):
            if name in REF_TARGETS or name == "ParentRef":
                yield here, name, value
            else:
                yield from iter_refs(value, here)
        elif isinstance(value, list):
            for index, member in enumerate(value):
                if isinstance(member, dict):
                    if name in REF_TARGETS:
                        yield f"{here}[{index}]", name, member
                    else:
                        yield from iter_refs(member, f"{here}[{index}]")


def _namespace(key: str) -> str:
    return "entities" if key in ENTITIES else storage_key(key)


class NameIndex:
    """Names QuickBooks keeps unique: per list, the four name lists sharing one namespace;
    compared case-insensitively, as QuickBooks matches names (uncertain for every list)."""

    def __init__(self) -> None:
        self._names: dict[str, dict[str, tuple[str, str]]] = {}

    @classmethod
    def of(cls, records: Mapping[str, Mapping[str, StoredRecord]]) -> NameIndex:
        index = cls()
        for key, table in records.items():
            if BY_KEY[key].kind is Kind.LIST:
                for record_id, record in table.items():
                    index.add(key, name_of(record.data), record_id)
        return index

    def find(self, key: str, name: str) -> str | None:
        """The ListID named ``name`` in ``key``'s list (``None`` if in another list)."""
        hit = self._names.get(_namespace(key), {}).get(name.casefold())
        if hit is None or hit[0] != storage_key(key):
            return None
        return hit[1]

    def check_unique(self, key: str, name: str, own_id: str | None) -> None:
        """3100 when ``name`` is taken in ``key``'s namespace by a record other than ``own_id``."""
        if not name:
            return
        hit = self._names.get(_namespace(key), {}).get(name.casefold())
        if hit is not None and hit[1] != own_id:
            raise DuplicateNameError(name)

    def add(self, key: str, name: str, record_id: str) -> None:
        if name:
            self._names.setdefault(_namespace(key), {})[name.casefold()] = (
                storage_key(key),
                record_id,
            )

    def remove(self, key: str, name: str) -> None:
        self._names.get(_namespace(key), {}).pop(name.casefold(), None)


def resolve_refs(company: CompanyFile, key: str, data: RecordData) -> RecordData:
    """A copy of ``data`` whose modelled refs (top level and lines) are ``{ListID,
    FullName}`` of existing records; 3140 names the first ref that resolves to nothing."""
    return {name: _resolve_value(company, key, name, value) for name, value in data.items()}


def _resolve_value(company: CompanyFile, key: str, name: str, value: Value) -> Value:
    if isinstance(value, list):
        return [_resolve_value(company, key, name, member) for member in value]
    if not isinstance(value, dict):
        return value
    if name == "ParentRef":
        return resolve_ref(company, (storage_key(key),), value, name)
    if name in REF_TARGETS:
        return resolve_ref(company, REF_TARGETS[name], value, name)
    return resolve_refs(company, key, value)


def resolve_ref(
    company: CompanyFile, targets: tuple[str, ...], ref: RecordData, name: str
) -> RecordData:
    """``ref`` (by ListID, else FullName) as ``{ListID, FullName}`` of a record of one of
    ``targets``; 3140 (named after the ref element ``name``) when it names nothing."""
    list_id, full_name = ref.get("ListID"), ref.get("FullName")
    for target in targets:
        record: StoredRecord | None = None
        if isinstance(list_id, str):
            record = company.records.get(storage_key(target), {}).get(list_id)
        elif isinstance(full_name, str):
            record = company.find_by_name(target, full_name)
        if record is not None:
            return {"ListID": str(record.data["ListID"]), "FullName": name_of(record.data)}
    shown = list_id if isinstance(list_id, str) else full_name
    raise InvalidReferenceError(name.removesuffix("Ref"), str(shown))

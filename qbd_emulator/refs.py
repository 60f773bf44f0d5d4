"""Which list each ``*Ref`` element of a record points at: one table, pure data.

Owns: ``REF_TARGETS`` (ref element name -> data-type keys it may name) and the walk that
finds refs inside a record (top level and lines). Used by the company model to resolve
and check references (3140) and by tests to prove every reference resolves. Refs to lists
the emulator does not model (TemplateRef, SalesRepRef, ShipMethodRef, CustomerMsgRef,
PriceLevelRef, ...) are absent from the table and left alone. Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Iterator

from connector.qbxml.values import RecordData

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

"""The data types the connector exchanges with QuickBooks: one registry, pure data.

Owns: the mapping between our data-type keys (used by the sync engine, the store and the
REST API) and qbXML request/response element names, plus what QuickBooks allows on each
(iterators, Add/Mod/Del/Void). Must not: build or parse XML (see ``build`` and ``parse``).

Iterator support follows the qbXML 13.0-16.0 schemas: a ``*QueryRq`` accepts the
``iterator``/``iteratorID`` attributes only where the schema declares them (checked by
``tests/qbxml/test_schema.py`` against the tables generated from the XSDs).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    COMPANY = "company"
    LIST = "list"
    TXN = "txn"
    DELETED = "deleted"


@dataclass(frozen=True)
class DataType:
    key: str
    """Our name: the REST path segment and the store's data-type column (e.g. ``invoices``)."""
    query: str
    """qbXML query base name; the request element is ``f"{query}Rq"``."""
    rets: tuple[str, ...]
    """The ``*Ret`` elements a query answers with (several for ItemQuery and TermsQuery)."""
    kind: Kind
    iterator: bool
    """Whether ``{query}Rq`` accepts ``iterator="Start"|"Continue"``."""
    add: str | None = None
    """Base name of the Add request (``CustomerAdd``) where we write this type."""
    mod: str | None = None
    can_delete: bool = False
    """TxnDel (transactions) or ListDel (lists) allowed."""
    can_void: bool = False
    txn_del_type: str | None = None
    """The ``TxnDelType``/``TxnVoidType``/``ListDelType`` enum value, e.g. ``Invoice``."""
    modified_filter: bool = True
    """Whether the query takes FromModifiedDate (lists) / ModifiedDateRangeFilter (txns)."""

    @property
    def id_field(self) -> str:
        return "TxnID" if self.kind is Kind.TXN else "ListID"

    @property
    def request(self) -> str:
        return f"{self.query}Rq"

    @property
    def response(self) -> str:
        return f"{self.query}Rs"


def _list(key: str, query: str, rets: tuple[str, ...] | None = None, **kw: object) -> DataType:
    return DataType(key, query, rets or (f"{query.removesuffix('Query')}Ret",), Kind.LIST, **kw)  # type: ignore[arg-type]


def _txn(key: str, name: str, **kw: object) -> DataType:
    return DataType(key, f"{name}Query", (f"{name}Ret",), Kind.TXN, True, **kw)  # type: ignore[arg-type]


ITEM_RETS = (
    "ItemServiceRet",
    "ItemNonInventoryRet",
    "ItemOtherChargeRet",
    "ItemInventoryRet",
    "ItemInventoryAssemblyRet",
    "ItemFixedAssetRet",
    "ItemSubtotalRet",
    "ItemDiscountRet",
    "ItemPaymentRet",
    "ItemSalesTaxRet",
    "ItemSalesTaxGroupRet",
    "ItemGroupRet",
)

DATA_TYPES: tuple[DataType, ...] = (
    DataType("host", "HostQuery", ("HostRet",), Kind.COMPANY, False, modified_filter=False),
    DataType(
        "company", "CompanyQuery", ("CompanyRet",), Kind.COMPANY, False, modified_filter=False
    ),
    DataType(
        "preferences",
        "PreferencesQuery",
        ("PreferencesRet",),
        Kind.COMPANY,
        False,
        modified_filter=False,
    ),
    _list(
        "accounts",
        "AccountQuery",
        iterator=False,
        add="AccountAdd",
        mod="AccountMod",
        can_delete=True,
        txn_del_type="Account",
    ),
    _list(
        "customers",
        "CustomerQuery",
        iterator=True,
        add="CustomerAdd",
        mod="CustomerMod",
        can_delete=True,
        txn_del_type="Customer",
    ),
    _list(
        "vendors",
        "VendorQuery",
        iterator=True,
        add="VendorAdd",
        mod="VendorMod",
        can_delete=True,
        txn_del_type="Vendor",
    ),
    _list("employees", "EmployeeQuery", iterator=False),
    _list("other_names", "OtherNameQuery", iterator=False),
    _list("items", "ItemQuery", ITEM_RETS, iterator=True),
    _list("classes", "ClassQuery", iterator=False),
    _list("terms", "TermsQuery", ("StandardTermsRet", "DateDrivenTermsRet"), iterator=False),
    _list("payment_methods", "PaymentMethodQuery", iterator=False),
    _list("sales_tax_codes", "SalesTaxCodeQuery", iterator=False),
    _list("sales_tax_items", "ItemSalesTaxQuery", iterator=True),
    _list("currencies", "CurrencyQuery", iterator=False),
    _txn(
        "invoices",
        "Invoice",
        add="InvoiceAdd",
        mod="InvoiceMod",
        can_delete=True,
        can_void=True,
        txn_del_type="Invoice",
    ),
    _txn(
        "credit_memos",
        "CreditMemo",
        add="CreditMemoAdd",
        mod="CreditMemoMod",
        can_delete=True,
        can_void=True,
        txn_del_type="CreditMemo",
    ),
    _txn(
        "sales_receipts",
        "SalesReceipt",
        add="SalesReceiptAdd",
        mod="SalesReceiptMod",
        can_delete=True,
        can_void=True,
        txn_del_type="SalesReceipt",
    ),
    _txn(
        "receive_payments",
        "ReceivePayment",
        add="ReceivePaymentAdd",
        can_delete=True,
        txn_del_type="ReceivePayment",
    ),
    _txn("estimates", "Estimate", can_delete=True, txn_del_type="Estimate"),
    _txn("sales_orders", "SalesOrder", can_delete=True, txn_del_type="SalesOrder"),
    _txn(
        "bills",
        "Bill",
        add="BillAdd",
        mod="BillMod",
        can_delete=True,
        can_void=True,
        txn_del_type="Bill",
    ),
    _txn(
        "bill_payment_checks",
        "BillPaymentCheck",
        add="BillPaymentCheckAdd",
        can_delete=True,
        can_void=True,
        txn_del_type="BillPaymentCheck",
    ),
    _txn(
        "bill_payment_credit_cards",
        "BillPaymentCreditCard",
        can_delete=True,
        can_void=True,
        txn_del_type="BillPaymentCreditCard",
    ),
    _txn(
        "vendor_credits",
        "VendorCredit",
        can_delete=True,
        can_void=True,
        txn_del_type="VendorCredit",
    ),
    _txn(
        "purchase_orders",
        "PurchaseOrder",
        add="PurchaseOrderAdd",
        mod="PurchaseOrderMod",
        can_delete=True,
        txn_del_type="PurchaseOrder",
    ),
    _txn(
        "journal_entries",
        "JournalEntry",
        add="JournalEntryAdd",
        mod="JournalEntryMod",
        can_delete=True,
        can_void=True,
        txn_del_type="JournalEntry",
    ),
    _txn(
        "checks",
        "Check",
        add="CheckAdd",
        mod="CheckMod",
        can_delete=True,
        can_void=True,
        txn_del_type="Check",
    ),
    _txn(
        "deposits",
        "Deposit",
        add="DepositAdd",
        mod="DepositMod",
        can_delete=True,
        can_void=True,
        txn_del_type="Deposit",
    ),
    _txn(
        "credit_card_charges",
        "CreditCardCharge",
        can_delete=True,
        can_void=True,
        txn_del_type="CreditCardCharge",
    ),
    _txn(
        "credit_card_credits",
        "CreditCardCredit",
        can_delete=True,
        can_void=True,
        txn_del_type="CreditCardCredit",
    ),
    _txn("transfers", "Transfer", txn_del_type="Transfer"),
    DataType(
        "deleted_lists",
        "ListDeletedQuery",
        ("ListDeletedRet",),
        Kind.DELETED,
        False,
        modified_filter=False,
    ),
    DataType(
        "deleted_txns",
        "TxnDeletedQuery",
        ("TxnDeletedRet",),
        Kind.DELETED,
        False,
        modified_filter=False,
    ),
)
"""Every data type we read, in the order a full sync visits them (lists before the
transactions that reference them)."""

# Write-only list types that are not separate read types: items are read through ItemQuery.
WRITE_ONLY: dict[str, str] = {
    "ItemServiceAdd": "items",
    "ItemNonInventoryAdd": "items",
}
WRITE_ONLY_MODS: dict[str, str] = {
    "ItemServiceMod": "items",
    "ItemNonInventoryMod": "items",
}

BY_KEY: dict[str, DataType] = {d.key: d for d in DATA_TYPES}
BY_QUERY: dict[str, DataType] = {d.query: d for d in DATA_TYPES}
BY_RET: dict[str, DataType] = {ret: d for d in DATA_TYPES for ret in d.rets}


def by_key(key: str) -> DataType:
    """The data type for ``key``; ``KeyError`` lists the valid keys."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown data type {key!r}; known: {', '.join(BY_KEY)}") from None

"""Realistic write records and query filters shared by the builder tests (data only, no tests)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from connector.qbxml.filters import (
    AccountFilter,
    ActiveStatus,
    EntityFilter,
    MatchCriterion,
    ModifiedDateRange,
    NameFilter,
    PaidStatus,
    QueryFilter,
    RefNumberFilter,
    RefNumberRange,
    TxnDateRange,
)

PST = timezone(timedelta(hours=-8))
SINCE = datetime(2024, 3, 1, 8, 30, 0, tzinfo=PST)
UNTIL = datetime(2024, 3, 31, 23, 59, 59, tzinfo=PST)
OWNER = "{6B063959-81B0-4B5A-8A33-5E3A9D6C8A11}"

ADDRESS = {
    "Addr1": "Gare du Nord Deli",
    "Addr2": "18 rue de Dunkerque",
    "City": "Springfield",
    "State": "IL",
    "PostalCode": "62701",
    "Country": "US",
}

WRITES: dict[str, dict[str, object]] = {
    "CustomerAdd": {
        "Name": "Brasserie Lefèvre",
        "IsActive": True,
        "CompanyName": "Brasserie Lefèvre LLC",
        "FirstName": "Amélie",
        "LastName": "Lefèvre",
        "BillAddress": ADDRESS,
        "Phone": "217-555-0142",
        "Email": "amelie@example.com",
        "TermsRef": {"FullName": "Net 30"},
        "OpenBalance": Decimal("150.00"),
        "OpenBalanceDate": date(2024, 1, 1),
        "CreditLimit": Decimal("5000"),
        "Notes": "Prefers invoices by email. Ça va.",
    },
    "CustomerMod": {
        "ListID": "80000001-1712345678",
        "EditSequence": "1712345678",
        "Name": "Brasserie Lefèvre & Fils",
        "Phone": "217-555-0199",
        "BillAddress": ADDRESS,
    },
    "VendorAdd": {
        "Name": "Midwest Paper Supply",
        "CompanyName": "Midwest Paper Supply Inc.",
        "VendorAddress": ADDRESS,
        "Phone": "312-555-0100",
        "AccountNumber": "MPS-00917",
        "TermsRef": {"FullName": "Net 15"},
        "IsVendorEligibleFor1099": False,
    },
    "VendorMod": {
        "ListID": "80000002-1712345679",
        "EditSequence": "1712345679",
        "Phone": "312-555-0111",
    },
    "AccountAdd": {
        "Name": "Catering Income",
        "AccountType": "Income",
        "AccountNumber": "4150",
        "Desc": "Income from catering events",
    },
    "ItemServiceAdd": {
        "Name": "Event Staffing",
        "SalesOrPurchase": {
            "Desc": "Hourly event staff",
            "Price": Decimal("45.50"),
            "AccountRef": {"FullName": "Catering Income"},
        },
    },
    "ItemNonInventoryAdd": {
        "Name": "Napkins (box)",
        "SalesAndPurchase": {
            "SalesDesc": "Linen napkins, box of 50",
            "SalesPrice": Decimal("12.75"),
            "IncomeAccountRef": {"FullName": "Sales"},
            "PurchaseDesc": "Napkins wholesale",
            "PurchaseCost": Decimal("7.10"),
            "ExpenseAccountRef": {"FullName": "Cost of Goods Sold"},
        },
    },
    "InvoiceAdd": {
        "CustomerRef": {"FullName": "Brasserie Lefèvre"},
        "TxnDate": date(2024, 3, 5),
        "RefNumber": "INV-1042",
        "BillAddress": ADDRESS,
        "TermsRef": {"FullName": "Net 30"},
        "DueDate": date(2024, 4, 4),
        "Memo": "March catering",
        "InvoiceLineAdd": [
            {
                "ItemRef": {"FullName": "Event Staffing"},
                "Desc": "Staff for 5 March",
                "Quantity": Decimal("12.5"),
                "Rate": Decimal("45.50"),
            },
            {
                "ItemRef": {"FullName": "Napkins (box)"},
                "Quantity": Decimal("3"),
                "Amount": Decimal("38.25"),
            },
        ],
    },
    "InvoiceMod": {
        "TxnID": "1A2B-1712345678",
        "EditSequence": "1712345690",
        "Memo": "March catering (revised)",
        "InvoiceLineMod": [
            {"TxnLineID": "1A2C-1712345678", "Quantity": Decimal("14")},
            {"TxnLineID": "-1", "ItemRef": {"FullName": "Napkins (box)"}, "Quantity": Decimal("1")},
        ],
    },
    "CreditMemoAdd": {
        "CustomerRef": {"ListID": "80000001-1712345678"},
        "TxnDate": date(2024, 3, 8),
        "RefNumber": "CM-77",
        "CreditMemoLineAdd": [
            {
                "ItemRef": {"FullName": "Napkins (box)"},
                "Quantity": Decimal("1"),
                "Rate": Decimal("12.75"),
            }
        ],
    },
    "ReceivePaymentAdd": {
        "CustomerRef": {"FullName": "Brasserie Lefèvre"},
        "TxnDate": date(2024, 3, 20),
        "RefNumber": "CHK 5521",
        "TotalAmount": Decimal("607.00"),
        "PaymentMethodRef": {"FullName": "Check"},
        "AppliedToTxnAdd": [{"TxnID": "1A2B-1712345678", "PaymentAmount": Decimal("607.00")}],
    },
    "BillAdd": {
        "VendorRef": {"FullName": "Midwest Paper Supply"},
        "TxnDate": date(2024, 3, 2),
        "DueDate": date(2024, 3, 17),
        "RefNumber": "MPS-8841",
        "Memo": "Paper goods",
        "ExpenseLineAdd": [
            {"AccountRef": {"FullName": "Supplies"}, "Amount": Decimal("84.20"), "Memo": "cups"}
        ],
        "ItemLineAdd": [
            {
                "ItemRef": {"FullName": "Napkins (box)"},
                "Quantity": Decimal("10"),
                "Cost": Decimal("7.10"),
            }
        ],
    },
    "BillMod": {
        "TxnID": "2B3C-1712345700",
        "EditSequence": "1712345701",
        "DueDate": date(2024, 3, 31),
        "Memo": "Paper goods, extended terms",
    },
    "BillPaymentCheckAdd": {
        "PayeeEntityRef": {"FullName": "Midwest Paper Supply"},
        "APAccountRef": {"FullName": "Accounts Payable"},
        "TxnDate": date(2024, 3, 15),
        "BankAccountRef": {"FullName": "Checking"},
        "IsToBePrinted": True,
        "Memo": "Invoice MPS-8841",
        "AppliedToTxnAdd": [{"TxnID": "2B3C-1712345700", "PaymentAmount": Decimal("155.20")}],
    },
    "JournalEntryAdd": {
        "TxnDate": date(2024, 3, 31),
        "RefNumber": "JE-0331",
        "Memo": "Accrual",
        "JournalDebitLine": [
            {
                "AccountRef": {"FullName": "Prepaid Insurance"},
                "Amount": Decimal("1200.00"),
                "Memo": "Q2",
            }
        ],
        "JournalCreditLine": [
            {"AccountRef": {"FullName": "Checking"}, "Amount": Decimal("1200.00")}
        ],
    },
    "PurchaseOrderAdd": {
        "VendorRef": {"FullName": "Midwest Paper Supply"},
        "TxnDate": date(2024, 3, 3),
        "RefNumber": "PO-310",
        "ExpectedDate": date(2024, 3, 10),
        "PurchaseOrderLineAdd": [
            {
                "ItemRef": {"FullName": "Napkins (box)"},
                "Quantity": Decimal("40"),
                "Rate": Decimal("7.10"),
            }
        ],
    },
    "PurchaseOrderMod": {
        "TxnID": "3C4D-1712345800",
        "EditSequence": "1712345801",
        "ExpectedDate": date(2024, 3, 12),
        "PurchaseOrderLineMod": [{"TxnLineID": "-1", "ItemRef": {"FullName": "Napkins (box)"}}],
    },
    "AccountMod": {
        "ListID": "80000009-1712345680",
        "EditSequence": "1712345681",
        "Desc": "Income from catering events and parties",
    },
    "ItemServiceMod": {
        "ListID": "8000000A-1712345682",
        "EditSequence": "1712345683",
        "SalesOrPurchaseMod": {"Price": Decimal("47.00")},
    },
    "ItemNonInventoryMod": {
        "ListID": "8000000B-1712345684",
        "EditSequence": "1712345685",
        "SalesAndPurchaseMod": {"SalesPrice": Decimal("13.25")},
    },
    "CreditMemoMod": {
        "TxnID": "4D5E-1712345900",
        "EditSequence": "1712345901",
        "Memo": "Returned one box",
    },
    "JournalEntryMod": {
        "TxnID": "5E6F-1712346000",
        "EditSequence": "1712346001",
        "RefNumber": "JE-0331R",
    },
    "SalesReceiptAdd": {
        "CustomerRef": {"FullName": "Brasserie Lefèvre"},
        "TxnDate": date(2024, 3, 9),
        "RefNumber": "SR-12",
        "DepositToAccountRef": {"FullName": "Undeposited Funds"},
        "SalesReceiptLineAdd": [
            {
                "ItemRef": {"FullName": "Event Staffing"},
                "Quantity": Decimal("2"),
                "Rate": Decimal("45.50"),
            }
        ],
    },
    "SalesReceiptMod": {
        "TxnID": "6F70-1712346100",
        "EditSequence": "1712346101",
        "Memo": "Paid at the door",
    },
    "CheckAdd": {
        "AccountRef": {"FullName": "Checking"},
        "PayeeEntityRef": {"FullName": "Midwest Paper Supply"},
        "TxnDate": date(2024, 3, 11),
        "Memo": "Cups",
        "ExpenseLineAdd": [{"AccountRef": {"FullName": "Supplies"}, "Amount": Decimal("19.99")}],
    },
    "CheckMod": {
        "TxnID": "7081-1712346200",
        "EditSequence": "1712346201",
        "Memo": "Cups and lids",
    },
    "DepositAdd": {
        "TxnDate": date(2024, 3, 21),
        "DepositToAccountRef": {"FullName": "Checking"},
        "Memo": "Weekend takings",
        "DepositLineAdd": [
            {"AccountRef": {"FullName": "Catering Income"}, "Amount": Decimal("250.00")}
        ],
    },
    "DepositMod": {
        "TxnID": "8192-1712346300",
        "EditSequence": "1712346301",
        "Memo": "Weekend takings (counted)",
    },
}


def list_filters() -> list[tuple[str, QueryFilter]]:
    return [
        ("empty", QueryFilter()),
        ("by-ids", QueryFilter(list_ids=("80000001-1712345678", "80000002-1712345679"))),
        ("by-names", QueryFilter(full_names=("Brasserie Lefèvre",))),
        (
            "modified-active",
            QueryFilter(
                max_returned=100,
                active_status=ActiveStatus.ALL,
                modified=ModifiedDateRange(SINCE, UNTIL),
            ),
        ),
        (
            "name-filter",
            QueryFilter(max_returned=5, name=NameFilter(MatchCriterion.STARTS_WITH, "Bra")),
        ),
    ]


def txn_filters() -> list[tuple[str, QueryFilter]]:
    return [
        ("empty", QueryFilter()),
        ("by-ids", QueryFilter(txn_ids=("1A2B-1712345678",), include_line_items=True)),
        (
            "modified",
            QueryFilter(
                max_returned=200,
                modified=ModifiedDateRange(SINCE),
                include_line_items=True,
                owner_ids=("0", OWNER),
            ),
        ),
        (
            "txn-date-entity",
            QueryFilter(
                txn_date=TxnDateRange(date(2024, 1, 1), date(2024, 3, 31)),
                entity=EntityFilter(full_names=("Brasserie Lefèvre",)),
            ),
        ),
        ("macro", QueryFilter(txn_date=TxnDateRange(date_macro="ThisFiscalYearToDate"))),
    ]


def ref_number_filters(*, account: bool = True) -> list[tuple[str, QueryFilter]]:
    """For queries that have RefNumber filters (and AccountFilter unless ``account`` is False)."""
    cases = [
        ("ref-numbers", QueryFilter(ref_numbers=("INV-1042", "INV-1043"))),
        (
            "ref-filter-account",
            QueryFilter(
                account=AccountFilter(list_id_with_children="80000010-1712345600"),
                ref_number=RefNumberFilter(MatchCriterion.CONTAINS, "10"),
                include_linked_txns=None,
            ),
        ),
        (
            "ref-range",
            QueryFilter(ref_number_range=RefNumberRange("INV-1000", "INV-1099"), max_returned=10),
        ),
    ]
    return cases if account else [c for c in cases if c[1].account is None]


def paid_filter() -> QueryFilter:
    return QueryFilter(
        paid_status=PaidStatus.NOT_PAID_ONLY, include_linked_txns=True, max_returned=50
    )

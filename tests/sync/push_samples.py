"""One push of every write type the issue lists, in an order where later ones name earlier
ones (shared by ``test_push_types.py`` and ``tests/e2e/test_push_types_e2e.py``; data only)."""

from __future__ import annotations

from typing import Any


def _line(item: str, amount: str) -> dict[str, Any]:
    return {"itemRef": {"fullName": item}, "amount": amount}


def adds(open_bill: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Lists first, then transactions naming them (all new, or in the synced company)."""
    customer, vendor = {"fullName": "Pushed Customer"}, {"fullName": "Pushed Vendor"}
    return [
        ("accounts", {"name": "Pushed Income", "accountType": "Income"}),
        ("customers", {"name": "Pushed Customer", "companyName": "Pushed LLC"}),
        ("customers", {"name": "Short Lived"}),
        ("vendors", {"name": "Pushed Vendor"}),
        ("items", {"type": "ItemService", "name": "Pushed Service",
                   "salesOrPurchase": {"price": "100.00", "accountRef": {"fullName": "Pushed Income"}}}),
        ("items", {"type": "ItemNonInventory", "name": "Pushed Part",
                   "salesOrPurchase": {"price": "5.00", "accountRef": {"fullName": "Product Sales"}}}),
        ("items", {"type": "ItemNonInventory", "name": "Spare Part",
                   "salesOrPurchase": {"price": "1.00", "accountRef": {"fullName": "Product Sales"}}}),
        ("invoices", {"customerRef": customer, "refNumber": "P-1",
                      "invoiceLineAdd": [_line("Pushed Service", "200.00")]}),
        ("receive_payments", {"customerRef": customer, "totalAmount": "50.00", "isAutoApply": True}),
        ("credit_memos", {"customerRef": customer, "creditMemoLineAdd": [_line("Pushed Part", "5.00")]}),
        ("sales_receipts", {"customerRef": customer, "depositToAccountRef": {"fullName": "Undeposited Funds"},
                            "salesReceiptLineAdd": [_line("Pushed Service", "100.00")]}),
        ("bills", {"vendorRef": vendor, "expenseLineAdd": [
            {"accountRef": {"fullName": "Office Supplies"}, "amount": "50.00"}]}),
        ("bill_payment_checks", {"payeeEntityRef": open_bill["VendorRef"] | {},
                                 "bankAccountRef": {"fullName": "Checking"}, "isToBePrinted": True,
                                 "appliedToTxnAdd": [{"txnId": open_bill["TxnID"], "paymentAmount": "1.00"}]}),
        ("purchase_orders", {"vendorRef": vendor, "purchaseOrderLineAdd": [
            {"itemRef": {"fullName": "Pushed Part"}, "quantity": "3"}]}),
        ("journal_entries", {"refNumber": "PJE-1",
                             "journalDebitLine": [{"accountRef": {"fullName": "Office Supplies"}, "amount": "10.00"}],
                             "journalCreditLine": [{"accountRef": {"fullName": "Checking"}, "amount": "10.00"}]}),
        ("checks", {"accountRef": {"fullName": "Checking"}, "payeeEntityRef": vendor,
                    "expenseLineAdd": [{"accountRef": {"fullName": "Office Supplies"}, "amount": "20.00"}]}),
        ("deposits", {"depositToAccountRef": {"fullName": "Checking"},
                      "depositLineAdd": [{"accountRef": {"fullName": "Pushed Income"}, "amount": "30.00"}]}),
    ]  # fmt: skip

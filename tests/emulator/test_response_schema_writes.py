"""Every write request type x versions x seeds: the answer (success or error status)
validates against that version's XSD, and a success returns the written record."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qbd_emulator.company import CompanyFile
from tests.emulator.test_processor_support import assert_valid, company, one, rq, session, status

VERSIONS = ("13.0", "14.0", "15.0", "16.0")
SEEDS = (1, 2, 4)  # tiny files of these seeds hold an open invoice and an open bill


def _first(comp: CompanyFile, key: str, test: Callable[[dict], bool] = lambda d: True) -> dict:  # type: ignore[type-arg]
    return next(r.data for r in comp.iter_records(key) if test(r.data))


def _name(data: dict) -> str:  # type: ignore[type-arg]
    return str(data.get("FullName", data.get("Name")))


def _acct(comp: CompanyFile, kind: str) -> str:
    return _name(_first(comp, "accounts", lambda d: d.get("AccountType") == kind))


def _bodies(comp: CompanyFile, tag: str) -> dict[str, str]:
    cust = _first(comp, "customers")
    vend = _first(comp, "vendors")
    item = _name(_first(comp, "items", lambda d: "SalesOrPurchase" in d or "SalesAndPurchase" in d))
    inv = _first(comp, "invoices", lambda d: d.get("BalanceRemaining", 0) > 0)
    bill = _first(comp, "bills", lambda d: d.get("OpenAmount", 0) > 0)
    cref = f"<CustomerRef><ListID>{cust['ListID']}</ListID></CustomerRef>"
    vref = f"<VendorRef><ListID>{vend['ListID']}</ListID></VendorRef>"
    line = f"<ItemRef><FullName>{item}</FullName></ItemRef><Quantity>2</Quantity><Rate>12.50</Rate>"
    return {
        "CustomerAdd": f"<CustomerAddRq><CustomerAdd><Name>C {tag}</Name><CompanyName>Co</CompanyName></CustomerAdd></CustomerAddRq>",
        "CustomerMod": f"<CustomerModRq><CustomerMod><ListID>{cust['ListID']}</ListID><EditSequence>{cust['EditSequence']}</EditSequence><Phone>555-0100</Phone></CustomerMod></CustomerModRq>",
        "VendorAdd": f"<VendorAddRq><VendorAdd><Name>V {tag}</Name></VendorAdd></VendorAddRq>",
        "VendorMod": f"<VendorModRq><VendorMod><ListID>{vend['ListID']}</ListID><EditSequence>{vend['EditSequence']}</EditSequence><Phone>555-0101</Phone></VendorMod></VendorModRq>",
        "AccountAdd": f"<AccountAddRq><AccountAdd><Name>A {tag}</Name><AccountType>Expense</AccountType></AccountAdd></AccountAddRq>",
        "ItemServiceAdd": f"<ItemServiceAddRq><ItemServiceAdd><Name>S {tag}</Name><SalesOrPurchase><Price>10.00</Price><AccountRef><FullName>{_acct(comp, 'Income')}</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>",
        "ItemNonInventoryAdd": f"<ItemNonInventoryAddRq><ItemNonInventoryAdd><Name>N {tag}</Name><SalesOrPurchase><Price>3.00</Price><AccountRef><FullName>{_acct(comp, 'Income')}</FullName></AccountRef></SalesOrPurchase></ItemNonInventoryAdd></ItemNonInventoryAddRq>",
        "InvoiceAdd": f"<InvoiceAddRq><InvoiceAdd>{cref}<InvoiceLineAdd>{line}</InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>",
        "InvoiceMod": f"<InvoiceModRq><InvoiceMod><TxnID>{inv['TxnID']}</TxnID><EditSequence>{inv['EditSequence']}</EditSequence><Memo>m</Memo></InvoiceMod></InvoiceModRq>",
        "CreditMemoAdd": f"<CreditMemoAddRq><CreditMemoAdd>{cref}<CreditMemoLineAdd>{line}</CreditMemoLineAdd></CreditMemoAdd></CreditMemoAddRq>",
        "ReceivePaymentAdd": f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><ListID>{inv['CustomerRef']['ListID']}</ListID></CustomerRef><AppliedToTxnAdd><TxnID>{inv['TxnID']}</TxnID><PaymentAmount>1.00</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>",
        "BillAdd": f"<BillAddRq><BillAdd>{vref}<ExpenseLineAdd><AccountRef><FullName>{_acct(comp, 'Expense')}</FullName></AccountRef><Amount>9.99</Amount></ExpenseLineAdd></BillAdd></BillAddRq>",
        "BillMod": f"<BillModRq><BillMod><TxnID>{bill['TxnID']}</TxnID><EditSequence>{bill['EditSequence']}</EditSequence><Memo>m</Memo></BillMod></BillModRq>",
        "BillPaymentCheckAdd": f"<BillPaymentCheckAddRq><BillPaymentCheckAdd><PayeeEntityRef><ListID>{bill['VendorRef']['ListID']}</ListID></PayeeEntityRef><BankAccountRef><FullName>{_acct(comp, 'Bank')}</FullName></BankAccountRef><IsToBePrinted>true</IsToBePrinted><AppliedToTxnAdd><TxnID>{bill['TxnID']}</TxnID><PaymentAmount>1.00</PaymentAmount></AppliedToTxnAdd></BillPaymentCheckAdd></BillPaymentCheckAddRq>",
        "JournalEntryAdd": f"<JournalEntryAddRq><JournalEntryAdd><JournalDebitLine><AccountRef><FullName>{_acct(comp, 'Expense')}</FullName></AccountRef><Amount>5.00</Amount></JournalDebitLine><JournalCreditLine><AccountRef><FullName>{_acct(comp, 'Bank')}</FullName></AccountRef><Amount>5.00</Amount></JournalCreditLine></JournalEntryAdd></JournalEntryAddRq>",
        "PurchaseOrderAdd": f"<PurchaseOrderAddRq><PurchaseOrderAdd>{vref}<PurchaseOrderLineAdd>{line}</PurchaseOrderLineAdd></PurchaseOrderAdd></PurchaseOrderAddRq>",
        "TxnVoid": f"<TxnVoidRq><TxnVoidType>JournalEntry</TxnVoidType><TxnID>{_first(comp, 'journal_entries')['TxnID']}</TxnID></TxnVoidRq>",
        "TxnDel": f"<TxnDelRq><TxnDelType>Estimate</TxnDelType><TxnID>{_first(comp, 'estimates')['TxnID']}</TxnID></TxnDelRq>",
        "ListDel": f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{inv['CustomerRef']['ListID']}</ListID></ListDelRq>",
        "DataExtAdd": f"<DataExtAddRq><DataExtAdd><OwnerID>{{00000000-0000-0000-0000-00000000000{tag[-1]}}}</OwnerID><DataExtName>FileID</DataExtName><OtherDataExtType>Company</OtherDataExtType><DataExtValue>v</DataExtValue></DataExtAdd></DataExtAddRq>",
        "DataExtMod": "<DataExtModRq><DataExtMod><OwnerID>{AAAAAAAA-0000-0000-0000-000000000000}</OwnerID><DataExtName>FileID</DataExtName><OtherDataExtType>Company</OtherDataExtType><DataExtValue>v</DataExtValue></DataExtMod></DataExtModRq>",
    }


NAMES = [
    "CustomerAdd",
    "CustomerMod",
    "VendorAdd",
    "VendorMod",
    "AccountAdd",
    "ItemServiceAdd",
    "ItemNonInventoryAdd",
    "InvoiceAdd",
    "InvoiceMod",
    "CreditMemoAdd",
    "ReceivePaymentAdd",
    "BillAdd",
    "BillMod",
    "BillPaymentCheckAdd",
    "JournalEntryAdd",
    "PurchaseOrderAdd",
    "TxnVoid",
    "TxnDel",
    "ListDel",
    "DataExtAdd",
    "DataExtMod",
]
EXPECTED_ERRORS = {"ListDel": 3170, "DataExtMod": 3120}
"""ListDel of a customer with transactions is refused; DataExtMod of a missing value."""


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_write_answers_are_schema_valid(name: str, version: str, seed: int) -> None:
    comp = company(seed)
    qb, ticket = session(comp)
    body = _bodies(comp, f"{seed}-{version}")[name]
    answer = qb.process_request(ticket, rq(body, version))
    assert_valid(version, answer)
    rs = one(answer)
    assert status(rs) == EXPECTED_ERRORS.get(name, 0), rs.get("statusMessage")


def _more_bodies(comp: CompanyFile) -> dict[str, str]:
    cust, vend = _first(comp, "customers"), _first(comp, "vendors")
    item = _name(_first(comp, "items", lambda d: "SalesOrPurchase" in d or "SalesAndPurchase" in d))
    bank, card, expense = _acct(comp, "Bank"), _acct(comp, "CreditCard"), _acct(comp, "Expense")
    income = _acct(comp, "Income")
    cref = f"<CustomerRef><ListID>{cust['ListID']}</ListID></CustomerRef>"
    vref = f"<VendorRef><ListID>{vend['ListID']}</ListID></VendorRef>"
    line = f"<ItemRef><FullName>{item}</FullName></ItemRef><Quantity>1</Quantity><Rate>7.00</Rate>"
    exp = f"<ExpenseLineAdd><AccountRef><FullName>{expense}</FullName></AccountRef><Amount>7.00</Amount></ExpenseLineAdd>"
    return {
        "SalesReceiptAdd": f"<SalesReceiptAddRq><SalesReceiptAdd>{cref}<SalesReceiptLineAdd>{line}</SalesReceiptLineAdd></SalesReceiptAdd></SalesReceiptAddRq>",
        "EstimateAdd": f"<EstimateAddRq><EstimateAdd>{cref}<EstimateLineAdd>{line}</EstimateLineAdd></EstimateAdd></EstimateAddRq>",
        "SalesOrderAdd": f"<SalesOrderAddRq><SalesOrderAdd>{cref}<SalesOrderLineAdd>{line}</SalesOrderLineAdd></SalesOrderAdd></SalesOrderAddRq>",
        "VendorCreditAdd": f"<VendorCreditAddRq><VendorCreditAdd>{vref}{exp}</VendorCreditAdd></VendorCreditAddRq>",
        "CheckAdd": f"<CheckAddRq><CheckAdd><AccountRef><FullName>{bank}</FullName></AccountRef><PayeeEntityRef><ListID>{vend['ListID']}</ListID></PayeeEntityRef>{exp}</CheckAdd></CheckAddRq>",
        "CreditCardChargeAdd": f"<CreditCardChargeAddRq><CreditCardChargeAdd><AccountRef><FullName>{card}</FullName></AccountRef>{exp}</CreditCardChargeAdd></CreditCardChargeAddRq>",
        "CreditCardCreditAdd": f"<CreditCardCreditAddRq><CreditCardCreditAdd><AccountRef><FullName>{card}</FullName></AccountRef>{exp}</CreditCardCreditAdd></CreditCardCreditAddRq>",
        "DepositAdd": f"<DepositAddRq><DepositAdd><DepositToAccountRef><FullName>{bank}</FullName></DepositToAccountRef><DepositLineAdd><AccountRef><FullName>{income}</FullName></AccountRef><Amount>7.00</Amount></DepositLineAdd></DepositAdd></DepositAddRq>",
        "TransferAdd": f"<TransferAddRq><TransferAdd><TransferFromAccountRef><FullName>{bank}</FullName></TransferFromAccountRef><TransferToAccountRef><FullName>{card}</FullName></TransferToAccountRef><Amount>7.00</Amount></TransferAdd></TransferAddRq>",
    }


MORE = [
    "SalesReceiptAdd",
    "EstimateAdd",
    "SalesOrderAdd",
    "VendorCreditAdd",
    "CheckAdd",
    "CreditCardChargeAdd",
    "CreditCardCreditAdd",
    "DepositAdd",
    "TransferAdd",
]


@pytest.mark.parametrize("name", MORE)
@pytest.mark.parametrize("version", ["13.0", "16.0"])
def test_other_transaction_adds_work(name: str, version: str) -> None:
    comp = company(1)
    qb, ticket = session(comp)
    answer = qb.process_request(ticket, rq(_more_bodies(comp)[name], version))
    assert_valid(version, answer)
    rs = one(answer)
    assert status(rs) == 0, rs.get("statusMessage")
    ret = rs[0]
    totals = ("TotalAmount", "Amount", "Subtotal", "CreditAmount", "DepositTotal")
    total = next(t for name in totals if (t := ret.findtext(name)) is not None)
    assert total == "7.00", answer

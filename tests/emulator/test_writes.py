"""Writes as QuickBooks does them, then reads that return what was written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbd_emulator.processor import FakeQuickBooks
from tests.emulator.test_processor_support import (
    Clock,
    assert_valid,
    company,
    one,
    responses,
    rq,
    session,
    status,
)

Session = tuple[FakeQuickBooks, str]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def qb(clock: Clock) -> Session:
    return session(company(1), clock)


def call(s: Session, body: str, version: str = "16.0", **kw: str) -> str:
    answer = s[0].process_request(s[1], rq(body, version, **kw))
    assert_valid(version, answer)
    return answer


def test_customer_add_then_query_returns_it(qb: Session, clock: Clock) -> None:
    added = one(
        call(
            qb,
            '<CustomerAddRq requestID="r1"><CustomerAdd><Name>Zed Widgets</Name>'
            "<CompanyName>Zed Widgets LLC</CompanyName><BillAddress><Addr1>1 Main St</Addr1>"
            "<City>Reno</City></BillAddress><Email>z@example.com</Email>"
            "<OpenBalance>12.50</OpenBalance></CustomerAdd></CustomerAddRq>",
        )
    )
    assert status(added) == 0 and added.get("requestID") == "r1"
    list_id = added.findtext("CustomerRet/ListID")
    assert added.findtext("CustomerRet/TimeCreated") == clock.when.isoformat()
    assert added.findtext("CustomerRet/Balance") == "12.50"
    got = one(call(qb, f"<CustomerQueryRq><ListID>{list_id}</ListID></CustomerQueryRq>"))
    ret = got.find("CustomerRet")
    assert ret is not None
    assert ret.findtext("FullName") == "Zed Widgets"
    assert ret.findtext("BillAddress/City") == "Reno"
    assert ret.findtext("EditSequence") == added.findtext("CustomerRet/EditSequence")


def test_duplicate_name_is_3100(qb: Session) -> None:
    call(qb, "<CustomerAddRq><CustomerAdd><Name>Twice</Name></CustomerAdd></CustomerAddRq>")
    again = one(
        call(qb, "<CustomerAddRq><CustomerAdd><Name>Twice</Name></CustomerAdd></CustomerAddRq>")
    )
    assert status(again) == 3100
    assert again.get("statusMessage") == 'The name "Twice" of the list element is already in use.'


def test_mod_needs_the_current_edit_sequence(qb: Session, clock: Clock) -> None:
    ret = one(call(qb, "<VendorAddRq><VendorAdd><Name>Vee</Name></VendorAdd></VendorAddRq>")).find(
        "VendorRet"
    )
    assert ret is not None
    list_id, edit = ret.findtext("ListID"), ret.findtext("EditSequence")
    clock.tick()
    mod = one(
        call(
            qb,
            f"<VendorModRq><VendorMod><ListID>{list_id}</ListID><EditSequence>{edit}</EditSequence>"
            "<CompanyName>Vee Corp</CompanyName></VendorMod></VendorModRq>",
        )
    )
    assert status(mod) == 0 and mod.findtext("VendorRet/CompanyName") == "Vee Corp"
    assert mod.findtext("VendorRet/EditSequence") != edit
    assert mod.findtext("VendorRet/TimeModified") == clock.when.isoformat()
    stale = one(
        call(
            qb,
            f"<VendorModRq><VendorMod><ListID>{list_id}</ListID><EditSequence>{edit}</EditSequence>"
            "<CompanyName>Lost update</CompanyName></VendorMod></VendorModRq>",
        )
    )
    assert status(stale) == 3200 and stale.get("statusSeverity") == "Error"
    # the text QuickBooks sent in flowlink/quickbooks_desktop_integration's specs
    assert stale.get("statusMessage") == f'The provided edit sequence "{edit}" is out-of-date.'
    unknown = one(
        call(
            qb,
            "<VendorModRq><VendorMod><ListID>80000FFF-1111111111</ListID><EditSequence>1</EditSequence>"
            "</VendorMod></VendorModRq>",
        )
    )
    assert status(unknown) == 3120


def _customer(qb: Session) -> str:
    data = next(qb[0].company.iter_records("customers")).data
    return str(data["FullName"])


def _item(qb: Session) -> str:
    return next(
        str(r.data["FullName"])
        for r in qb[0].company.iter_records("items")
        if r.ret == "ItemServiceRet"
    )


def _invoice(qb: Session, customer: str, amount: str = "100.00") -> str:
    return call(
        qb,
        f"<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"<TxnDate>2024-06-20</TxnDate><InvoiceLineAdd><ItemRef><FullName>{_item(qb)}</FullName></ItemRef>"
        f"<Quantity>4</Quantity><Rate>{Decimal(amount) / 4}</Rate></InvoiceLineAdd>"
        "<InvoiceLineAdd><ItemRef><FullName>"
        + _item(qb)
        + "</FullName></ItemRef><Amount>0</Amount></InvoiceLineAdd>"
        "</InvoiceAdd></InvoiceAddRq>",
    )


def _balance(qb: Session, name: str) -> Decimal:
    record = qb[0].company.find_by_name("customers", name)
    assert record is not None
    return Decimal(str(record.data["Balance"]))


def test_invoice_add_payment_and_balances(qb: Session) -> None:
    customer = _customer(qb)
    before = _balance(qb, customer)
    inv = one(_invoice(qb, customer, "100.00"))
    assert status(inv) == 0, inv.get("statusMessage")
    txn_id = inv.findtext("InvoiceRet/TxnID")
    assert inv.findtext("InvoiceRet/Subtotal") == "100.00"
    assert inv.findtext("InvoiceRet/BalanceRemaining") == "100.00"
    assert len({x.findtext("TxnLineID") for x in inv.findall("InvoiceRet/InvoiceLineRet")}) == 2
    assert _balance(qb, customer) == before + 100
    pay = one(
        call(
            qb,
            f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
            f"<TotalAmount>60.00</TotalAmount><AppliedToTxnAdd><TxnID>{txn_id}</TxnID>"
            "<PaymentAmount>60.00</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>",
        )
    )
    assert status(pay) == 0, pay.get("statusMessage")
    assert pay.findtext("ReceivePaymentRet/AppliedToTxnRet/BalanceRemaining") == "40.00"
    after = one(
        call(
            qb,
            f"<InvoiceQueryRq><TxnID>{txn_id}</TxnID><IncludeLinkedTxns>true</IncludeLinkedTxns></InvoiceQueryRq>",
        )
    )
    assert after.findtext("InvoiceRet/BalanceRemaining") == "40.00"
    assert after.findtext("InvoiceRet/IsPaid") == "false"
    assert after.findtext("InvoiceRet/LinkedTxn/TxnID") == pay.findtext("ReceivePaymentRet/TxnID")
    assert _balance(qb, customer) == before + 40
    over = one(
        call(
            qb,
            f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
            f"<AppliedToTxnAdd><TxnID>{txn_id}</TxnID><PaymentAmount>41.00</PaymentAmount></AppliedToTxnAdd>"
            "</ReceivePaymentAdd></ReceivePaymentAddRq>",
        )
    )
    assert status(over) == 3210


def test_bad_reference_is_3140(qb: Session) -> None:
    bad = one(
        call(
            qb,
            "<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Nobody Here</FullName></CustomerRef>"
            f"<InvoiceLineAdd><ItemRef><FullName>{_item(qb)}</FullName></ItemRef><Amount>1</Amount></InvoiceLineAdd>"
            "</InvoiceAdd></InvoiceAddRq>",
        )
    )
    assert status(bad) == 3140
    assert "Nobody Here" in bad.get("statusMessage", "")


def test_invoice_mod_replaces_lines_and_keeps_payments(qb: Session, clock: Clock) -> None:
    customer = _customer(qb)
    inv = one(_invoice(qb, customer, "100.00")).find("InvoiceRet")
    assert inv is not None
    txn_id, edit = inv.findtext("TxnID"), inv.findtext("EditSequence")
    first_line = inv.findtext("InvoiceLineRet/TxnLineID")
    clock.tick()
    mod = one(
        call(
            qb,
            f"<InvoiceModRq><InvoiceMod><TxnID>{txn_id}</TxnID><EditSequence>{edit}</EditSequence>"
            f"<Memo>changed</Memo><InvoiceLineMod><TxnLineID>{first_line}</TxnLineID><Amount>250.00</Amount></InvoiceLineMod>"
            "</InvoiceMod></InvoiceModRq>",
        )
    )
    assert status(mod) == 0, mod.get("statusMessage")
    assert mod.findtext("InvoiceRet/Memo") == "changed"
    assert mod.findtext("InvoiceRet/Subtotal") == "250.00"
    assert [x.findtext("TxnLineID") for x in mod.findall("InvoiceRet/InvoiceLineRet")] == [
        first_line
    ]


def test_bill_and_bill_payment_check(qb: Session) -> None:
    company_file = qb[0].company
    vendor = str(next(company_file.iter_records("vendors")).data["Name"])
    expense = next(
        str(r.data["FullName"])
        for r in company_file.iter_records("accounts")
        if r.data.get("AccountType") == "Expense"
    )
    bank = next(
        str(r.data["FullName"])
        for r in company_file.iter_records("accounts")
        if r.data.get("AccountType") == "Bank"
    )
    bill = one(
        call(
            qb,
            f"<BillAddRq><BillAdd><VendorRef><FullName>{vendor}</FullName></VendorRef><RefNumber>B-1</RefNumber>"
            f"<ExpenseLineAdd><AccountRef><FullName>{expense}</FullName></AccountRef><Amount>80.00</Amount></ExpenseLineAdd>"
            "</BillAdd></BillAddRq>",
        )
    )
    assert status(bill) == 0, bill.get("statusMessage")
    assert (
        bill.findtext("BillRet/AmountDue") == "80.00"
        and bill.findtext("BillRet/OpenAmount") == "80.00"
    )
    txn_id = bill.findtext("BillRet/TxnID")
    pay = one(
        call(
            qb,
            f"<BillPaymentCheckAddRq><BillPaymentCheckAdd><PayeeEntityRef><FullName>{vendor}</FullName></PayeeEntityRef>"
            f"<BankAccountRef><FullName>{bank}</FullName></BankAccountRef><IsToBePrinted>true</IsToBePrinted>"
            f"<AppliedToTxnAdd><TxnID>{txn_id}</TxnID><PaymentAmount>80.00</PaymentAmount></AppliedToTxnAdd>"
            "</BillPaymentCheckAdd></BillPaymentCheckAddRq>",
        )
    )
    assert status(pay) == 0, pay.get("statusMessage")
    assert pay.findtext("BillPaymentCheckRet/Amount") == "80.00"
    paid = one(call(qb, f"<BillQueryRq><TxnID>{txn_id}</TxnID></BillQueryRq>"))
    assert (
        paid.findtext("BillRet/IsPaid") == "true" and paid.findtext("BillRet/OpenAmount") == "0.00"
    )


def test_journal_entry_must_balance(qb: Session) -> None:
    accounts = [str(r.data["FullName"]) for r in qb[0].company.iter_records("accounts")][:2]

    def entry(debit: str, credit: str) -> str:
        return (
            f"<JournalEntryAddRq><JournalEntryAdd><TxnDate>2024-06-01</TxnDate>"
            f"<JournalDebitLine><AccountRef><FullName>{accounts[0]}</FullName></AccountRef><Amount>{debit}</Amount></JournalDebitLine>"
            f"<JournalCreditLine><AccountRef><FullName>{accounts[1]}</FullName></AccountRef><Amount>{credit}</Amount></JournalCreditLine>"
            "</JournalEntryAdd></JournalEntryAddRq>"
        )

    good = one(call(qb, entry("10.00", "10.00")))
    assert status(good) == 0 and good.find("JournalEntryRet/JournalDebitLine/TxnLineID") is not None
    assert status(one(call(qb, entry("10.00", "9.99")))) != 0


def test_other_adds(qb: Session) -> None:
    income = next(
        str(r.data["FullName"])
        for r in qb[0].company.iter_records("accounts")
        if r.data.get("AccountType") == "Income"
    )
    vendor = str(next(qb[0].company.iter_records("vendors")).data["Name"])
    for body in (
        "<AccountAddRq><AccountAdd><Name>Fresh Bank</Name><AccountType>Bank</AccountType></AccountAdd></AccountAddRq>",
        f"<ItemServiceAddRq><ItemServiceAdd><Name>Consulting X</Name><SalesOrPurchase><Price>90.00</Price>"
        f"<AccountRef><FullName>{income}</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>",
        f"<ItemNonInventoryAddRq><ItemNonInventoryAdd><Name>Widget X</Name><SalesOrPurchase><Price>5.00</Price>"
        f"<AccountRef><FullName>{income}</FullName></AccountRef></SalesOrPurchase></ItemNonInventoryAdd></ItemNonInventoryAddRq>",
        f"<CreditMemoAddRq><CreditMemoAdd><CustomerRef><FullName>{_customer(qb)}</FullName></CustomerRef>"
        f"<CreditMemoLineAdd><ItemRef><FullName>{_item(qb)}</FullName></ItemRef><Amount>5.00</Amount></CreditMemoLineAdd></CreditMemoAdd></CreditMemoAddRq>",
        f"<PurchaseOrderAddRq><PurchaseOrderAdd><VendorRef><FullName>{vendor}</FullName></VendorRef>"
        f"<PurchaseOrderLineAdd><ItemRef><FullName>{_item(qb)}</FullName></ItemRef><Quantity>3</Quantity><Rate>2.50</Rate></PurchaseOrderLineAdd>"
        "</PurchaseOrderAdd></PurchaseOrderAddRq>",
    ):
        for version in ("13.0", "16.0"):
            rs = one(
                call(
                    qb,
                    body.replace("X<", f"X{version}<").replace(
                        "Fresh Bank", f"Fresh Bank {version}"
                    ),
                    version,
                )
            )
            assert status(rs) == 0, (body, rs.get("statusMessage"))


def test_delete_void_and_deleted_queries(qb: Session, clock: Clock) -> None:
    customer = _customer(qb)
    txn_id = one(_invoice(qb, customer)).findtext("InvoiceRet/TxnID")
    clock.tick()
    voided = one(
        call(
            qb, f"<TxnVoidRq><TxnVoidType>Invoice</TxnVoidType><TxnID>{txn_id}</TxnID></TxnVoidRq>"
        )
    )
    assert status(voided) == 0
    after = one(call(qb, f"<InvoiceQueryRq><TxnID>{txn_id}</TxnID></InvoiceQueryRq>"))
    assert after.findtext("InvoiceRet/Subtotal") == "0.00"
    assert (after.findtext("InvoiceRet/Memo") or "").startswith("VOID:")
    deleted = one(
        call(qb, f"<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>{txn_id}</TxnID></TxnDelRq>")
    )
    assert status(deleted) == 0 and deleted.findtext("TxnID") == txn_id
    assert (
        status(one(call(qb, f"<InvoiceQueryRq><TxnID>{txn_id}</TxnID></InvoiceQueryRq>"))) == 3120
    )
    gone = one(call(qb, "<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType></TxnDeletedQueryRq>"))
    assert txn_id in [r.findtext("TxnID") for r in gone]
    new = one(
        call(
            qb, "<CustomerAddRq><CustomerAdd><Name>Short Lived</Name></CustomerAdd></CustomerAddRq>"
        )
    )
    list_id = new.findtext("CustomerRet/ListID")
    assert (
        status(
            one(
                call(
                    qb,
                    f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{list_id}</ListID></ListDelRq>",
                )
            )
        )
        == 0
    )
    listed = one(
        call(qb, "<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>")
    )
    assert list_id in [r.findtext("ListID") for r in listed]
    other = next(r.data for r in qb[0].company.iter_records("invoices"))
    used = qb[0].company.get("customers", str(other["CustomerRef"]["ListID"]))  # type: ignore[index]
    in_use = one(
        call(
            qb,
            f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{used.data['ListID']}</ListID></ListDelRq>",
        )
    )
    assert status(in_use) == 3170


def test_deleted_queries_look_back_90_days_only(qb: Session, clock: Clock) -> None:
    new = one(
        call(
            qb, "<CustomerAddRq><CustomerAdd><Name>Old Delete</Name></CustomerAdd></CustomerAddRq>"
        )
    )
    call(
        qb,
        f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{new.findtext('CustomerRet/ListID')}</ListID></ListDelRq>",
    )
    query = "<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>"
    clock.tick(89 * 86400)
    assert new.findtext("CustomerRet/ListID") in [
        r.findtext("ListID") for r in one(call(qb, query))
    ]
    clock.tick(2 * 86400)
    listed = one(call(qb, query))
    assert new.findtext("CustomerRet/ListID") not in [r.findtext("ListID") for r in listed]


@pytest.mark.parametrize(("on_error", "expected"), [("stopOnError", 2), ("continueOnError", 3)])
def test_on_error(qb: Session, on_error: str, expected: int) -> None:
    answer = call(
        qb,
        '<CustomerAddRq requestID="1"><CustomerAdd><Name>E1</Name></CustomerAdd></CustomerAddRq>'
        '<CustomerAddRq requestID="2"><CustomerAdd><Name>E1</Name></CustomerAdd></CustomerAddRq>'
        '<CustomerAddRq requestID="3"><CustomerAdd><Name>E3</Name></CustomerAdd></CustomerAddRq>',
        on_error=on_error,
    )
    found = responses(answer)
    assert [r.get("requestID") for r in found] == ["1", "2", "3"][:expected]
    assert [status(r) for r in found] == [0, 3100, 0][:expected]
    assert (qb[0].company.find_by_name("customers", "E3") is not None) == (expected == 3)


def test_data_ext_file_id(qb: Session) -> None:
    owner = "{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}"
    body = (
        f"<DataExtAddRq><DataExtAdd><OwnerID>{owner}</OwnerID><DataExtName>FileID</DataExtName>"
        "<OtherDataExtType>Company</OtherDataExtType><DataExtValue>{abc}</DataExtValue></DataExtAdd></DataExtAddRq>"
    )
    assert status(one(call(qb, body))) == 0
    assert status(one(call(qb, body))) != 0
    mod = body.replace("DataExtAdd", "DataExtMod").replace("{abc}", "{def}")
    assert status(one(call(qb, mod))) == 0
    got = one(call(qb, f"<CompanyQueryRq><OwnerID>{owner}</OwnerID></CompanyQueryRq>"))
    assert got.findtext("CompanyRet/DataExtRet/DataExtValue") == "{def}"


def test_model_errors_are_worded_as_quickbooks_words_them(qb: Session) -> None:
    bad = one(
        call(
            qb,
            "<SalesOrderAddRq><SalesOrderAdd><CustomerRef><FullName>Joe Smith</FullName></CustomerRef>"
            f"<SalesOrderLineAdd><ItemRef><FullName>{_item(qb)}</FullName></ItemRef><Amount>1</Amount></SalesOrderLineAdd>"
            "</SalesOrderAdd></SalesOrderAddRq>",
        )
    )
    assert status(bad) == 3140
    assert bad.get("statusMessage") == (
        'There is an invalid reference to QuickBooks Customer "Joe Smith" in the SalesOrder.  '
        "QuickBooks error message: Invalid argument.  The specified record does not exist in the list."
    )


def test_response_data_include_none(qb: Session) -> None:
    answer = call(
        qb,
        "<CustomerAddRq><CustomerAdd><Name>Quiet Co</Name></CustomerAdd></CustomerAddRq>",
        msgs_attrs=' responseData="includeNone"',
    )
    rs = one(answer)
    assert status(rs) == 0 and len(rs) == 0
    assert qb[0].company.find_by_name("customers", "Quiet Co") is not None


def test_deleting_a_payment_reopens_the_invoice(qb: Session) -> None:
    customer = _customer(qb)
    before = _balance(qb, customer)
    txn_id = one(_invoice(qb, customer, "50.00")).findtext("InvoiceRet/TxnID")
    pay = one(
        call(
            qb,
            f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
            f"<AppliedToTxnAdd><TxnID>{txn_id}</TxnID><PaymentAmount>50.00</PaymentAmount></AppliedToTxnAdd>"
            "</ReceivePaymentAdd></ReceivePaymentAddRq>",
        )
    )
    pay_id = pay.findtext("ReceivePaymentRet/TxnID")
    assert _balance(qb, customer) == before
    refused = one(
        call(qb, f"<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>{txn_id}</TxnID></TxnDelRq>")
    )
    assert status(refused) == 3170
    assert (
        status(
            one(
                call(
                    qb,
                    f"<TxnDelRq><TxnDelType>ReceivePayment</TxnDelType><TxnID>{pay_id}</TxnID></TxnDelRq>",
                )
            )
        )
        == 0
    )
    reopened = one(
        call(
            qb,
            f"<InvoiceQueryRq><TxnID>{txn_id}</TxnID><IncludeLinkedTxns>true</IncludeLinkedTxns></InvoiceQueryRq>",
        )
    )
    assert reopened.findtext("InvoiceRet/BalanceRemaining") == "50.00"
    assert reopened.findtext("InvoiceRet/IsPaid") == "false"
    assert reopened.find("InvoiceRet/LinkedTxn") is None
    assert _balance(qb, customer) == before + 50


def test_too_long_text_is_a_status_not_a_crash(qb: Session) -> None:
    rs = one(
        call(
            qb, f"<CustomerAddRq><CustomerAdd><Name>{'N' * 42}</Name></CustomerAdd></CustomerAddRq>"
        )
    )
    assert status(rs) == 3070


def _balances(comp) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    return {
        str(r.data["ListID"]): (r.data.get("Balance"), r.data.get("TotalBalance"))
        for key in ("customers", "vendors")
        for r in comp.iter_records(key)
    }


def _recomputed(comp) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    import copy

    from qbd_emulator.company.balances import recompute_balances

    twin = copy.deepcopy(comp)
    recompute_balances(twin)
    return _balances(twin)


def test_balances_stay_consistent_through_writes(qb: Session) -> None:
    comp = qb[0].company
    assert _balances(comp) == _recomputed(comp), "the generated file itself is inconsistent"
    customer = _customer(qb)
    vendor = str(next(comp.iter_records("vendors")).data["Name"])
    expense = next(
        str(r.data["FullName"])
        for r in comp.iter_records("accounts")
        if r.data.get("AccountType") == "Expense"
    )
    bank = next(
        str(r.data["FullName"])
        for r in comp.iter_records("accounts")
        if r.data.get("AccountType") == "Bank"
    )
    inv = one(_invoice(qb, customer, "120.00")).findtext("InvoiceRet/TxnID")
    inv2 = one(_invoice(qb, customer, "40.00")).findtext("InvoiceRet/TxnID")
    call(
        qb,
        f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"<TotalAmount>100.00</TotalAmount><AppliedToTxnAdd><TxnID>{inv}</TxnID><PaymentAmount>70.00</PaymentAmount>"
        "</AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>",
    )
    call(
        qb,
        f"<CreditMemoAddRq><CreditMemoAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"<CreditMemoLineAdd><ItemRef><FullName>{_item(qb)}</FullName></ItemRef><Amount>15.00</Amount></CreditMemoLineAdd>"
        "</CreditMemoAdd></CreditMemoAddRq>",
    )
    call(qb, f"<TxnVoidRq><TxnVoidType>Invoice</TxnVoidType><TxnID>{inv2}</TxnID></TxnVoidRq>")
    bill = one(
        call(
            qb,
            f"<BillAddRq><BillAdd><VendorRef><FullName>{vendor}</FullName></VendorRef>"
            f"<ExpenseLineAdd><AccountRef><FullName>{expense}</FullName></AccountRef><Amount>33.00</Amount></ExpenseLineAdd>"
            "</BillAdd></BillAddRq>",
        )
    ).findtext("BillRet/TxnID")
    call(
        qb,
        f"<BillPaymentCheckAddRq><BillPaymentCheckAdd><PayeeEntityRef><FullName>{vendor}</FullName></PayeeEntityRef>"
        f"<BankAccountRef><FullName>{bank}</FullName></BankAccountRef><IsToBePrinted>true</IsToBePrinted>"
        f"<AppliedToTxnAdd><TxnID>{bill}</TxnID><PaymentAmount>13.00</PaymentAmount></AppliedToTxnAdd>"
        "</BillPaymentCheckAdd></BillPaymentCheckAddRq>",
    )
    assert _balances(comp) == _recomputed(comp)


def _parsed_ret(answer: str) -> dict:  # type: ignore[type-arg]
    from connector.qbxml.parse import parse_response
    from connector.qbxml.values import Record

    (record,) = [e for e in parse_response(answer) if isinstance(e, Record)]
    return record.data


def test_what_an_add_returns_is_what_a_query_reads(qb: Session) -> None:
    customer = _customer(qb)
    added = _parsed_ret(_invoice(qb, customer, "64.00"))
    read = _parsed_ret(
        call(
            qb,
            f"<InvoiceQueryRq><TxnID>{added['TxnID']}</TxnID><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>",
        )
    )
    assert read == added
    cust = _parsed_ret(
        call(
            qb,
            "<CustomerAddRq><CustomerAdd><Name>Round Trip</Name>"
            "<BillAddress><Addr1>9 Elm</Addr1></BillAddress><Phone>555-0199</Phone></CustomerAdd></CustomerAddRq>",
        )
    )
    again = _parsed_ret(
        call(qb, "<CustomerQueryRq><FullName>Round Trip</FullName></CustomerQueryRq>")
    )
    assert again == cust and again["Phone"] == "555-0199"


def test_bill_payment_by_credit_card(qb: Session) -> None:
    comp = qb[0].company
    bill = next(r.data for r in comp.iter_records("bills") if r.data.get("OpenAmount", 0) > 0)
    card = next(
        str(r.data["FullName"])
        for r in comp.iter_records("accounts")
        if r.data.get("AccountType") == "CreditCard"
    )
    rs = one(
        call(
            qb,
            "<BillPaymentCreditCardAddRq><BillPaymentCreditCardAdd>"
            f"<PayeeEntityRef><ListID>{bill['VendorRef']['ListID']}</ListID></PayeeEntityRef>"
            f"<CreditCardAccountRef><FullName>{card}</FullName></CreditCardAccountRef>"
            f"<AppliedToTxnAdd><TxnID>{bill['TxnID']}</TxnID><PaymentAmount>{bill['OpenAmount']}</PaymentAmount></AppliedToTxnAdd>"
            "</BillPaymentCreditCardAdd></BillPaymentCreditCardAddRq>",
        )
    )
    assert status(rs) == 0, rs.get("statusMessage")
    assert comp.get("bills", bill["TxnID"]).data["IsPaid"] is True


def test_include_ret_element_on_writes(qb: Session) -> None:
    rs = one(
        call(
            qb,
            "<CustomerAddRq><CustomerAdd><Name>Slim Co</Name><Phone>555</Phone></CustomerAdd>"
            "<IncludeRetElement>ListID</IncludeRetElement><IncludeRetElement>Name</IncludeRetElement></CustomerAddRq>",
        )
    )
    assert [c.tag for c in rs.find("CustomerRet")] == ["ListID", "Name"]  # type: ignore[union-attr]


def test_a_request_id_over_50_characters_is_status_1060(qb: Session) -> None:
    long_id, ok_id = "r" * 51, "r" * 50
    answer = call(
        qb,
        f'<CustomerAddRq requestID="{ok_id}"><CustomerAdd><Name>Id Ok</Name></CustomerAdd></CustomerAddRq>'
        f'<CustomerAddRq requestID="{long_id}"><CustomerAdd><Name>Id Long</Name></CustomerAdd></CustomerAddRq>',
        on_error="continueOnError",
    )
    assert_valid("16.0", answer)
    ok, refused = responses(answer)
    assert status(ok) == 0 and ok.get("requestID") == ok_id
    assert status(refused) == 1060 and refused.get("requestID") == long_id
    assert refused.get("statusSeverity") == "Error"
    assert "maximum is 50 characters" in str(refused.get("statusMessage"))
    assert qb[0].company.find_by_name("customers", "Id Long") is None


def test_a_parent_that_names_nothing_is_3130(qb: Session) -> None:
    """Real text: hotglue customer-batch-mixed (reference/responses)."""
    bad = one(
        call(
            qb,
            "<CustomerAddRq><CustomerAdd><Name>Kitchen</Name>"
            "<ParentRef><FullName>Nobody Here</FullName></ParentRef></CustomerAdd></CustomerAddRq>",
        )
    )
    assert status(bad) == 3130
    assert bad.get("statusMessage", "").startswith(
        'There is an invalid reference to a parent "Nobody Here" in the Customers list.'
    )


def test_a_record_cannot_be_its_own_parent(qb: Session) -> None:
    added = one(
        call(qb, "<CustomerAddRq><CustomerAdd><Name>Loop</Name></CustomerAdd></CustomerAddRq>")
    )
    list_id, edit = added.findtext("CustomerRet/ListID"), added.findtext("CustomerRet/EditSequence")
    bad = one(
        call(
            qb,
            f"<CustomerModRq><CustomerMod><ListID>{list_id}</ListID><EditSequence>{edit}"
            f"</EditSequence><ParentRef><ListID>{list_id}</ListID></ParentRef></CustomerMod>"
            "</CustomerModRq>",
        )
    )
    assert status(bad) == 3140
    assert bad.get("statusMessage", "").startswith(
        f'There is an invalid reference to QuickBooks Parent "{list_id}": '
        "a record cannot be its own parent in the Customer.  QuickBooks error message:"
    )

"""The company model's write rules: IDs, times, EditSequence, names, refs, deletions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from qbd_emulator.company import CompanyFile, DeletedKind, HostInfo
from qbd_emulator.company.balances import application, apply_payment
from qbd_emulator.company.ids import LIST_ID_RE, TXN_ID_RE, IdCounters, edit_sequence
from qbd_emulator.errors import (
    DuplicateNameError,
    InvalidReferenceError,
    ObjectNotFoundError,
    OverpaymentError,
    StaleEditSequenceError,
    StatusError,
)

TZ = timezone(timedelta(hours=-8))
T0 = datetime(2024, 3, 5, 10, 0, 0, tzinfo=TZ)


@pytest.fixture
def company() -> CompanyFile:
    return CompanyFile(company_info={"CompanyName": "Acme"}, preferences={})


def customer(company: CompanyFile, name: str, **extra: object) -> str:
    record = company.add("customers", "CustomerRet", {"Name": name, **extra}, T0)  # type: ignore[dict-item]
    return str(record.data["ListID"])


def test_add_assigns_ids_times_and_edit_sequence(company: CompanyFile) -> None:
    data = company.add("customers", "CustomerRet", {"Name": "Bob", "IsActive": True}, T0).data
    assert LIST_ID_RE.match(str(data["ListID"]))
    assert data["TimeCreated"] == data["TimeModified"] == T0
    assert data["EditSequence"] == str(int(T0.timestamp()))
    assert list(data)[:8] == [
        "ListID",
        "TimeCreated",
        "TimeModified",
        "EditSequence",
        "Name",
        "FullName",
        "IsActive",
        "Sublevel",
    ]


def test_txn_add_assigns_txn_id_and_numbers(company: CompanyFile) -> None:
    bob = customer(company, "Bob")
    first = company.add("invoices", "InvoiceRet", {"CustomerRef": {"ListID": bob}}, T0).data
    second = company.add("invoices", "InvoiceRet", {"CustomerRef": {"FullName": "bob"}}, T0).data
    assert TXN_ID_RE.match(str(first["TxnID"])) and first["TxnID"] != second["TxnID"]
    assert (first["TxnNumber"], second["TxnNumber"]) == (1, 2)
    assert second["CustomerRef"] == {"ListID": bob, "FullName": "Bob"}


def test_ids_never_repeat_and_are_shaped_like_quickbooks() -> None:
    counters = IdCounters()
    ids = {counters.list_id(T0) for _ in range(1000)}
    assert len(ids) == 1000
    assert min(ids) == f"80000001-{int(T0.timestamp())}"
    assert counters.txn_id(T0) == f"1-{int(T0.timestamp())}"


def test_edit_sequence_always_changes() -> None:
    first = edit_sequence(T0)
    assert edit_sequence(T0, first) != first
    assert int(edit_sequence(T0 - timedelta(hours=1), first)) > int(first)


def test_modify_needs_the_current_edit_sequence(company: CompanyFile) -> None:
    bob = customer(company, "Bob")
    old = str(company.get("customers", bob).data["EditSequence"])
    later = T0 + timedelta(minutes=5)
    data = company.modify("customers", bob, {"Phone": "555-0100"}, old, later).data
    assert data["Phone"] == "555-0100" and data["TimeModified"] == later
    assert data["EditSequence"] != old and data["TimeCreated"] == T0
    with pytest.raises(StaleEditSequenceError) as info:
        company.modify("customers", bob, {"Phone": "555-0199"}, old, later)
    assert info.value.code == 3200 and old in info.value.message


def test_same_second_modifications_get_new_edit_sequences(company: CompanyFile) -> None:
    bob = customer(company, "Bob")
    seen = {str(company.get("customers", bob).data["EditSequence"])}
    for _ in range(3):
        current = str(company.get("customers", bob).data["EditSequence"])
        seen.add(str(company.touch("customers", bob, T0).data["EditSequence"]))
        assert current in seen
    assert len(seen) == 4


@pytest.mark.parametrize(
    ("key", "ret"),
    [
        pytest.param("customers", "CustomerRet", id="customer-vs-customer"),
        pytest.param("vendors", "VendorRet", id="vendor-vs-customer"),
        pytest.param("employees", "EmployeeRet", id="employee-vs-customer"),
    ],
)
def test_duplicate_names_are_refused_across_name_lists(
    company: CompanyFile, key: str, ret: str
) -> None:
    customer(company, "Bob Smith")
    with pytest.raises(DuplicateNameError) as info:
        company.add(key, ret, {"Name": "BOB SMITH"}, T0)
    assert info.value.code == 3100


def test_items_have_their_own_namespace(company: CompanyFile) -> None:
    customer(company, "Widget")
    company.add("items", "ItemServiceRet", {"Name": "Widget"}, T0)
    with pytest.raises(DuplicateNameError):
        company.add("items", "ItemNonInventoryRet", {"Name": "widget"}, T0)


def test_rename_to_a_taken_name_is_refused(company: CompanyFile) -> None:
    customer(company, "Ann")
    bob = customer(company, "Bob")
    edit = str(company.get("customers", bob).data["EditSequence"])
    with pytest.raises(DuplicateNameError):
        company.modify("customers", bob, {"Name": "Ann"}, edit, T0)


def test_jobs_get_full_name_and_follow_a_renamed_parent(company: CompanyFile) -> None:
    bob = customer(company, "Bob")
    job = customer(company, "Kitchen", ParentRef={"ListID": bob})
    assert company.get("customers", job).data["FullName"] == "Bob:Kitchen"
    assert company.get("customers", job).data["Sublevel"] == 1
    assert company.find_by_name("customers", "bob:kitchen") is not None
    edit = str(company.get("customers", bob).data["EditSequence"])
    company.modify("customers", bob, {"Name": "Robert"}, edit, T0 + timedelta(hours=1))
    assert company.get("customers", job).data["FullName"] == "Robert:Kitchen"
    assert company.find_by_name("customers", "Robert:Kitchen") is not None
    assert company.find_by_name("customers", "Bob:Kitchen") is None


@pytest.mark.parametrize(
    "ref",
    [
        pytest.param({"ListID": "80000999-1234567890"}, id="unknown-list-id"),
        pytest.param({"FullName": "Nobody"}, id="unknown-name"),
    ],
)
def test_bad_references_are_refused(company: CompanyFile, ref: dict[str, str]) -> None:
    with pytest.raises(InvalidReferenceError) as info:
        company.add("invoices", "InvoiceRet", {"CustomerRef": ref}, T0)
    assert info.value.code == 3140


def test_a_ref_must_name_the_right_kind(company: CompanyFile) -> None:
    vendor = company.add("vendors", "VendorRet", {"Name": "Supplier"}, T0).data["ListID"]
    with pytest.raises(InvalidReferenceError):
        company.add("invoices", "InvoiceRet", {"CustomerRef": {"ListID": vendor}}, T0)


def test_refs_inside_lines_are_resolved(company: CompanyFile) -> None:
    company.add("items", "ItemServiceRet", {"Name": "Labor"}, T0)
    bob = customer(company, "Bob")
    line = {"TxnLineID": "1-1234567890", "ItemRef": {"FullName": "Labor"}}
    data = company.add(
        "invoices", "InvoiceRet", {"CustomerRef": {"ListID": bob}, "InvoiceLineRet": [line]}, T0
    ).data
    lines = data["InvoiceLineRet"]
    assert isinstance(lines, list) and isinstance(lines[0], dict)
    item_ref = lines[0]["ItemRef"]
    assert isinstance(item_ref, dict) and LIST_ID_RE.match(str(item_ref["ListID"]))
    assert line["ItemRef"] == {"FullName": "Labor"}  # the caller's value is not changed


def test_unknown_ids_and_delete(company: CompanyFile) -> None:
    bob = customer(company, "Bob")
    with pytest.raises(ObjectNotFoundError) as info:
        company.get("customers", "80000999-1234567890")
    assert info.value.code == 3120
    later = T0 + timedelta(days=1)
    entry = company.delete("customers", bob, later)
    assert (entry.kind, entry.del_type, entry.name) == (DeletedKind.LIST, "Customer", "Bob")
    assert (entry.time_created, entry.time_deleted) == (T0, later)
    assert company.deleted == [entry] and company.count("customers") == 0
    customer(company, "Bob")  # the name is free again
    with pytest.raises(ObjectNotFoundError):
        company.delete("customers", bob, later)


def test_sales_tax_items_are_a_view_of_items(company: CompanyFile) -> None:
    company.add("items", "ItemServiceRet", {"Name": "Labor"}, T0)
    tax = company.add("sales_tax_items", "ItemSalesTaxRet", {"Name": "CA"}, T0)
    assert [r.ret for r in company.iter_records("items")] == ["ItemServiceRet", "ItemSalesTaxRet"]
    assert [r.ret for r in company.iter_records("sales_tax_items")] == ["ItemSalesTaxRet"]
    assert company.get("sales_tax_items", str(tax.data["ListID"])) is tax
    assert company.counts()["items"] == 2 and company.counts()["sales_tax_items"] == 1


def test_wrong_ret_for_key_is_a_programming_error(company: CompanyFile) -> None:
    with pytest.raises(ValueError, match="not a record of customers"):
        company.add("customers", "VendorRet", {"Name": "X"}, T0)


def test_naive_now_is_refused(company: CompanyFile) -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        company.add("customers", "CustomerRet", {"Name": "X"}, datetime(2024, 1, 1))


def test_host_ret_shape() -> None:
    ret = HostInfo().as_ret()
    assert list(ret)[:4] == ["ProductName", "MajorVersion", "MinorVersion", "Country"]
    versions = ret["SupportedQBXMLVersion"]
    assert isinstance(versions, list) and versions[0] == "1.0" and versions[-1] == "16.0"


def test_payment_application_updates_invoice_and_customer(company: CompanyFile) -> None:
    bob = customer(company, "Bob", Balance=Decimal("0.00"), TotalBalance=Decimal("0.00"))
    invoice = company.add(
        "invoices",
        "InvoiceRet",
        {
            "CustomerRef": {"ListID": bob},
            "TxnDate": T0.date(),
            "RefNumber": "1001",
            "AppliedAmount": Decimal("0.00"),
            "BalanceRemaining": Decimal("100.00"),
            "IsPaid": False,
        },
        T0,
    )
    with pytest.raises(OverpaymentError) as info:
        application(invoice, Decimal("100.01"))
    assert isinstance(info.value, StatusError) and info.value.code == 3210
    applied = application(invoice, Decimal("40.00"))
    assert applied["BalanceRemaining"] == Decimal("60.00")
    later = T0 + timedelta(days=3)
    payment = company.add(
        "receive_payments",
        "ReceivePaymentRet",
        {
            "CustomerRef": {"ListID": bob},
            "TxnDate": later.date(),
            "TotalAmount": Decimal("40.00"),
            "AppliedToTxnRet": [applied],
        },
        later,
    )
    apply_payment(company, payment, later)
    data = invoice.data
    assert (data["BalanceRemaining"], data["AppliedAmount"]) == (
        Decimal("60.00"),
        Decimal("-40.00"),
    )
    assert data["IsPaid"] is False and data["TimeModified"] == later
    links = data["LinkedTxn"]
    assert isinstance(links, list) and isinstance(links[0], dict)
    assert links[0]["TxnType"] == "ReceivePayment" and links[0]["Amount"] == Decimal("-40.00")
    assert company.get("customers", bob).data["Balance"] == Decimal("-40.00")


def test_modify_cannot_overwrite_what_quickbooks_assigns(company: CompanyFile) -> None:
    bob = customer(company, "Bob")
    edit = str(company.get("customers", bob).data["EditSequence"])
    forged = {"ListID": "80000999-1234567890", "TimeCreated": T0 - timedelta(days=9)}
    later = T0 + timedelta(minutes=1)
    data = company.modify("customers", bob, forged | {"EditSequence": "1"}, edit, later).data
    assert data["ListID"] == bob and data["TimeCreated"] == T0
    assert data["EditSequence"] not in (edit, "1") and data["TimeModified"] == later


def test_a_record_cannot_become_its_own_ancestor(company: CompanyFile) -> None:
    bob = customer(company, "Bob")
    job = customer(company, "Kitchen", ParentRef={"ListID": bob})
    edit = str(company.get("customers", bob).data["EditSequence"])
    for parent in (bob, job):
        with pytest.raises(InvalidReferenceError):
            company.modify("customers", bob, {"ParentRef": {"ListID": parent}}, edit, T0)
    assert company.get("customers", bob).data["FullName"] == "Bob"


def test_a_refused_add_does_not_use_up_an_id(company: CompanyFile) -> None:
    customer(company, "Bob")
    with pytest.raises(DuplicateNameError):
        customer(company, "Bob")
    assert company.counters.next_list == 0x80000003 - 1

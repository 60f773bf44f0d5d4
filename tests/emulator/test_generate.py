"""The generated company file is deterministic and consistent the way a real one is."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from connector.qbxml.datatypes import DATA_TYPES, Kind
from connector.qbxml.schema import ContentModel, Schema
from connector.qbxml.values import RecordData, Value
from qbd_emulator.company import CompanyFile, StoredRecord, name_of, storage_key
from qbd_emulator.company.balances import OPEN_AMOUNTS
from qbd_emulator.company.ids import EDIT_SEQUENCE_RE, LIST_ID_RE, TXN_ID_RE
from qbd_emulator.company.refs import REF_TARGETS, iter_refs
from qbd_emulator.generate import SIZES, generate, parse_size
from qbd_emulator.generate.finish import DEBIT_NORMAL
from qbd_emulator.generate.gen import NOW, local

ZERO = Decimal("0.00")
RECORD_TYPES = [d for d in DATA_TYPES if d.kind in (Kind.LIST, Kind.TXN)]


@pytest.fixture(scope="module")
def small() -> CompanyFile:
    return generate(7, "small")


def records(company: CompanyFile, key: str) -> list[StoredRecord]:
    return list(company.iter_records(key))


def dec(value: Value | None) -> Decimal:
    assert isinstance(value, Decimal), value
    return value


def rows(value: Value | None) -> list[RecordData]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# ---- determinism and size --------------------------------------------------------------


def test_same_seed_gives_identical_file() -> None:
    assert generate(11, "tiny") == generate(11, "tiny")


def test_other_seed_gives_other_file() -> None:
    one, two = generate(11, "tiny"), generate(12, "tiny")
    assert one != two
    assert one.company_info["CompanyName"] != two.company_info["CompanyName"]


@pytest.mark.parametrize(("size", "expected"), [("small", 2000), (500, 500), (1234, 1234)])
def test_sizes_are_exact_record_counts(size: str | int, expected: int) -> None:
    company = generate(3, size)
    total = sum(n for key, n in company.counts().items() if key != "sales_tax_items")
    assert total == expected, company.counts()


def test_tiny_is_about_a_hundred() -> None:
    company = generate(3, "tiny")
    total = sum(n for key, n in company.counts().items() if key != "sales_tax_items")
    assert 100 <= total <= 120, company.counts()


@pytest.mark.parametrize("bad", ["huge", "0", "", "-5"])
def test_bad_size_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(bad)


def test_named_sizes() -> None:
    assert SIZES == {"tiny": 100, "small": 2_000, "medium": 50_000, "large": 500_000}


@pytest.mark.parametrize("seed", [1, 2])
def test_tiny_has_every_data_type_and_item_kind(seed: int) -> None:
    company = generate(seed, "tiny")
    for dtype in RECORD_TYPES:
        assert company.count(dtype.key) > 0, dtype.key
    item_rets = {r.ret for r in company.iter_records("items")}
    assert item_rets == set(next(d for d in DATA_TYPES if d.key == "items").rets)
    term_rets = {r.ret for r in company.iter_records("terms")}
    assert term_rets == {"StandardTermsRet", "DateDrivenTermsRet"}


# ---- identifiers and times --------------------------------------------------------------


def test_ids_look_like_quickbooks_and_are_unique(small: CompanyFile) -> None:
    seen: set[str] = set()
    for dtype in RECORD_TYPES:
        pattern = TXN_ID_RE if dtype.kind is Kind.TXN else LIST_ID_RE
        for record in records(small, dtype.key):
            record_id = str(record.data[dtype.id_field])
            assert pattern.match(record_id), record_id
            assert EDIT_SEQUENCE_RE.match(str(record.data["EditSequence"]))
            seen.add(record_id)
    total = sum(n for k, n in small.counts().items() if k != "sales_tax_items")
    assert len(seen) == total


def test_txn_line_ids_are_unique(small: CompanyFile) -> None:
    line_ids = Counter(
        str(line["TxnLineID"])
        for dtype in RECORD_TYPES
        if dtype.kind is Kind.TXN
        for record in records(small, dtype.key)
        for name, value in record.data.items()
        if name.endswith(("LineRet", "Line")) and name != "LinkedTxn"
        for line in rows(value)
        if "TxnLineID" in line
    )
    assert line_ids and max(line_ids.values()) == 1


def test_times_are_plausible(small: CompanyFile) -> None:
    """Local Pacific time with the offset of the day (PST in winter, PDT in summer)."""
    modified_later = 0
    offsets: set[timedelta | None] = set()
    for dtype in RECORD_TYPES:
        for record in records(small, dtype.key):
            created, modified = record.data["TimeCreated"], record.data["TimeModified"]
            assert isinstance(created, datetime) and isinstance(modified, datetime)
            assert local(created) == created and local(created).tzinfo == created.tzinfo
            offsets.add(created.utcoffset())
            assert created <= modified <= NOW
            modified_later += modified > created
            txn_date = record.data.get("TxnDate")
            if isinstance(txn_date, date):
                assert txn_date <= created.date()
                assert NOW.date() - txn_date <= timedelta(days=731)
    assert modified_later > 50
    assert offsets == {timedelta(hours=-8), timedelta(hours=-7)}


def test_txn_numbers_are_unique_and_positive(small: CompanyFile) -> None:
    numbers = [
        record.data["TxnNumber"]
        for dtype in RECORD_TYPES
        if dtype.kind is Kind.TXN
        for record in records(small, dtype.key)
    ]
    assert len(numbers) == len(set(numbers))
    assert all(isinstance(n, int) and n > 0 for n in numbers)


# ---- references and names ---------------------------------------------------------------


def test_every_ref_resolves_to_a_record_of_the_right_kind(small: CompanyFile) -> None:
    checked = 0
    for dtype in RECORD_TYPES:
        for record in records(small, dtype.key):
            for path, name, ref in iter_refs(record.data):
                targets = (dtype.key,) if name == "ParentRef" else REF_TARGETS[name]
                found = [
                    small.records.get(storage_key(t), {}).get(str(ref["ListID"])) for t in targets
                ]
                hit = next((f for f in found if f is not None), None)
                assert hit is not None, f"{dtype.key} {path} -> {ref}"
                assert name_of(hit.data) == ref["FullName"], path
                checked += 1
    assert checked > 5000


def test_linked_txns_point_at_existing_txns(small: CompanyFile) -> None:
    by_id = {
        str(r.data["TxnID"]): r
        for d in RECORD_TYPES
        if d.kind is Kind.TXN
        for r in records(small, d.key)
    }
    for dtype in RECORD_TYPES:
        for record in records(small, dtype.key):
            for link in rows(record.data.get("LinkedTxn")) + rows(
                record.data.get("AppliedToTxnRet")
            ):
                other = by_id[str(link["TxnID"])]
                assert other.ret == f"{link['TxnType']}Ret"


def test_names_are_unique_where_quickbooks_requires(small: CompanyFile) -> None:
    entity_names = Counter(
        name_of(r.data).casefold()
        for key in ("customers", "vendors", "employees", "other_names")
        for r in records(small, key)
    )
    assert max(entity_names.values()) == 1
    for key in ("accounts", "items", "classes", "terms", "payment_methods"):
        names = Counter(name_of(r.data).casefold() for r in records(small, key))
        assert max(names.values()) == 1, key


def test_jobs_sit_under_their_customer(small: CompanyFile) -> None:
    jobs = [r for r in records(small, "customers") if "ParentRef" in r.data]
    assert jobs
    for job in jobs:
        parent = job.data["ParentRef"]
        assert isinstance(parent, dict)
        assert job.data["FullName"] == f"{parent['FullName']}:{job.data['Name']}"
        assert job.data["Sublevel"] == 1


# ---- money -------------------------------------------------------------------------------


def test_payments_applied_sum_correctly(small: CompanyFile) -> None:
    for key, amount_field in (
        ("receive_payments", "TotalAmount"),
        ("bill_payment_checks", "Amount"),
        ("bill_payment_credit_cards", "Amount"),
    ):
        for payment in records(small, key):
            applied = sum((dec(a["Amount"]) for a in rows(payment.data["AppliedToTxnRet"])), ZERO)
            unused = payment.data.get("UnusedPayment", ZERO)
            assert applied + dec(unused) == dec(payment.data[amount_field])


def test_invoice_and_bill_balances_agree_with_payments(small: CompanyFile) -> None:
    paid: Counter[str] = Counter()
    for key in ("receive_payments", "bill_payment_checks", "bill_payment_credit_cards"):
        for payment in records(small, key):
            for applied in rows(payment.data["AppliedToTxnRet"]):
                paid[str(applied["TxnID"])] += dec(applied["Amount"])  # type: ignore[assignment]
    for invoice in records(small, "invoices"):
        total = dec(invoice.data["Subtotal"]) + dec(invoice.data["SalesTaxTotal"])
        done = Decimal(paid[str(invoice.data["TxnID"])])
        assert dec(invoice.data["BalanceRemaining"]) == total - done
        assert dec(invoice.data["AppliedAmount"]) == -done
        assert invoice.data["IsPaid"] is (total == done)
    for bill in records(small, "bills"):
        done = Decimal(paid[str(bill.data["TxnID"])])
        assert dec(bill.data["OpenAmount"]) == dec(bill.data["AmountDue"]) - done
        assert bill.data["IsPaid"] is (dec(bill.data["OpenAmount"]) == 0)
    assert any(invoice.data["IsPaid"] for invoice in records(small, "invoices"))


def test_lines_add_up(small: CompanyFile) -> None:
    for invoice in records(small, "invoices"):
        lines = rows(invoice.data.get("InvoiceLineRet"))
        groups = rows(invoice.data.get("InvoiceLineGroupRet"))
        inside = [x for g in groups for x in rows(g["InvoiceLineRet"])]
        assert sum((dec(g["TotalAmount"]) for g in groups), ZERO) == sum(
            (dec(x["Amount"]) for x in inside), ZERO
        )
        amounts = [dec(x["Amount"]) for x in lines] + [dec(g["TotalAmount"]) for g in groups]
        assert sum(amounts, ZERO) == invoice.data["Subtotal"]
    for bill in records(small, "bills"):
        lines = rows(bill.data.get("ExpenseLineRet")) + rows(bill.data.get("ItemLineRet"))
        assert sum((dec(x["Amount"]) for x in lines), ZERO) == bill.data["AmountDue"]
    for deposit in records(small, "deposits"):
        lines = rows(deposit.data["DepositLineRet"])
        assert sum((dec(x["Amount"]) for x in lines), ZERO) == deposit.data["DepositTotal"]


def test_journal_entries_balance(small: CompanyFile) -> None:
    for entry in records(small, "journal_entries"):
        debits = sum((dec(x["Amount"]) for x in rows(entry.data["JournalDebitLine"])), ZERO)
        credits = sum((dec(x["Amount"]) for x in rows(entry.data["JournalCreditLine"])), ZERO)
        assert debits == credits > 0


def test_customer_and_vendor_balances_agree_with_open_documents(small: CompanyFile) -> None:
    expected: Counter[str] = Counter()
    for key, field, ref, sign in OPEN_AMOUNTS:
        for txn in records(small, key):
            entity = txn.data[ref]
            assert isinstance(entity, dict)
            expected[str(entity["ListID"])] += sign * dec(txn.data.get(field, ZERO))  # type: ignore[assignment]
    for vendor in records(small, "vendors"):
        assert vendor.data["Balance"] == expected[str(vendor.data["ListID"])]
    total_owed = ZERO
    for customer in records(small, "customers"):
        own = expected[str(customer.data["ListID"])]
        assert customer.data["Balance"] == own
        total_owed += dec(customer.data["Balance"])
        children = [
            c
            for c in records(small, "customers")
            if isinstance(c.data.get("ParentRef"), dict)
            and c.data["ParentRef"]["ListID"] == customer.data["ListID"]  # type: ignore[index]
        ]
        assert customer.data["TotalBalance"] == own + sum(
            (dec(c.data["TotalBalance"]) for c in children), ZERO
        )
    ar = next(
        r for r in records(small, "accounts") if r.data["AccountType"] == "AccountsReceivable"
    )
    assert ar.data["Balance"] == total_owed


def test_the_books_balance(small: CompanyFile) -> None:
    """Every posting has its other side: debit-normal balances equal the others."""
    debit = credit = ZERO
    for account in records(small, "accounts"):
        if account.data["AccountType"] in DEBIT_NORMAL:
            debit += dec(account.data["Balance"])
        else:
            credit += dec(account.data["Balance"])
    assert debit == credit != 0


# ---- deletions ---------------------------------------------------------------------------


def test_deleted_entries_are_recent_and_gone(small: CompanyFile) -> None:
    assert {e.kind.value for e in small.deleted} == {"list", "txn"}
    for entry in small.deleted:
        assert entry.time_created < entry.time_deleted <= NOW
        assert NOW - entry.time_deleted <= timedelta(days=90)
        assert all(entry.id not in table for table in small.records.values())


# ---- shape -------------------------------------------------------------------------------


def _check_order(model: ContentModel, value: RecordData, path: str) -> None:
    positions = [i for i, spec in enumerate(model.children) if spec.name in value]
    assert len(positions) == len(value), (
        f"{path}: unknown {set(value) - {s.name for s in model.children}}"
    )
    order = [model.children[i].name for i in sorted(positions)]
    assert list(value) == order, path
    for name, child in value.items():
        spec = model.child(name)
        assert spec is not None
        if isinstance(spec.content, ContentModel):
            for member in child if isinstance(child, list) else [child]:
                assert isinstance(member, dict), f"{path}/{name}"
                _check_order(spec.content, member, f"{path}/{name}")


def test_records_are_in_schema_order(small: CompanyFile) -> None:
    schema = Schema.for_version("13.0")
    for table in small.records.values():
        for record in list(table.values())[:40]:
            _check_order(schema.content(record.ret), record.data, record.ret)


def test_progress_counts_every_record_added() -> None:
    ticks: list[int] = []
    company = generate(2, "tiny", ticks.append)
    stored = sum(n for key, n in company.counts().items() if key != "sales_tax_items")
    assert sum(ticks) == stored + len(company.deleted)


def test_orders_and_estimates_link_both_ways(small: CompanyFile) -> None:
    pairs = (
        ("bills", "purchase_orders", "PurchaseOrder"),
        ("invoices", "estimates", "Estimate"),
        ("invoices", "sales_orders", "SalesOrder"),
    )
    for key, source_key, source_type in pairs:
        linked = 0
        for record in records(small, key):
            for link in rows(record.data.get("LinkedTxn")):
                if link["TxnType"] != source_type:
                    continue
                source = small.get(source_key, str(link["TxnID"]))
                back = [x["TxnID"] for x in rows(source.data["LinkedTxn"])]
                assert record.data["TxnID"] in back
                linked += 1
        assert linked > 5, key
    for order in records(small, "purchase_orders"):
        assert order.data["IsFullyReceived"] is ("LinkedTxn" in order.data)


def test_sub_records_are_created_after_their_parent(small: CompanyFile) -> None:
    children = 0
    for key in ("accounts", "customers", "items", "classes"):
        for record in records(small, key):
            parent = record.data.get("ParentRef")
            if isinstance(parent, dict):
                born = small.get(key, str(parent["ListID"])).data["TimeCreated"]
                assert born <= record.data["TimeCreated"]  # type: ignore[operator]
                children += 1
    assert children > 10


def test_inactive_records_were_made_inactive_later_and_owe_nothing() -> None:
    company = generate(7, 6000)
    inactive = [
        (key, r)
        for key in ("customers", "vendors", "employees", "items", "accounts", "classes")
        for r in records(company, key)
        if r.data.get("IsActive") is False
    ]
    assert len(inactive) > 5
    for key, record in inactive:
        assert record.data["TimeModified"] > record.data["TimeCreated"], key  # type: ignore[operator]
        assert record.data.get("Balance", ZERO) == 0, key
        assert record.ret not in ("ItemInventoryRet", "ItemInventoryAssemblyRet")


def test_stock_levels_agree_with_open_orders(small: CompanyFile) -> None:
    on_order: Counter[str] = Counter()
    on_sales_order: Counter[str] = Counter()
    for key, closed, lines, counter in (
        ("purchase_orders", "IsFullyReceived", "PurchaseOrderLineRet", on_order),
        ("sales_orders", "IsFullyInvoiced", "SalesOrderLineRet", on_sales_order),
    ):
        for order in records(small, key):
            if order.data[closed] is not True:
                for line in rows(order.data[lines]):
                    counter[str(line["ItemRef"]["ListID"])] += dec(line["Quantity"])  # type: ignore[index, assignment]
    stocked = [
        r
        for r in records(small, "items")
        if r.ret in ("ItemInventoryRet", "ItemInventoryAssemblyRet")
    ]
    assert stocked
    for item in stocked:
        item_id = str(item.data["ListID"])
        assert item.data["QuantityOnOrder"] == on_order[item_id]
        assert item.data["QuantityOnSalesOrder"] == on_sales_order[item_id]
        assert dec(item.data["QuantityOnHand"]) >= 0

"""Every write type the issue lists, pushed through the real engine to the fake QuickBooks
(issue 19, writes): Adds of lists and transactions in one session, later ones naming earlier
ones by ``fullName`` (they wait for them: the order received); then Mods with the
EditSequence the store holds, a ListDel, a TxnDel and a TxnVoid. Each lands in the company
exactly once with the pushed values, and in the store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from connector.portal.pushes import queue_push
from connector.store import outbox, records
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from connector.sync.pushing import PushFirst
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from tests.sync.push_samples import adds
from tests.sync.sync_harness import T0, run_session

NOW = T0 + timedelta(days=400)


def _camel_ref(ref: dict[str, Any]) -> dict[str, Any]:
    return {"listId" if k == "ListID" else "fullName": v for k, v in ref.items()}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = Database.from_url(f"sqlite:///{tmp_path_factory.mktemp('types') / 'push.db'}")
    db.migrate()
    qb = FakeQuickBooks(company=generate(5, "tiny"), clock=lambda: NOW)
    work = PushFirst(db, SyncEngine(db, Policy(page_size=100)))
    company_id = create_company(db, "Types Co").id
    run_session(work, qb, company_id, "T1", NOW)  # type: ignore[arg-type]
    bill = next(r.data for r in qb.company.iter_records("bills") if not r.data.get("IsPaid"))
    bill = {**bill, "VendorRef": _camel_ref(dict(bill["VendorRef"]))}  # type: ignore[arg-type]
    pushed = []
    for data_type, record in adds(bill):
        push, _ = queue_push(db, company_id, data_type, record, idempotency_key=None, now=NOW)
        pushed.append(push.id)
    run_session(work, qb, company_id, "T2", NOW)  # type: ignore[arg-type]
    return {"db": db, "qb": qb, "work": work, "company_id": company_id, "pushed": pushed}


def _get(world: dict[str, Any], push_id: str) -> outbox.Push:
    return outbox.get_push(world["db"], world["company_id"], push_id)


def test_every_add_lands_once_in_quickbooks_and_in_the_store(world: dict[str, Any]) -> None:
    qb, db = world["qb"], world["db"]
    for push_id in world["pushed"]:
        push = _get(world, push_id)
        assert push.status == "succeeded", (push.data_type, push.status_code, push.error)
        dt_id = (
            "TxnID"
            if push.data_type not in ("accounts", "customers", "vendors", "items")
            else "ListID"
        )
        found = [
            r
            for r in qb.company.iter_records(push.data_type)
            if r.data.get(dt_id) == push.result_qb_id
        ]
        assert len(found) == 1, push.data_type
        with db.begin() as conn:
            row = records.get_record(conn, world["company_id"], push.data_type, push.result_qb_id)
        assert row is not None, push.data_type
        differ = {
            k
            for k in row.data.keys() | found[0].data.keys()
            if row.data.get(k) != found[0].data.get(k)
        }
        assert differ <= {"Balance", "TotalBalance"}, (
            push.data_type,
            differ,
        )  # later txns move balances
    named = [
        r for r in qb.company.iter_records("customers") if r.data.get("Name") == "Pushed Customer"
    ]
    assert len(named) == 1 and named[0].data["CompanyName"] == "Pushed LLC"


def _stored(world: dict[str, Any], data_type: str, qb_id: str) -> records.StoredRow:
    with world["db"].begin() as conn:
        row = records.get_record(conn, world["company_id"], data_type, qb_id)
    assert row is not None
    return row


def test_mods_deletes_and_voids_after_the_adds(world: dict[str, Any]) -> None:
    qb, company_id = world["qb"], world["company_id"]
    added = {(p.data_type, p.record.get("name") or p.record.get("refNumber")): p
             for p in map(lambda i: _get(world, i), world["pushed"])}  # fmt: skip
    customer = added[("customers", "Pushed Customer")].result_qb_id
    service = added[("items", "Pushed Service")].result_qb_id
    journal = added[("journal_entries", "PJE-1")].result_qb_id
    receipt = next(_get(world, i) for i in world["pushed"]
                   if _get(world, i).data_type == "sales_receipts").result_qb_id  # fmt: skip
    short = added[("customers", "Short Lived")].result_qb_id
    spare = added[("items", "Spare Part")].result_qb_id
    check = next(_get(world, i) for i in world["pushed"] if _get(world, i).data_type == "checks")
    assert customer and service and journal and receipt and short and spare
    assert check.result_qb_id

    def edit(data_type: str, qb_id: str) -> str:
        return str(_stored(world, data_type, qb_id).edit_sequence)

    todo = [
        ("customers", "mod", {"listId": customer, "editSequence": edit("customers", customer),
                              "companyName": "Pushed LLC (renamed)"}),
        ("items", "mod", {"type": "ItemService", "listId": service,
                          "editSequence": edit("items", service),
                          "salesOrPurchaseMod": {"price": "120.00"}}),
        ("journal_entries", "mod", {"txnId": journal, "refNumber": "PJE-2",
                                    "editSequence": edit("journal_entries", journal)}),
        ("sales_receipts", "void", {"txnId": receipt}),
        ("checks", "delete", {"txnId": check.result_qb_id}),
        ("customers", "delete", {"listId": short}),
        ("items", "delete", {"listId": spare, "type": "ItemNonInventory"}),
    ]  # fmt: skip
    ids = [
        queue_push(world["db"], company_id, t, r, operation=op, idempotency_key=None, now=NOW)[0].id
        for t, op, r in todo
    ]
    run_session(world["work"], qb, company_id, "T3", NOW)  # type: ignore[arg-type]
    for push_id in ids:
        push = _get(world, push_id)
        assert push.status == "succeeded", (push.data_type, push.operation, push.error)

    def in_qb(key: str, field: str, value: str) -> list[dict[str, Any]]:
        return [r.data for r in qb.company.iter_records(key) if r.data.get(field) == value]

    assert in_qb("customers", "ListID", customer)[0]["CompanyName"] == "Pushed LLC (renamed)"
    assert _stored(world, "customers", customer).data["CompanyName"] == "Pushed LLC (renamed)"
    assert str(in_qb("items", "ListID", service)[0]["SalesOrPurchase"]["Price"]) == "120.00"
    assert in_qb("journal_entries", "TxnID", journal)[0]["RefNumber"] == "PJE-2"
    voided = in_qb("sales_receipts", "TxnID", receipt)[0]
    assert str(voided["TotalAmount"]) in ("0", "0.00")  # a void keeps the record at zero
    assert in_qb("checks", "TxnID", check.result_qb_id) == []
    assert in_qb("customers", "ListID", short) == []
    assert _stored(world, "checks", check.result_qb_id).deleted_at is not None
    assert _stored(world, "customers", short).deleted_at is not None
    assert in_qb("items", "ListID", spare) == []
    assert _stored(world, "items", spare).deleted_at is not None

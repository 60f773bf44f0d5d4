"""Sending pushes in a session (issue 19, writes), through the real engine and the fake
QuickBooks without SOAP: before reads and in the order received, each outcome stored with
the record QuickBooks saved, a stale EditSequence reported as a conflict with both versions,
a record in use retried in a later session, and a lost answer recovered, never applied twice."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from connector.api.routes_push import push_out
from connector.portal.pushes import queue_push
from connector.qbwc.server.work import SessionContext
from connector.store import outbox, records, webhooks
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from connector.sync.pushing import PushFirst
from qbd_emulator.processor import FakeQuickBooks
from tests.sync.sync_harness import T0, Cut, make_company, run_session

LATER = T0 + timedelta(hours=1)


@dataclass
class Setup:
    db: Database
    qb: FakeQuickBooks
    work: PushFirst
    company_id: str
    sessions: int = 0

    def session(self, cut: Cut | None = None) -> list[int]:
        self.sessions += 1
        return run_session(self.work, self.qb, self.company_id, f"T{self.sessions}", LATER, cut)  # type: ignore[arg-type]

    def push(self, data_type: str, record: dict[str, Any], operation: str = "add") -> str:
        push, _ = queue_push(self.db, self.company_id, data_type, record, operation=operation,
                             idempotency_key=None, now=LATER)  # fmt: skip
        return push.id

    def get(self, push_id: str) -> outbox.Push:
        return outbox.get_push(self.db, self.company_id, push_id)

    def named(self, key: str, name: str) -> list[dict[str, Any]]:
        return [r.data for r in self.qb.company.iter_records(key) if r.data.get("Name") == name]


def _setup(db: Database) -> Setup:
    qb = FakeQuickBooks(company=make_company(3, 1), clock=lambda: LATER)
    engine = SyncEngine(db, Policy(page_size=50))
    s = Setup(db, qb, PushFirst(db, engine), create_company(db, "Acme").id)
    s.session()  # the first sync: references can name what it stored
    return s


@pytest.fixture
def setup(sqlite_db: Database) -> Setup:
    return _setup(sqlite_db)


@pytest.fixture
def setup_both(db: Database) -> Setup:
    """Both backends: the push's steps are transactions under the company lock."""
    return _setup(db)


def test_pushes_go_first_in_order_and_land_in_the_store(setup_both: Setup) -> None:
    setup = setup_both
    hook = webhooks.create_webhook(setup.db, "https://p.example/h", ["push.succeeded"], "s" * 16,
                                   company_ids=None, created_by=None, now=LATER)  # fmt: skip
    sent: list[str] = []
    process = setup.qb.process_request
    setup.qb.process_request = lambda t, r: sent.append(r) or process(t, r)  # type: ignore[method-assign]
    account = setup.push("accounts", {"name": "AR", "accountType": "AccountsReceivable"})
    customer = setup.push("customers", {"name": "Pushed Co", "companyName": "Pushed Co LLC"})
    invoice = setup.push("invoices", {"customerRef": {"fullName": "Pushed Co"}})  # depends
    setup.session()
    assert "<HostQueryRq" in sent[0]  # the session's opening, then the pushes, then reads
    assert "<AccountAddRq" in sent[1] and "<CustomerAddRq" in sent[2] and "<InvoiceAddRq" in sent[3]
    assert "Query" in sent[4] and all(q.count("MessageSetID") == 0 for q in sent[4:])
    assert 'newMessageSetID="' in sent[1] and "oldMessageSetID" not in sent[1]
    done = setup.get(customer)
    assert done.status == "succeeded" and done.result_qb_id and done.status_code is None
    assert setup.get(invoice).status == "succeeded", setup.get(invoice).error
    assert len(setup.named("customers", "Pushed Co")) == 1
    with setup.db.begin() as conn:  # in the store right away, in the data endpoints' shape
        row = records.get_record(conn, setup.company_id, "customers", done.result_qb_id)
    assert row is not None and row.normalised["companyName"] == "Pushed Co LLC"
    events = [json.loads(d.body) for d in webhooks.list_deliveries(setup.db, hook.id)]
    assert sorted(e["data"]["pushId"] for e in events) == sorted([account, customer, invoice])


def test_quickbooks_refusal_is_a_failure_with_its_status_code(setup: Setup) -> None:
    push = setup.push("customers", {"name": "Cust 1"})  # the name exists: 3100
    said: list[str] = []
    end = setup.work.end
    setup.work.end = lambda ctx, reason: said.append(end(ctx, reason)) or said[-1]  # type: ignore[method-assign]
    setup.session()
    failed = setup.get(push)
    assert (failed.status, failed.status_code) == ("failed", 3100) and failed.error
    assert said[-1].endswith("Pushes: 1 failed.")  # what the Web Connector shows at the end


def test_a_stale_edit_sequence_is_a_conflict_with_quickbooks_version(setup: Setup) -> None:
    target = setup.named("customers", "Cust 2")[0]
    stale = str(target["EditSequence"])
    setup.qb.company.modify(
        "customers", str(target["ListID"]), {"CompanyName": "Theirs"}, stale, LATER
    )
    push = setup.push("customers", {"listId": target["ListID"], "editSequence": stale,
                                    "companyName": "Ours"}, "mod")  # fmt: skip
    setup.session()
    conflict = setup.get(push)
    assert (conflict.status, conflict.status_code) == ("conflict", 3200)
    assert setup.named("customers", "Cust 2")[0]["CompanyName"] == "Theirs"  # not overwritten
    with setup.db.begin() as conn:
        row = records.get_record(conn, setup.company_id, "customers", str(target["ListID"]))
    assert row is not None and row.data["CompanyName"] == "Theirs"  # the re-read, stored
    with setup.db.begin(write=False) as conn:  # the API shows both versions
        shown = push_out(conn, conflict)
    assert shown.record["companyName"] == "Ours" and shown.result is not None
    assert shown.result["companyName"] == "Theirs" and shown.error is not None
    assert shown.error.statusCode == 3200


@dataclass
class InUseOnce:
    """A QuickBooks whose first CustomerAdd answers 3175 (the record is locked)."""

    inner: FakeQuickBooks
    seen: list[str] = field(default_factory=list)
    times: int = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def process_request(self, ticket: str, request: str) -> str:
        if "<CustomerAddRq" in request and len(self.seen) < self.times:
            self.seen.append(request)
            rid = request.split('requestID="')[1].split('"')[0]
            return (
                '<?xml version="1.0"?><QBXML><QBXMLMsgsRs>'
                f'<CustomerAddRs requestID="{rid}" statusCode="3175" statusSeverity="Error" '
                'statusMessage="locked"/></QBXMLMsgsRs></QBXML>'
            )
        return self.inner.process_request(ticket, request)


def test_a_record_in_use_waits_for_a_later_session_and_so_do_later_pushes(setup: Setup) -> None:
    setup.qb = InUseOnce(setup.qb)  # type: ignore[assignment]
    first = setup.push("customers", {"name": "Locked Co"})
    second = setup.push("vendors", {"name": "After Co"})
    setup.session()
    waiting = setup.get(first)
    assert (waiting.status, waiting.status_code) == ("pending", 3175)
    assert setup.get(second).status == "pending"  # it waited for the first
    setup.session()
    assert setup.get(first).status == "succeeded" and setup.get(second).status == "succeeded"


@pytest.mark.parametrize("applied", [True, False], ids=["answer-lost", "never-arrived"])
def test_a_lost_answer_is_recovered_and_never_applied_twice(
    setup_both: Setup, applied: bool
) -> None:
    setup = setup_both
    push = setup.push("customers", {"name": "Once Co"})
    if applied:  # QuickBooks applied it; the session broke before the answer was stored
        setup.session(Cut(after_requests=1, stored=False))
    else:  # the request was handed out, and never reached QuickBooks
        setup.sessions += 1
        ctx = SessionContext("conn-1", setup.company_id, "Tlost", "13.0", "US", LATER)
        assert "<CustomerAddRq" in (setup.work.next_request(ctx) or "")
    assert setup.get(push).status == "sent"
    assert len(setup.named("customers", "Once Co")) == (1 if applied else 0)
    setup.session()
    done = setup.get(push)
    assert done.status == "succeeded" and done.attempts == 2
    assert len(setup.named("customers", "Once Co")) == 1
    assert done.result_qb_id == setup.named("customers", "Once Co")[0]["ListID"]


def test_quickbooks_unreachable_for_a_push_ends_the_session_and_the_next_resolves_it(
    setup: Setup,
) -> None:
    push = setup.push("customers", {"name": "Later Co"})
    ctx = SessionContext("conn-1", setup.company_id, "Tdown", "13.0", "US", LATER)
    setup.work.begin(ctx, "")
    assert "<CustomerAddRq" in (setup.work.next_request(ctx) or "")
    progress = setup.work.apply_error(ctx, "0x80040401", "Could not access QuickBooks")
    assert progress.error is not None and "0x80040401" in progress.error
    assert setup.get(push).status == "sent"
    setup.work.end(ctx, "connectionError")
    setup.session()
    assert setup.get(push).status == "succeeded" and len(setup.named("customers", "Later Co")) == 1


def test_a_record_in_use_session_after_session_fails_in_the_end(setup: Setup) -> None:
    from connector.sync.push_outcome import MAX_IN_USE

    setup.qb = InUseOnce(setup.qb, times=100)  # type: ignore[assignment]
    push = setup.push("customers", {"name": "Forever Locked"})
    for _ in range(MAX_IN_USE - 1):
        setup.session()
        assert setup.get(push).status == "pending"
    setup.session()
    failed = setup.get(push)
    assert (failed.status, failed.status_code, failed.attempts) == ("failed", 3175, MAX_IN_USE)

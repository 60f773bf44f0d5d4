"""Reading QuickBooks' answer to a push (issue 19, writes), against the fake QuickBooks: a
Void's answer carries no record, so the re-read in the same message set brings the voided
transaction; a Mod's stale EditSequence brings QuickBooks' version; recovery answers."""

from __future__ import annotations

from connector.qbxml.parse import iter_events
from connector.sync.push_outcome import push_document, read_outcome
from connector.sync.writes import validate
from qbd_emulator.processor import FakeQuickBooks, answer_request
from tests.sync.sync_harness import T0, make_company


def _answer(qb: FakeQuickBooks, document: str) -> str:
    return answer_request(qb.company, document, clock=lambda: T0)


def test_a_void_brings_the_voided_transaction_back() -> None:
    qb = FakeQuickBooks(company=make_company(2, 1), clock=lambda: T0)
    invoice = next(qb.company.iter_records("invoices")).data
    write = validate("invoices", {"txnId": invoice["TxnID"]}, "void")
    text = _answer(qb, push_document(write, "13.0", "p1-1", "set-1", recover=False))
    outcome = read_outcome(iter_events(text, version="13.0"), write)
    assert outcome.status == "succeeded" and outcome.qb_id == invoice["TxnID"]
    assert [r.ret for r in outcome.records] == ["InvoiceRet"]
    assert outcome.records[0].data == next(qb.company.iter_records("invoices")).data


def test_a_recovered_answer_is_the_stored_one_and_nothing_runs_twice() -> None:
    qb = FakeQuickBooks(company=make_company(1, 0), clock=lambda: T0)
    write = validate("customers", {"name": "Once"})
    first = _answer(qb, push_document(write, "13.0", "pA-1", "set-2", recover=False))
    again = _answer(qb, push_document(write, "13.0", "pB-2", "set-2", recover=True))
    one = read_outcome(iter_events(first, version="13.0"), write)
    two = read_outcome(iter_events(again, version="13.0"), write)
    assert one.status == two.status == "succeeded" and one.qb_id == two.qb_id
    assert sum(r.data.get("Name") == "Once" for r in qb.company.iter_records("customers")) == 1

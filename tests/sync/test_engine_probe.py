"""Incremental runs that probe first (issue 12), through the engine and the fake QuickBooks:
only what is new or changed is fetched, the rewind still catches a workstation whose clock
is behind, and a run cut anywhere ends with the store equal to the company."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from connector.store import sync_runs as runs
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync import probe
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.counting import CountingQuickBooks
from qbd_emulator.processor import FakeQuickBooks
from tests.sync.sync_harness import T0, Cut, assert_store_equals_company, make_company, run_session

FIRST = T0 + timedelta(days=1)
LATER = T0 + timedelta(days=1, hours=2)


def _synced(db: Database, policy: Policy) -> tuple[SyncEngine, CountingQuickBooks, str]:
    qb = CountingQuickBooks(company=make_company(), clock=lambda: FIRST)
    engine, company_id = SyncEngine(db, policy), create_company(db, "Acme").id
    run_session(engine, qb, company_id, "T1", FIRST)
    qb.reset()
    qb.clock = lambda: LATER
    return engine, qb, company_id


def _counts(db: Database, ticket: str) -> dict[str, runs.TypeCounts]:
    with db.begin() as conn:
        run = runs.run_for_ticket(conn, ticket)
        assert run is not None
        full = runs.get_run(conn, run.id)
    assert full is not None and full.status == "succeeded", full
    return {t.data_type: t for t in full.types}


def _last(qb: FakeQuickBooks, key: str) -> tuple[str, str, datetime]:
    """ID, EditSequence and TimeModified of the record of ``key`` modified last."""
    dt_id = "TxnID" if key == "invoices" else "ListID"
    record = max(qb.company.iter_records(key), key=lambda r: r.data["TimeModified"])  # type: ignore[arg-type,return-value]
    return str(record.data[dt_id]), str(record.data["EditSequence"]), record.data["TimeModified"]  # type: ignore[return-value]


def test_an_unchanged_company_is_probed_and_nothing_is_fetched(db: Database) -> None:
    engine, qb, company_id = _synced(db, Policy(page_size=3))
    run_session(engine, qb, company_id, "T2", LATER)
    assert qb.whole == {}  # no record answered whole: not one re-fetched
    assert qb.probed > 0  # the records in the rewind window, ID and EditSequence only
    counts = _counts(db, "T2")
    assert all(t.fetched == 0 and not (t.created or t.updated) for t in counts.values())
    assert_store_equals_company(db, company_id, qb.company)


def test_the_old_policy_re_fetches_the_rewind_window(db: Database) -> None:
    """The baseline the probe removes: the records whose TimeModified is within the rewind
    of the watermark are fetched whole again each run."""
    engine, qb, company_id = _synced(db, Policy(page_size=3, probe=False))
    run_session(engine, qb, company_id, "T2", LATER)
    assert qb.whole.get("InvoiceQuery") == 1 and qb.whole.get("AccountQuery") == 3
    assert qb.probed == 0


def test_a_change_stamped_at_the_watermark_itself_is_fetched(db: Database) -> None:
    engine, qb, company_id = _synced(db, Policy(page_size=3))
    txn_id, edit, stamp = _last(qb, "invoices")  # its TimeModified is the watermark
    qb.company.modify("invoices", txn_id, {"Memo": "same second"}, edit, stamp)
    run_session(engine, qb, company_id, "T2", LATER)
    assert qb.whole == {"InvoiceQuery": 1}
    assert (_counts(db, "T2")["invoices"].updated, _counts(db, "T2")["invoices"].fetched) == (1, 1)
    assert_store_equals_company(db, company_id, qb.company)


def test_a_change_from_a_workstation_behind_within_the_rewind_is_fetched(db: Database) -> None:
    """A second PC whose clock is 40 s behind stamps its change before the watermark
    (PROTOCOL.md 1.10); the probe still asks from the rewound watermark."""
    engine, qb, company_id = _synced(db, Policy(page_size=3))
    _, _, mark = _last(qb, "customers")
    first = next(iter(qb.company.iter_records("customers"))).data
    behind = mark - timedelta(seconds=40)
    qb.company.modify(
        "customers", str(first["ListID"]), {"Name": "Behind"}, str(first["EditSequence"]), behind
    )
    qb.company.add("customers", "CustomerRet", {"Name": "Also behind"}, behind)
    run_session(engine, qb, company_id, "T2", LATER)
    assert qb.whole == {"CustomerQuery": 2}
    customers = _counts(db, "T2")["customers"]
    assert (customers.created, customers.updated, customers.fetched) == (1, 1, 2)
    assert_store_equals_company(db, company_id, qb.company)


def test_a_record_deleted_between_probe_and_fetch_is_left_to_the_sweep(db: Database) -> None:
    engine, qb, company_id = _synced(db, Policy(page_size=3))
    cust = list(qb.company.iter_records("customers"))
    for record in cust[:2]:
        qb.company.touch("customers", str(record.data["ListID"]), LATER)
    deleted = False
    process = qb.process_request

    def delete_after_probe(ticket: str, request: str) -> str:
        nonlocal deleted
        if "<ListID>" in request and not deleted:  # the fetch: both are gone since the probe
            for record in cust[:2]:
                qb.company.delete("customers", str(record.data["ListID"]), LATER)
            deleted = True
        return process(ticket, request)

    qb.process_request = delete_after_probe  # type: ignore[method-assign]
    run_session(engine, qb, company_id, "T2", LATER)
    assert deleted
    counts = _counts(db, "T2")
    assert counts["customers"].status == "done" and counts["deleted_lists"].deleted == 2
    assert_store_equals_company(db, company_id, qb.company)


def test_many_changes_catch_up_by_date(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe, "MAX_PENDING", 2)
    engine, qb, company_id = _synced(db, Policy(page_size=3))
    for record in list(qb.company.iter_records("customers"))[:4]:
        qb.company.touch("customers", str(record.data["ListID"]), LATER)
    run_session(engine, qb, company_id, "T2", LATER)
    assert qb.whole == {"CustomerQuery": 4}  # from the earliest change: the four changed
    assert _counts(db, "T2")["customers"].updated == 4
    assert_store_equals_company(db, company_id, qb.company)


@pytest.mark.parametrize("stored", [False, True])
@pytest.mark.parametrize("after", [3, 5, 17, 19])  # in customers' and invoices' steps
def test_a_run_cut_anywhere_resumes_and_fetches_each_change_once(
    db: Database, after: int, stored: bool
) -> None:
    engine, qb, company_id = _synced(db, Policy(page_size=3))
    for key in ("customers", "invoices"):
        for record in list(qb.company.iter_records(key))[:4]:
            ident = str(record.data["TxnID" if key == "invoices" else "ListID"])
            qb.company.touch(key, ident, LATER)
    run_session(engine, qb, company_id, "T2", LATER, cut=Cut(after, stored))
    run_session(engine, qb, company_id, "T3", LATER + timedelta(minutes=1))
    assert_store_equals_company(db, company_id, qb.company)
    # a change fetched and stored before the cut is not fetched again after it; a chunk
    # answered but not stored (the cut) is asked again
    again = 0 if stored else 3
    assert 4 <= qb.whole["CustomerQuery"] <= 4 + again
    assert 4 <= qb.whole["InvoiceQuery"] <= 4 + again

"""Incremental sync of an unchanged company over real HTTP (issue 12): the service, the QBWC
client and the fake QuickBooks, which counts the records it answers. A second sync of an
unchanged company fetches no record whole; a change stamped at the watermark itself and one
from a workstation whose clock is behind (inside the rewind) are each fetched once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector.qbwc.client import SessionResult
from connector.store import sync_runs as runs
from connector.store.db import Database
from connector.store.sync_requests import queue_sync
from connector.sync.plan import QUERY_TYPES, Policy
from qbd_emulator.company import DeletedKind
from qbd_emulator.counting import CountingQuickBooks
from qbd_emulator.generate import generate
from qbd_emulator.webconnector import run_webconnector
from tests.e2e.e2e_harness import Link, last_run, latest_now, link_company, live_service
from tests.sync.sync_harness import assert_store_equals_company

SWEEPS = ("deleted_lists", "deleted_txns")


def _sync(database: Database, link: Link, qb: CountingQuickBooks, now: datetime) -> runs.SyncRun:
    with database.begin() as conn:  # the schedule is not due: ask for a sync now
        queue_sync(conn, link.company_id, None, datetime.now(UTC))
    qb.clock = lambda: now
    qb.reset()
    summary = run_webconnector(link.qwc, link.password, qb, timeout=120, sleep=lambda _s: None)
    assert summary.result is SessionResult.DONE, summary
    run = last_run(database, link.company_id)
    assert run.status == "succeeded", run
    return run


def _watermark(database: Database, company_id: str, key: str) -> str:
    with database.begin() as conn:
        mark = runs.load_cursors(conn, company_id)[key].watermark
    assert mark is not None
    return mark


def test_an_unchanged_company_is_not_fetched_again_and_changes_in_the_rewind_are(
    db: Database,
) -> None:
    database = db
    company = generate(2, "tiny")
    now = latest_now(company)
    for days, record in enumerate(list(company.iter_records("checks"))[:3], start=2):
        company.delete("checks", str(record.data["TxnID"]), now - timedelta(days=days))
    qb = CountingQuickBooks(company=company, clock=lambda: now)
    with live_service(database) as settings:
        link = link_company(database, settings, "Unchanged Co", company)
        first = _sync(database, link, qb, now)
        assert first.kind == "full" and sum(qb.whole.values()) > 0

        sweeps = {k: _watermark(database, link.company_id, k) for k in SWEEPS}
        second = _sync(database, link, qb, now + timedelta(minutes=5))
        assert second.kind == "incremental"
        assert qb.whole == {}  # not one record answered whole
        assert qb.probed > 0  # the rewind window, IDs and EditSequences only
        by_type = {t.data_type: t for t in second.types}
        assert all(by_type[d.key].fetched == 0 for d in QUERY_TYPES)
        # The sweeps ask from their rewound watermark, not 90 days: a deletion comes again
        # only when it is inside the rewind (its stub is all a deleted-object query returns)
        swept = 0
        for key, kind in (("deleted_lists", DeletedKind.LIST), ("deleted_txns", DeletedKind.TXN)):
            since = datetime.fromisoformat(sweeps[key]) - Policy().rewind
            inside = [d for d in company.deleted if d.kind is kind and d.time_deleted >= since]
            assert by_type[key].fetched == len(inside)
            swept += len(inside)
            assert by_type[key].deleted == 0
        assert swept < len(company.deleted)  # the old sweeps: every deletion, each time

        # A change QuickBooks stamped with the watermark's own second, and one from a second
        # workstation whose clock is 40 s behind (PROTOCOL.md 1.10): both before the
        # watermark moved past them, both still fetched, each once.
        invoice_mark = datetime.fromisoformat(_watermark(database, link.company_id, "invoices"))
        at_mark = next(
            r for r in company.iter_records("invoices") if r.data["TimeModified"] == invoice_mark
        )
        company.touch("invoices", str(at_mark.data["TxnID"]), invoice_mark)
        behind = datetime.fromisoformat(_watermark(database, link.company_id, "customers"))
        customer = next(iter(company.iter_records("customers"))).data
        edit = str(customer["EditSequence"])
        company.modify(
            "customers",
            str(customer["ListID"]),
            {"Phone": "555-0199"},
            edit,
            behind - timedelta(seconds=40),
        )
        third = _sync(database, link, qb, now + timedelta(minutes=10))
        assert qb.whole == {"InvoiceQuery": 1, "CustomerQuery": 1}
        by_type = {t.data_type: t for t in third.types}
        assert by_type["invoices"].updated == 1 and by_type["customers"].updated == 1
        assert_store_equals_company(database, link.company_id, company)

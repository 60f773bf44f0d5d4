"""Applying iterator pages behind the Web Connector (``SyncEngine(behind=...)``): the same
store as applying in line, whatever runs the pages, wherever the session breaks, and
whichever service instance (engine) answers each call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sync_harness import (
    HCP_REQUEST,
    T0,
    Cut,
    assert_store_equals_company,
    make_company,
    run_session,
)

from connector.qbwc.work import SessionContext
from connector.qbxml.errors import QbxmlResponseError
from connector.qbxml.parse import iter_events
from connector.qbxml.values import Event
from connector.store import sync_runs as runs
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.tables_sync import sync_inbox
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.processor import FakeQuickBooks

POLICY = Policy(page_size=3)
DAY1 = T0 + timedelta(days=1)


class Inline(Executor):
    """Runs each page at once, in the caller's thread (deterministic)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class Killed(Executor):
    """Never runs a page: the service was killed before it could."""

    def __init__(self) -> None:
        self.dropped = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.dropped += 1
        return Future()  # never done


@pytest.fixture(params=["thread", "inline"])
def behind(request: pytest.FixtureRequest) -> Iterator[Executor]:
    executor: Executor = ThreadPoolExecutor(2) if request.param == "thread" else Inline()
    yield executor
    executor.shutdown(wait=True)


def _inbox_size(db: Database) -> int:
    with db.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(sync_inbox)).scalar_one())


def _run_types(db: Database, ticket: str) -> dict[str, runs.TypeCounts]:
    with db.begin() as conn:
        run = runs.run_for_ticket(conn, ticket)
        assert run is not None
        full = runs.get_run(conn, run.id)
    assert full is not None
    return {t.data_type: t for t in full.types}


def test_full_and_incremental_sync_equal_in_line(db: Database, behind: Executor) -> None:
    qb = FakeQuickBooks(company=make_company(11, 8), clock=lambda: DAY1)
    engine, company_id = SyncEngine(db, POLICY, behind=behind), create_company(db, "Acme").id
    percents = run_session(engine, qb, company_id, "T1", DAY1)
    assert percents[-1] == 100 and percents == sorted(percents)
    assert_store_equals_company(db, company_id, qb.company)
    assert _inbox_size(db) == 0
    types = _run_types(db, "T1")
    assert (types["customers"].fetched, types["customers"].created) == (11, 11)
    assert (types["invoices"].fetched, types["invoices"].created) == (8, 8)
    later = DAY1 + timedelta(days=1)
    qb.clock = lambda: later
    qb.company.add("customers", "CustomerRet", {"Name": "Newcomer"}, later)
    run_session(engine, qb, company_id, "T2", later)
    assert_store_equals_company(db, company_id, qb.company)
    assert _run_types(db, "T2")["customers"].created == 1


@pytest.mark.parametrize("stored", [False, True], ids=["before-store", "after-store"])
@pytest.mark.parametrize("after", [2, 3, 4, 6])
def test_cut_sessions_resume_without_loss(
    db: Database, behind: Executor, after: int, stored: bool
) -> None:
    qb = FakeQuickBooks(company=make_company(10, 7), clock=lambda: DAY1)
    engine, company_id = SyncEngine(db, POLICY, behind=behind), create_company(db, "Acme").id
    run_session(engine, qb, company_id, "T1", DAY1, Cut(after, stored))
    run_session(engine, qb, company_id, "T2", DAY1 + timedelta(minutes=5))
    assert_store_equals_company(db, company_id, qb.company)
    assert _inbox_size(db) == 0


def test_a_killed_service_leaves_pages_the_next_call_applies(db: Database) -> None:
    """Pages acknowledged to the Web Connector but never applied (the service died) are
    applied by the next instance before anything else, within the same session."""
    qb = FakeQuickBooks(company=make_company(10, 7), clock=lambda: DAY1)
    company_id = create_company(db, "Acme").id
    killed = Killed()
    dead = SyncEngine(db, POLICY, behind=killed)
    alive = SyncEngine(db, POLICY, behind=Inline())
    ctx = SessionContext("conn-1", company_id, "T1", "13.0", "US", DAY1)
    qb.open_connection("", "qbd-connector")
    qb_ticket = qb.begin_session("")
    dead.begin(ctx, qb.process_request(qb_ticket, HCP_REQUEST))
    for _ in range(2):  # accounts (one page), customers page 1 (more to come); then killed
        request = dead.next_request(ctx)
        assert request is not None
        dead.apply_response(ctx, qb.process_request(qb_ticket, request))
    assert killed.dropped == 1 and _inbox_size(db) == 1
    percents = []
    while (request := alive.next_request(ctx)) is not None:
        percents.append(alive.apply_response(ctx, qb.process_request(qb_ticket, request)).percent)
        if percents[-1] == 100:
            break
    alive.end(ctx, "closeConnection")
    assert _inbox_size(db) == 0
    assert_store_equals_company(db, company_id, qb.company)
    types = _run_types(db, "T1")
    assert (types["customers"].fetched, types["customers"].created) == (10, 10)


def test_calls_alternating_between_instances(db: Database) -> None:
    """Two engines (two service instances) answer alternate calls of one session, each
    applying behind on its own threads: every page is applied exactly once."""
    qb = FakeQuickBooks(company=make_company(14, 9), clock=lambda: DAY1)
    company_id = create_company(db, "Acme").id
    pools = [ThreadPoolExecutor(1), ThreadPoolExecutor(1)]
    engines = [SyncEngine(db, POLICY, behind=pool) for pool in pools]
    ctx = SessionContext("conn-1", company_id, "T1", "13.0", "US", DAY1)
    qb.open_connection("", "qbd-connector")
    qb_ticket = qb.begin_session("")
    engines[0].begin(ctx, qb.process_request(qb_ticket, HCP_REQUEST))
    call = 1
    while (request := engines[call % 2].next_request(ctx)) is not None:
        call += 1
        percent = engines[call % 2].apply_response(ctx, qb.process_request(qb_ticket, request))
        call += 1
        if percent.percent == 100:
            break
    engines[call % 2].end(ctx, "closeConnection")
    for pool in pools:
        pool.shutdown(wait=True)
    assert _inbox_size(db) == 0
    assert_store_equals_company(db, company_id, qb.company)
    types = _run_types(db, "T1")
    assert (types["customers"].fetched, types["customers"].created) == (14, 14)
    assert (types["invoices"].fetched, types["invoices"].created) == (9, 9)


def test_an_unreadable_page_applied_behind_stops_its_type_only(
    db: Database, behind: Executor
) -> None:
    """The second customers page breaks when read in full (its head was fine): customers
    stop with a FATAL error for this session, its watermark stays, the other types sync."""
    seen: list[str] = []

    def parse(text: str, version: str) -> Iterator[Event]:
        events = iter_events(text, version=version or None)
        if "CustomerQueryRs" in text and "Cust 3" in text:
            seen.append("bad")

            def broken() -> Iterator[Event]:
                for n, event in enumerate(events):
                    if n > 2:
                        raise QbxmlResponseError("mangled on the way")
                    yield event

            return broken()
        return events

    qb = FakeQuickBooks(company=make_company(10, 4), clock=lambda: DAY1)
    company_id = create_company(db, "Acme").id
    engine = SyncEngine(db, POLICY, parse=parse, behind=behind)
    run_session(engine, qb, company_id, "T1", DAY1)
    assert seen and _inbox_size(db) == 0
    with db.begin() as conn:
        run = runs.run_for_ticket(conn, "T1")
        assert run is not None
        full = runs.get_run(conn, run.id)
        cursor = runs.load_cursors(conn, company_id)["customers"]
    assert full is not None and full.status == "partial"
    types = {t.data_type: t for t in full.types}
    assert types["customers"].status == "error" and types["invoices"].status == "done"
    assert any(e.data_type == "customers" and "mangled" in e.message for e in full.errors)
    assert cursor.watermark is None  # nothing skipped: the next session starts over

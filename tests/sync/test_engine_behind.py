"""Applying iterator pages behind the Web Connector (``SyncEngine(behind=...)``): the same
store as applying in line, whatever runs the pages, wherever the session breaks, and
whichever service instance (engine) answers each call."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from connector.qbwc.server.work import SessionContext
from connector.qbxml.errors import QbxmlResponseError
from connector.qbxml.parse import iter_events
from connector.qbxml.values import Event
from connector.store import inbox
from connector.store import sync_runs as runs
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.tables_sync import sync_inbox
from connector.sync import behind as behind_module
from connector.sync.behind import Behind, ProcessApplier, ThreadApplier, applier_for
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.processor import FakeQuickBooks
from tests.sync.sync_harness import (
    HCP_REQUEST,
    T0,
    Cut,
    assert_store_equals_company,
    make_company,
    run_session,
)

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
def behind(request: pytest.FixtureRequest) -> Iterator[ThreadApplier]:
    executor: Executor = ThreadPoolExecutor(2) if request.param == "thread" else Inline()
    yield ThreadApplier(executor)
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


def test_full_and_incremental_sync_equal_in_line(db: Database, behind: ThreadApplier) -> None:
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


def _held_whole(*_args: object) -> None:
    raise AssertionError("a page over READ_AHEAD_MAX_CHARS was read whole")


def test_a_page_too_long_to_hold_whole_is_read_as_it_is_written(
    db: Database, behind: ThreadApplier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over ``READ_AHEAD_MAX_CHARS`` (a type without iterators answers with every record in
    one page) a page applied behind is read in batches inside its transaction, not held whole
    before it: the same store, counts and watermarks, full and incremental."""
    monkeypatch.setattr(behind_module, "READ_AHEAD_MAX_CHARS", 0)
    monkeypatch.setattr(Behind, "_read_ahead", _held_whole)
    test_full_and_incremental_sync_equal_in_line(db, behind)


def test_a_probe_of_several_pages_is_compared_behind(
    db: Database, behind: ThreadApplier, caplog: pytest.LogCaptureFixture
) -> None:
    """An incremental run's probe pages (IDs and EditSequences, issue 12) applied behind
    store nothing and gather what the run fetches, as in line."""
    qb = FakeQuickBooks(company=make_company(11, 8), clock=lambda: DAY1)
    engine, company_id = SyncEngine(db, POLICY, behind=behind), create_company(db, "Acme").id
    run_session(engine, qb, company_id, "T1", DAY1)
    later = DAY1 + timedelta(hours=1)
    qb.clock = lambda: later
    for record in list(qb.company.iter_records("customers"))[:7]:  # three probe pages
        qb.company.touch("customers", str(record.data["ListID"]), later)
    with caplog.at_level(logging.ERROR, logger="connector.sync.behind"):
        run_session(engine, qb, company_id, "T2", later)
    assert not caplog.records  # applied behind, not failed there and redone in line
    assert_store_equals_company(db, company_id, qb.company)
    assert _inbox_size(db) == 0
    customers = _run_types(db, "T2")["customers"]
    assert (customers.fetched, customers.updated) == (7, 7)


class Recording(Executor):
    """Runs each page at once (``Inline``) and records the data type of each."""

    def __init__(self) -> None:
        self.types: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.types.append(args[0].data_type)  # pages.apply_stored_page(page, now)
        return Inline().submit(fn, *args, **kwargs)


def test_last_pages_wait_while_other_types_are_left_and_the_run_ends_in_line(
    db: Database,
) -> None:
    """A type's last page (a type of one page too) is applied behind while the run has other
    types to ask; the run's last page is applied in line, so the session ends at 100 with
    every type done. The store is what applying in line gives."""
    qb = FakeQuickBooks(company=make_company(10, 7), clock=lambda: DAY1)
    recording = Recording()
    engine = SyncEngine(db, POLICY, behind=ThreadApplier(recording))
    company_id = create_company(db, "Acme").id
    percents = run_session(engine, qb, company_id, "T1", DAY1)
    assert percents[-1] == 100 and 100 not in percents[:-1]
    assert recording.types.count("accounts") == 1  # its one page
    assert recording.types.count("customers") == 4  # 10 records in pages of 3: all four
    with db.begin() as conn:
        run = runs.run_for_ticket(conn, "T1")
        assert run is not None
        cursors = runs.load_cursors(conn, company_id)
    last = run.data_types[-1]
    assert last not in recording.types  # the run's last type: in line
    assert {cursors[k].state for k in run.data_types} == {"done"}
    assert _inbox_size(db) == 0
    assert_store_equals_company(db, company_id, qb.company)
    types = _run_types(db, "T1")
    assert (types["customers"].fetched, types["customers"].created) == (10, 10)
    assert {t.status for t in types.values()} == {"done"}


class _Later(Future[Any]):
    """Runs its page only when waited for (or never)."""

    def __init__(self, run: Callable[[], Any], log: list[str]) -> None:
        super().__init__()
        self._run, self._log = run, log

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            self._log.append("ran")
            self.set_result(self._run())
        return super().result(timeout)


class Lazy(Executor):
    """Hands pages over without running them: each runs when the engine waits for it."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.log.append("submitted")
        return _Later(lambda: fn(*args, **kwargs), self.log)

    def most_outstanding(self) -> int:
        most = outstanding = 0
        for entry in self.log:
            outstanding += 1 if entry == "submitted" else -1
            most = max(most, outstanding)
        return most


def test_a_page_is_applied_while_the_next_one_comes(db: Database) -> None:
    """The service waits only for pages older than the one before: a page is stored while
    the one before it is still applying, and every page is applied once, in order (the
    run's last page in line after all of them)."""
    qb = FakeQuickBooks(company=make_company(10, 7), clock=lambda: DAY1)
    lazy = Lazy()
    engine = SyncEngine(db, POLICY, behind=ThreadApplier(lazy))
    company_id = create_company(db, "Acme").id
    percents = run_session(engine, qb, company_id, "T1", DAY1)
    assert percents[-1] == 100
    assert lazy.most_outstanding() == 2
    assert lazy.log.count("submitted") == lazy.log.count("ran")  # end waited for them all
    assert _inbox_size(db) == 0
    assert_store_equals_company(db, company_id, qb.company)
    types = _run_types(db, "T1")
    assert (types["customers"].fetched, types["customers"].created) == (10, 10)
    assert {t.status for t in types.values()} == {"done"}
    with db.begin() as conn:
        cursors = runs.load_cursors(conn, company_id)
    assert cursors["customers"].fetched == 10  # each page counted once


def test_a_late_applier_of_a_page_taken_already_leaves_a_newer_page_alone(db: Database) -> None:
    """SQLite gives a new inbox row the ID of one taken since: an applier that comes late
    with the old page (another applied it first) must not read or take the new one."""
    company_id = create_company(db, "Acme").id
    with db.begin() as conn:
        run_id = runs.create_run(
            conn,
            company_id=company_id,
            connection_id=None,
            ticket="T1",
            kind="full",
            data_types=["accounts", "customers"],
            now=DAY1,
        )
        common = {"company_id": company_id, "run_id": run_id, "qbxml_version": "16.0"}
        old = inbox.put(
            conn, data_type="accounts", request_id="1.accounts", response="<a/>", now=DAY1, **common
        )
        assert inbox.take(conn, old)
        new = inbox.put(
            conn,
            data_type="customers",
            request_id="1.customers",
            response="<c/>",
            now=DAY1,
            **common,
        )
        if db.dialect == "sqlite":
            assert new.id == old.id  # what made a late applier take the wrong page
        assert inbox.response(conn, old) is None and not inbox.take(conn, old)
        assert inbox.response(conn, new) == "<c/>" and inbox.take(conn, new)


@pytest.mark.parametrize("stored", [False, True], ids=["before-store", "after-store"])
@pytest.mark.parametrize("after", [2, 3, 4, 6])
def test_cut_sessions_resume_without_loss(
    db: Database, behind: ThreadApplier, after: int, stored: bool
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
    dead = SyncEngine(db, POLICY, behind=ThreadApplier(killed))
    alive = SyncEngine(db, POLICY, behind=ThreadApplier(Inline()))
    ctx = SessionContext("conn-1", company_id, "T1", "13.0", "US", DAY1)
    qb.open_connection("", "qbd-connector")
    qb_ticket = qb.begin_session("")
    dead.begin(ctx, qb.process_request(qb_ticket, HCP_REQUEST))
    # accounts' one page waits in the inbox (other types are left to ask); then killed: a
    # next call on this instance would wait for that page first
    request = dead.next_request(ctx)
    assert request is not None and "AccountQueryRq" in request
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
    engines = [SyncEngine(db, POLICY, behind=ThreadApplier(pool)) for pool in pools]
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


@pytest.mark.parametrize("whole", [True, False], ids=["read-ahead", "read-as-written"])
def test_an_unreadable_page_applied_behind_stops_its_type_only(
    db: Database, behind: ThreadApplier, monkeypatch: pytest.MonkeyPatch, whole: bool
) -> None:
    """The second customers page breaks when read in full (its head was fine): customers
    stop with a FATAL error for this session, its watermark stays, the other types sync;
    whether the page was read before its transaction or, too long for that, inside it."""
    if not whole:
        monkeypatch.setattr(behind_module, "READ_AHEAD_MAX_CHARS", 0)
        monkeypatch.setattr(Behind, "_read_ahead", _held_whole)
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


def test_a_worker_process_applies_pages(db: Database) -> None:
    """The service's applier: a worker process with its own connection to the same store."""
    applier = applier_for(db)
    assert isinstance(applier, ProcessApplier)
    qb = FakeQuickBooks(company=make_company(12, 7), clock=lambda: DAY1)
    engine, company_id = SyncEngine(db, POLICY, behind=applier), create_company(db, "Acme").id
    try:
        percents = run_session(engine, qb, company_id, "T1", DAY1)
    finally:
        applier.shutdown()
    assert percents[-1] == 100 and percents == sorted(percents)
    assert _inbox_size(db) == 0
    assert_store_equals_company(db, company_id, qb.company)
    types = _run_types(db, "T1")
    assert (types["customers"].fetched, types["customers"].created) == (12, 12)


def test_an_in_memory_store_or_zero_workers_apply_on_a_thread(sqlite_db: Database) -> None:
    memory = Database.from_url("sqlite://")
    try:
        assert isinstance(applier_for(memory), ThreadApplier)
    finally:
        memory.dispose()
    assert isinstance(applier_for(sqlite_db, workers=0), ThreadApplier)
    two = applier_for(sqlite_db, workers=2)
    assert isinstance(two, ProcessApplier) and two._pool is None  # nothing until a session
    two.prepare()  # a session begins: the workers start without anyone waiting
    assert two._pool is not None and two._pool._max_workers == 2
    two.shutdown()


_ORPHAN = """
import sys, time
from connector.sync.behind import ProcessApplier
applier = ProcessApplier(sys.argv[1])
applier.pool.submit(time.sleep, 0).result()  # the worker is up
print(*[p.pid for p in applier.pool._processes.values()], flush=True)
time.sleep(600)
"""


def test_the_worker_ends_when_the_service_is_killed(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/orphan.db"
    service = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert service.stdout is not None
        worker = int(service.stdout.readline().split()[0])
        service.send_signal(signal.SIGKILL)
        service.wait()
        deadline = time.monotonic() + 60  # a liveness bound, not a speed check
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.2)
        assert not _alive(worker), "the worker outlived its service"
    finally:
        service.kill()
        service.wait()
        if service.stdout is not None:
            service.stdout.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = f"/proc/{pid}/status"
    if os.path.exists(status):  # a zombie has exited; only its parent's wait is missing
        with open(status) as f:
            return "State:\tZ" not in f.read()
    return True

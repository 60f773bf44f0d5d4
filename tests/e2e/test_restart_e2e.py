"""The service as real processes: ``qbd-connector serve`` killed (SIGKILL) and restarted
mid-sync loses nothing; two instances sharing one PostgreSQL serve one session whose calls
alternate between them (issue 5, "Scaling out")."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from connector.qbwc.client import SessionResult, SessionSummary, run_session
from connector.qbwc.client.envelopes import HttpReply, QbwcMethod
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbwc.qwc import Qwc
from connector.settings import Settings
from connector.store.db import Database
from qbd_emulator.child_service import ChildService, free_port
from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from tests.e2e.e2e_harness import Link, last_run, latest_now, link_company
from tests.sync.sync_harness import assert_store_equals_company


def started(database_url: str, port: int, log: Path) -> ChildService:
    """``qbd-connector serve`` started on ``port`` with its default page worker (a process:
    what a kill leaves half done) and small pages, so tiny companies' types take several
    iterator pages and kills and alternating instances land between a page's arrival and its
    applying."""
    child = ChildService(
        database_url,
        "qbd-restart-key",
        log,
        port=port,
        env={"QBD_APPLY_WORKERS": "1", "QBD_SYNC_PAGE_SIZE": "4"},
    )
    child.start()
    return child


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    db.migrate()
    yield db
    db.dispose()


class KillingQuickBooks(FakeQuickBooks):
    """Fake QuickBooks that kills the service while it processes request number ``at``."""

    def __init__(self, company: CompanyFile, serve: ChildService, at: int, **kw: object) -> None:
        super().__init__(company, **kw)  # type: ignore[arg-type]
        self.serve, self.at, self.seen = serve, at, 0

    def process_request(self, ticket: str, request: str) -> str:
        self.seen += 1
        answer = super().process_request(ticket, request)
        if self.seen == self.at:
            self.serve.kill()  # the response was computed but never reaches the service
        return answer


def _session(qwc: Qwc, password: str, qb: FakeQuickBooks) -> SessionSummary:
    with HttpxTransport(qwc.app_url, timeout=60) as transport:
        return run_session(qwc, password, SoapQbwcService(transport), qb, sleep=lambda _s: None)


def _linked_company(
    database: Database, database_url: str, seed: int, name: str
) -> tuple[CompanyFile, datetime, Link, int]:
    """A tiny generated company linked to a new connection, its "now", and a free port."""
    company = generate(seed, "tiny")
    port = free_port()
    link = link_company(database, Settings(database_url=database_url, port=port), name, company)
    return company, latest_now(company), link, port


# SIGKILL drops the service's end of a pooled keep-alive connection; httpcore then leaves
# the client socket to the garbage collector, whose ResourceWarning is noise here.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kill_at", [2, 5, 9, 14])
def test_service_killed_mid_sync_resumes_after_restart(
    database: Database, database_url: str, tmp_path: Path, kill_at: int
) -> None:
    company, now, link, port = _linked_company(database, database_url, 4, "Killed Co")
    serve = started(database_url, port, tmp_path / "serve.log")
    try:
        qb = KillingQuickBooks(company, serve, kill_at, clock=lambda: now)
        first = run_session(
            link.qwc,
            link.password,
            SoapQbwcService(HttpxTransport(link.qwc.app_url, timeout=60)),
            qb,
            sleep=lambda _s: None,
        )
        assert first.result is not SessionResult.DONE
    finally:
        serve.stop()
    serve = started(database_url, port, tmp_path / "serve.log")
    try:
        qb2 = FakeQuickBooks(company, clock=lambda: now)
        second = run_session(
            link.qwc,
            link.password,
            SoapQbwcService(HttpxTransport(link.qwc.app_url, timeout=60)),
            qb2,
            sleep=lambda _s: None,
        )
    finally:
        serve.stop()
    gc.collect()  # the orphaned socket's warning belongs to this test (filtered above)
    assert second.result is SessionResult.DONE, second
    assert_store_equals_company(database, link.company_id, company)
    assert last_run(database, link.company_id).status == "succeeded"


class KillAfterAnswer:
    """A SOAP transport that kills the service right after its ``at``-th receiveResponseXML
    answer arrived: the session waits for the Web Connector's next call (READY), the page
    may still wait in the inbox, and the next call finds no service."""

    def __init__(self, url: str, serve: ChildService, at: int) -> None:
        self.transport = HttpxTransport(url, timeout=60)
        self.serve, self.at, self.answered = serve, at, 0

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        reply = self.transport.post(method, envelope)
        if method is QbwcMethod.RECEIVE_RESPONSE_XML:
            self.answered += 1
            if self.answered == self.at:
                self.serve.kill()
        return reply

    def close(self) -> None:
        self.transport.close()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kill_after", [3, 8])
def test_a_new_session_right_after_a_restart_is_not_busy(
    database: Database, database_url: str, tmp_path: Path, kill_after: int
) -> None:
    """Issue 18 item 9: ``serve`` killed (SIGKILL) between two calls of a session, restarted,
    and the Web Connector's next update started at once is served (it was ``busy`` for the
    120 s idle window), and the pages stored before the kill are applied exactly once."""
    company, now, link, port = _linked_company(database, database_url, 6, "Restarted Co")
    serve = started(database_url, port, tmp_path / "serve.log")
    killing = KillAfterAnswer(link.qwc.app_url, serve, kill_after)
    try:
        qb = FakeQuickBooks(company, clock=lambda: now)
        first = run_session(link.qwc, link.password, SoapQbwcService(killing), qb)
    finally:
        killing.close()
        serve.stop()
    assert killing.answered == kill_after
    assert first.result is SessionResult.SOAP_ERROR, first
    serve = started(database_url, port, tmp_path / "serve.log")
    try:
        second = _session(link.qwc, link.password, FakeQuickBooks(company, clock=lambda: now))
    finally:
        serve.stop()
    gc.collect()
    assert second.result is SessionResult.DONE, second
    assert_store_equals_company(database, link.company_id, company)
    assert last_run(database, link.company_id).status == "succeeded"


class Alternating:
    """A SOAP transport posting each call to the next of several service instances."""

    def __init__(self, urls: list[str]) -> None:
        self.transports = [HttpxTransport(url, timeout=60) for url in urls]
        self.calls = 0

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        transport = self.transports[self.calls % len(self.transports)]
        self.calls += 1
        return transport.post(method, envelope)

    def close(self) -> None:
        for transport in self.transports:
            transport.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_instances_share_one_postgresql(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    company = generate(5, "tiny")
    now = latest_now(company)
    ports = [free_port(), free_port()]
    settings = Settings(database_url=database_url, port=ports[0])
    link = link_company(database, settings, "Shared Co", company)
    servers = [started(database_url, port, tmp_path / f"serve-{port}.log") for port in ports]
    alternating = Alternating([f"http://localhost:{port}/qbwc" for port in ports])
    try:
        qb = FakeQuickBooks(company, clock=lambda: now)
        summary = run_session(
            link.qwc, link.password, SoapQbwcService(alternating), qb, sleep=lambda _s: None
        )
    finally:
        alternating.close()
        for server in servers:
            server.stop()
    assert summary.result is SessionResult.DONE, summary
    assert alternating.calls > 10
    assert_store_equals_company(database, link.company_id, company)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_many_companies_at_once_across_two_instances(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    companies = [generate(seed, "tiny") for seed in (21, 22, 23)]
    ports = [free_port(), free_port()]
    settings = Settings(database_url=database_url, port=ports[0])
    links = [
        link_company(database, settings, f"Parallel Co {i}", c) for i, c in enumerate(companies)
    ]
    servers = [started(database_url, port, tmp_path / f"serve-{port}.log") for port in ports]
    results: dict[int, SessionSummary] = {}

    def sync(i: int) -> None:
        now = latest_now(companies[i])
        alternating = Alternating(
            [f"http://localhost:{port}/qbwc" for port in ports[i % 2 :] + ports[: i % 2]]
        )
        try:
            qb = FakeQuickBooks(companies[i], clock=lambda: now)
            results[i] = run_session(
                links[i].qwc,
                links[i].password,
                SoapQbwcService(alternating),
                qb,
                sleep=lambda _s: None,
            )
        finally:
            alternating.close()

    threads = [threading.Thread(target=sync, args=(i,)) for i in range(len(companies))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
    finally:
        for server in servers:
            server.stop()
    for i, company in enumerate(companies):
        assert results[i].result is SessionResult.DONE, results[i]
        assert_store_equals_company(database, links[i].company_id, company)

"""Web Connector sessions cut at random points over real HTTP: a call is lost before it
reaches the service, or its reply is lost after the service stored the response (also in
the middle of an iterator). The next complete session leaves store == company, with no
record lost or duplicated (issue 5)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from connector.qbwc.client import ClientConfig, SessionResult, run_session
from connector.qbwc.client.envelopes import FailureKind, HttpReply, QbwcMethod, SoapCallError
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.store.db import Database
from connector.store.tables_qbwc import qbwc_sessions
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from tests.e2e.e2e_harness import last_run, latest_now, link_company, live_service
from tests.sync.sync_harness import assert_store_equals_company


class CuttingTransport:
    """Posts through ``inner``; the ``at``-th receiveResponseXML is cut before the service
    sees it (``after_store=False``) or after it answered (``after_store=True``)."""

    def __init__(self, inner: HttpxTransport, at: int, after_store: bool) -> None:
        self.inner, self.at, self.after_store = inner, at, after_store
        self.receives = 0
        self.cut = False

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        if self.cut:
            raise SoapCallError(method, FailureKind.TRANSPORT, "the line is down")
        if method is QbwcMethod.RECEIVE_RESPONSE_XML:
            self.receives += 1
            if self.receives == self.at:
                self.cut = True
                if self.after_store:
                    self.inner.post(method, envelope)
                raise SoapCallError(method, FailureKind.TRANSPORT, "connection reset")
        return self.inner.post(method, envelope)


def _time_passes(database: Database, company_id: str) -> None:
    """The Web Connector comes back at its next scheduled run, minutes later: the broken
    session is then abandoned, not ``busy`` (connector.qbwc.server.authenticate idle rules)."""
    table = qbwc_sessions
    with database.begin() as conn:
        rows = conn.execute(
            select(table.c.ticket_hash, table.c.updated_at).where(table.c.company_id == company_id)
        ).all()
        for key, updated in rows:
            earlier = updated - timedelta(minutes=15)
            conn.execute(update(table).where(table.c.ticket_hash == key).values(updated_at=earlier))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    db.migrate()
    yield db
    db.dispose()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_cuts_then_a_complete_session(database: Database, seed: int) -> None:
    rng = random.Random(seed)
    company = generate(seed, "tiny")
    now = latest_now(company)
    config = ClientConfig(noop_wait_seconds=0, max_noops=3)
    with live_service(database) as settings:
        link = link_company(database, settings, f"Cut Co {seed}", company)
        for _ in range(2):  # two broken sessions in a row
            at, after = rng.randint(1, 25), rng.random() < 0.5
            with HttpxTransport(link.qwc.app_url, timeout=60) as inner:
                cutter = CuttingTransport(inner, at, after)
                qb = FakeQuickBooks(company, clock=lambda: now)
                broken = run_session(
                    link.qwc,
                    link.password,
                    SoapQbwcService(cutter),
                    qb,
                    config=config,
                    sleep=lambda _s: None,
                )
            assert cutter.cut and broken.result is not SessionResult.DONE
            _time_passes(database, link.company_id)
        with HttpxTransport(link.qwc.app_url, timeout=60) as inner:
            qb = FakeQuickBooks(company, clock=lambda: now)
            done = run_session(
                link.qwc,
                link.password,
                SoapQbwcService(inner),
                qb,
                config=config,
                sleep=lambda _s: None,
            )
    assert done.result is SessionResult.DONE, done
    assert_store_equals_company(database, link.company_id, company)
    assert last_run(database, link.company_id).status == "succeeded"

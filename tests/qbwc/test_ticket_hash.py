"""Tickets are not kept (issue 18 item 10): the store keys sessions by the ticket's SHA-256.

A full sync over real HTTP (the QBWC client with the fake QuickBooks against the live service
and the real sync engine) is watched call by call: after every SOAP call no column of any
table holds the ticket, and nothing the service logs does. The store looks sessions up by
the hash, so a call with the ticket still finds its session and one with the hash does not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from connector.qbwc.client import SessionResult
from connector.qbwc.client.envelopes import HttpReply, QbwcMethod, read_array_result
from connector.qbwc.client.transport import SoapTransport
from connector.qbwc.server.service import QbwcService
from connector.qbwc.server.session import UNKNOWN_TICKET
from connector.secrets import ticket_hash
from connector.store import qbwc_sessions as store
from connector.store.db import Database
from connector.store.schema import metadata
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import run_webconnector
from tests.e2e.e2e_harness import latest_now, link_company, live_service
from tests.qbwc.scripted_work import ScriptedWork, cheap_hashing, make_connection


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    db.migrate()
    yield db
    db.dispose()


def holders(database: Database, needle: str) -> list[str]:
    """``table.column`` of every stored value that contains ``needle``."""
    found = []
    with database.begin(write=False) as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).mappings():
                found += [f"{table.name}.{k}" for k, v in row.items() if needle in str(v)]
    return found


class Watch:
    """On the SOAP link: learns the ticket from authenticate's answer, then looks for it in
    the whole store after every call."""

    def __init__(self, inner: SoapTransport, database: Database) -> None:
        self.inner, self.database = inner, database
        self.ticket: str | None = None
        self.calls = 0
        self.found: set[str] = set()

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        reply = self.inner.post(method, envelope)
        if method is QbwcMethod.AUTHENTICATE:
            self.ticket = read_array_result(method, reply)[0]
        if self.ticket:
            self.calls += 1
            self.found.update(holders(self.database, self.ticket))
        return reply


def test_no_table_and_no_log_line_holds_a_ticket_during_a_sync(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    company = generate(5, "tiny")
    now = latest_now(company)
    caplog.set_level(logging.DEBUG, logger="connector")
    with live_service(database) as settings:
        link = link_company(database, settings, "Co", company)
        watches: list[Watch] = []

        def watched(inner: SoapTransport) -> SoapTransport:
            watches.append(Watch(inner, database))
            return watches[-1]

        qb = FakeQuickBooks(company=company, clock=lambda: now)
        summary = run_webconnector(
            link.qwc, link.password, qb, timeout=120, sleep=lambda _s: None, wrap_transport=watched
        )
    assert summary.result is SessionResult.DONE, summary
    (watch,) = watches
    assert watch.ticket and watch.calls > 3  # sendRequestXML/receiveResponseXML pairs, close
    assert watch.found == set()
    assert holders(database, ticket_hash(watch.ticket))  # the session is there, by its hash
    assert watch.ticket not in caplog.text


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_hashing(monkeypatch)


def test_sessions_are_found_by_the_tickets_hash_only(db: Database) -> None:
    row, password = make_connection(db, "Acme")
    service = QbwcService(db, ScriptedWork())
    ticket = service.authenticate(row.username, password)[0]
    with db.begin() as conn:
        assert store.load_session(conn, ticket) is None
        stored = store.load_session(conn, ticket_hash(ticket))
    assert stored is not None and stored.state.ticket_hash == ticket_hash(ticket)
    assert service.get_last_error(ticket_hash(ticket)) == UNKNOWN_TICKET  # the hash is no ticket
    assert service.close_connection(ticket) != UNKNOWN_TICKET

"""The QBWC client against the LIVE service: real uvicorn on loopback serving ``create_app``
(REST + the spyne SOAP endpoint), a scripted WorkSource, and the fake QuickBooks.

Each test is one way a Web Connector session ends: done, nothing to do (none), bad password
(nvu), busy, postponed (sync window closed), QuickBooks not running (connectionError
0x80040408), a parse-error hresult mid-session (0x80040400) and NoOp.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connector.api.app import create_app
from connector.qbwc.client import ClientConfig, SessionResult, SessionSummary, run_session
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbwc.qwc import Qwc, connection_qwc, parse_qwc
from connector.settings import Settings
from connector.store.companies import get_company
from connector.store.connections import WEEKDAYS, SyncWindow, set_schedule
from connector.store.db import Database
from qbd_emulator.child_service import free_port
from qbd_emulator.company import CompanyFile
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import add_application
from tests.qbwc.client_server import self_signed_cert, serve
from tests.qbwc.scripted_work import REQUEST, ScriptedWork, make_connection

HEAD = ["serverVersion", "clientVersion", "authenticate"]
PAIR = ["sendRequestXML", "receiveResponseXML"]

PARSE_ERROR_REQUEST = '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><Bogus/></QBXML>'


@dataclass
class Live:
    db: Database
    work: ScriptedWork
    port: int
    qwc: Qwc
    password: str
    connection_id: str
    company: CompanyFile

    def session(
        self,
        *,
        password: str | None = None,
        running: bool = True,
        sleep: object = None,
        verify: bool | str = True,
    ) -> SessionSummary:
        processor = FakeQuickBooks(
            self.company, clock=lambda: datetime(2026, 1, 5, 9, tzinfo=UTC), running=running
        )
        with HttpxTransport(self.qwc.app_url, verify=verify, timeout=30) as transport:
            return run_session(
                self.qwc,
                self.password if password is None else password,
                SoapQbwcService(transport),
                processor,
                config=ClientConfig(noop_wait_seconds=0.01),
                sleep=sleep or (lambda _: None),  # type: ignore[arg-type]
            )


def _start(
    db: Database, tmp_path: Path, work: ScriptedWork, *, https: bool = False
) -> Iterator[Live]:
    port = free_port()
    ssl: dict[str, str] = {}
    if https:
        cert, key = self_signed_cert(tmp_path)
        ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    settings = Settings(database_url="sqlite://", port=port, **ssl)  # type: ignore[arg-type]
    app = create_app(settings, database=db, work_source_factory=lambda _db, _s: work)
    row, password = make_connection(db, "Acme")
    qwc = parse_qwc(connection_qwc(settings, get_company(db, "Acme"), row))
    company = CompanyFile(
        company_info={"IsSampleCompany": False, "CompanyName": "Acme"}, preferences={}
    )
    add_application(qwc, FakeQuickBooks(company))
    with serve(app, port, **ssl):
        yield Live(db, work, port, qwc, password, row.id, company)


@pytest.fixture
def live(sqlite_db: Database, tmp_path: Path) -> Iterator[Live]:
    yield from _start(sqlite_db, tmp_path, ScriptedWork(per_connection=2))


def test_done(live: Live) -> None:
    summary = live.session()
    assert summary.result is SessionResult.DONE, summary.errors
    assert list(summary.calls) == [*HEAD, *PAIR, *PAIR, "closeConnection"]
    assert summary.requests_processed == 2
    assert summary.qbxml_version == "16.0"
    assert summary.server_version
    names = live.work.names()
    assert names[0] == "begin" and names.count("apply_response") == 2 and names[-1] == "end"
    # The fake QuickBooks answered the service's requests, and the service got them.
    script = live.work.scripts[live.connection_id]
    assert all("<CustomerQueryRs" in response for response in script.responses)


def test_nothing_to_do(live: Live) -> None:
    live.work.work_available = False
    summary = live.session()
    assert summary.result is SessionResult.NO_WORK
    assert list(summary.calls) == [*HEAD, "closeConnection"]
    assert "begin" not in live.work.names()


def test_bad_password(live: Live) -> None:
    summary = live.session(password="wrong")
    assert summary.result is SessionResult.INVALID_USER
    assert list(summary.calls) == [*HEAD, "closeConnection"]
    assert any(e.startswith("QBWC1040") for e in summary.errors)


def test_busy(live: Live) -> None:
    # Another Web Connector already holds a live session of this connection.
    with HttpxTransport(live.qwc.app_url, timeout=30) as transport:
        other = SoapQbwcService(transport).authenticate(live.qwc.user_name, live.password)
    assert other[1] not in ("nvu", "none", "busy")
    summary = live.session()
    assert summary.result is SessionResult.BUSY
    assert summary.postpone_seconds is not None and summary.postpone_seconds > 0
    assert list(summary.calls) == [*HEAD, "closeConnection"]


def test_postponed_outside_the_sync_window(live: Live) -> None:
    now = datetime.now(UTC)
    window = SyncWindow(
        start=(now + timedelta(hours=2)).time().replace(second=0, microsecond=0),
        end=(now + timedelta(hours=3)).time().replace(second=0, microsecond=0),
        days=WEEKDAYS,
        timezone="UTC",
    )
    set_schedule(live.db, live.connection_id, 60, window)
    summary = live.session()
    assert summary.result is SessionResult.NO_WORK
    assert summary.postpone_seconds is not None
    assert 3600 <= summary.postpone_seconds <= 2 * 3600 + 60


def test_quickbooks_not_running(live: Live) -> None:
    summary = live.session(running=False)
    assert summary.result is SessionResult.CONNECTION_ERROR
    assert list(summary.calls) == [*HEAD, "connectionError", "closeConnection"]
    assert "0x80040408" in summary.errors[0]
    assert "apply_response" not in live.work.names()


def test_parse_error_hresult_mid_session(live: Live) -> None:
    live.work._script(live.connection_id).requests[1] = PARSE_ERROR_REQUEST
    summary = live.session()
    assert summary.result is SessionResult.SERVICE_ERROR
    assert list(summary.calls) == [*HEAD, *PAIR, *PAIR, "getLastError", "closeConnection"]
    assert (summary.requests_processed, summary.processor_errors) == (1, 1)
    assert tuple(detail for name, _, detail in live.work.calls if name == "apply_error") == (
        "0x80040400",
    )
    assert "0x80040400" in summary.last_error


def test_noop_then_work_arrives(live: Live) -> None:
    script = live.work._script(live.connection_id)
    script.requests.clear()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # work arrives while the Web Connector waits
        sleeps.append(seconds)
        if len(sleeps) == 2:
            script.requests.append(REQUEST.format(version="13.0", n="late"))

    summary = live.session(sleep=sleep)
    assert summary.result is SessionResult.DONE, (summary.errors, summary.last_error)
    assert summary.noops == 2 and len(sleeps) == 2
    assert list(summary.calls) == [
        *HEAD,
        *["sendRequestXML", "getLastError"] * 2,
        *PAIR,
        "closeConnection",
    ]


def test_noop_until_the_service_gives_up(live: Live) -> None:
    live.work._script(live.connection_id).requests.clear()
    summary = live.session()
    assert summary.result is SessionResult.SERVICE_ERROR
    assert summary.noops >= 1
    assert summary.calls[-1] == "closeConnection"


def test_over_https_with_the_self_signed_ca(sqlite_db: Database, tmp_path: Path) -> None:
    for live in _start(sqlite_db, tmp_path, ScriptedWork(per_connection=1), https=True):
        assert live.qwc.app_url.startswith("https://localhost:")
        summary = live.session(verify=str(tmp_path / "cert.pem"))
        assert summary.result is SessionResult.DONE, summary.errors

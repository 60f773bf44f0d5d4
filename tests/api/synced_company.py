"""A company synced by the real sync engine from the fake QuickBooks, and the REST API over it.

Shared by ``test_routes_data.py`` and ``test_routes_sync.py``: the engine runs Web Connector
sessions through ``tests/sync/sync_harness.py`` (no SOAP), then the tests read the store back
through ``create_app`` over httpx's ASGI transport (as ``test_core.py`` does: Starlette's
TestClient warns, and warnings are errors here).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from connector.api.app import create_app
from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Progress, SessionContext, WorkSource
from connector.settings import Settings
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.processor import FakeQuickBooks
from tests.sync.sync_harness import T0, make_company, run_session

KEY = "data-routes-test-key"
FIRST = (T0 + timedelta(days=1)).astimezone(UTC)
"""When the first session runs (UTC, as the SOAP service's clock gives it)."""


class NoWork:
    """A WorkSource with nothing to do: these tests sync through the engine directly, and the
    core API tests do not sync at all."""

    def has_work(self, connection_id: str, now: datetime) -> bool:
        return False

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None: ...

    def next_request(self, ctx: SessionContext) -> str | None:
        return None

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        return Progress(100)

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        return Progress(100)

    def end(self, ctx: SessionContext, reason: str) -> str:
        return "nothing to do"


def no_work(_database: Database, _settings: Settings) -> WorkSource:
    return NoWork()


class Client:
    """A synchronous face over httpx's ASGI transport."""

    def __init__(self, app: FastAPI, token: str | None = KEY) -> None:
        self.app, self.token = app, token

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.get(url, headers=headers, **kwargs)

        return asyncio.run(go())


@dataclass
class Synced:
    db: Database
    company_id: str
    qb: FakeQuickBooks
    engine: SyncEngine
    app: FastAPI
    client: Client
    sessions: int = 0

    def sync(self, now: datetime) -> None:
        """One more Web Connector session at ``now`` (QuickBooks' clock set to it too)."""
        self.qb.clock = lambda: now
        self.sessions += 1
        percents = run_session(self.engine, self.qb, self.company_id, f"T{self.sessions}", now)
        assert percents[-1] == 100


def synced_company(
    db: Database, *, customers: int = 11, invoices: int = 7, sync: bool = True
) -> Synced:
    """A company of ``make_company`` fully synced once at ``FIRST`` (``sync=False``: not yet,
    for tests that need no records)."""
    qb = FakeQuickBooks(company=make_company(customers, invoices), clock=lambda: FIRST)
    engine = SyncEngine(db, Policy(page_size=4))
    company_id = create_company(db, "Acme").id
    settings = Settings(database_url=db.url, port=8080, bootstrap_api_key=KEY)
    app = create_app(settings, database=db, work_source_factory=no_work)
    synced = Synced(db, company_id, qb, engine, app, Client(app))
    if sync:
        synced.sync(FIRST)
    return synced


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The body's ``error`` object, checked to have the API's one error shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error

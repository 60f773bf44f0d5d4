"""Issue 18 item 8: ``/api/v1/health`` needs no key, so when the database is gone it says
"degraded" and nothing else; the driver's message (host, port, database name, a SQLAlchemy
link) goes to the log only."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from connector.api.app import create_app
from connector.settings import Settings
from connector.store.db import Database
from tests.api.synced_company import no_work

pytestmark = pytest.mark.filterwarnings("ignore:_SixMetaPathImporter:ImportWarning")

GONE = "postgresql+psycopg://secretuser@127.0.0.1:1/secretdb"


def test_health_says_degraded_without_the_driver_message(caplog: pytest.LogCaptureFixture) -> None:
    database = Database.from_url(GONE)
    app = create_app(Settings(database_url=GONE), database=database, work_source_factory=no_work)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/api/v1/health")

    try:
        with caplog.at_level(logging.ERROR):
            response = asyncio.run(get())
    finally:
        database.dispose()
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "unavailable" and "degraded" in error["message"]
    for leak in ("127.0.0.1", ":1", "secretdb", "secretuser", "sqlalche.me", "psycopg"):
        assert leak not in response.text, leak
    assert "secretdb" in caplog.text or "127.0.0.1" in caplog.text  # the detail is logged

"""``qbd-connector demo``: a full sync on the first run, an incremental one on the second,
in one folder, as real subprocesses (the emulator is reached as a program)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from connector.api.app import create_app
from connector.cli import main
from connector.demo import DemoLink, DemoResult
from connector.settings import Settings
from connector.store.api_keys import create_api_key
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.sync_runs import SyncRun


def _demo(folder: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "QBD_DATABASE_URL"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "connector",
            "demo",
            "--size",
            "tiny",
            "--seed",
            "3",
            "--exit",
            "--json",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == ""  # quiet when not on a terminal
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_demo_syncs_fully_then_incrementally(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert first["run"]["status"] == "succeeded" and first["run"]["kind"] == "full"
    assert not first["incremental"]
    assert first["records"]["customers"] > 0 and first["records"]["invoices"] > 0
    assert first["recordsFetched"] == sum(t["fetched"] for t in first["run"]["types"])
    assert first["urls"]["openApi"].endswith("/api/v1/openapi.json")
    company_url = f"/api/v1/companies/{first['companyId']}"
    assert first["urls"]["customers"].endswith(f"{company_url}/data/customers")
    assert first["urls"]["syncs"].endswith(f"{company_url}/syncs")
    assert first["apiKey"] and first["companyId"]
    for name in ("qbd-connector.db", "qbd-demo-company.json.gz", "qbd-demo.json", "qbd-demo.qwc"):
        assert (tmp_path / name).exists(), name

    second = _demo(tmp_path)
    assert second["companyId"] == first["companyId"] and second["apiKey"] == first["apiKey"]
    assert second["incremental"] and second["run"]["kind"] == "incremental"
    assert second["run"]["status"] == "succeeded", second["run"]["errors"]
    types = {t["dataType"]: t for t in second["run"]["types"]}
    assert types["customers"]["created"] >= 1 and types["customers"]["updated"] >= 1
    assert types["deleted_txns"]["deleted"] >= 1
    # incremental: far fewer records fetched than the full sync
    assert second["recordsFetched"] < first["recordsFetched"] / 2


def test_demo_help(capsys: Any) -> None:
    try:
        main(["demo", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "--size" in out and "--exit" in out and "--json" in out


def test_demo_urls_are_all_served(sqlite_db: Database) -> None:
    """Every URL the demo prints answers on the app it runs (none is a page yet to come)."""
    settings = Settings(database_url=sqlite_db.url, port=8123)
    company = create_company(sqlite_db, "Demo Company")
    _, key = create_api_key(sqlite_db, "demo")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    run = SyncRun("r", company.id, None, None, "succeeded", "full", [], now, now, now, None)
    link = DemoLink(company.id, "c", "password", key, "tiny", 1)
    urls = DemoResult(link, settings, run, {}, 1.0, False, {}).urls()
    assert {"restApi", "openApi", "docs", "customers", "syncs", "qbwc"} <= set(urls)

    async def status(url: str) -> int:
        assert url.startswith(settings.public_url), url
        transport = httpx.ASGITransport(app=create_app(settings, database=sqlite_db))
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as c:
            response = await c.get(url, headers={"Authorization": f"Bearer {key}"})
            return response.status_code

    assert {name: asyncio.run(status(url)) for name, url in urls.items()} == dict.fromkeys(
        urls, 200
    )

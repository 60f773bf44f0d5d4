"""Manual syncs (issue 19): ``POST /syncs`` queues one, ``GET /syncs`` lists it queued, a
second request widens the queued one, an unknown data type is refused, and ``qbd-connector
sync request`` queues the same way. Running them in a session: ``test_sync_gate.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI

from connector.api.app import create_app
from connector.cli import main
from connector.store.db import Database
from tests.portal.portal_client import PageClient, make_settings

pytestmark = pytest.mark.filterwarnings("ignore:_SixMetaPathImporter:ImportWarning")


@pytest.fixture
def app(sqlite_db: Database) -> FastAPI:
    return create_app(make_settings(sqlite_db), database=sqlite_db)


def test_a_manual_sync_is_queued_widened_and_listed(app: FastAPI) -> None:
    client = PageClient(app)
    company = client.api("POST", "/companies", json={"name": "Manual Co"}).json()
    base = f"/companies/{company['id']}/syncs"
    first = client.api("POST", base, json={"dataTypes": ["customers"]})
    assert first.status_code == 202
    queued = first.json()
    assert queued["status"] == "queued" and queued["dataTypes"] == ["customers"]
    again = client.api("POST", base, json={"dataTypes": ["invoices", "customers"]}).json()
    assert again["id"] == queued["id"] and again["dataTypes"] == ["customers", "invoices"]
    everything = client.api("POST", base).json()
    assert everything["id"] == queued["id"] and everything["dataTypes"] == []
    listed = client.api("GET", base).json()["data"]
    assert [(r["id"], r["status"]) for r in listed] == [(queued["id"], "queued")]
    assert client.api("GET", f"{base}/{queued['id']}").json()["status"] == "queued"
    unknown = client.api("POST", base, json={"dataTypes": ["customers", "unicorns"]})
    assert unknown.status_code == 422 and unknown.json()["error"]["details"]["unknown"] == [
        "unicorns"
    ]
    assert client.api("POST", "/companies/nope/syncs").status_code == 404


def test_sync_request_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["company", "create", "Cli Co", "--database-url", url]) == 0
    capsys.readouterr()
    code = main(["sync", "request", "Cli Co", "--type", "vendors", "--json", "--database-url", url])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["status"] == "queued"
    assert json.loads(out)["dataTypes"] == ["vendors"]
    code = main(["sync", "request", "Cli Co", "--type", "dragons", "--database-url", url])
    _, err = capsys.readouterr()
    assert code == 2 and "dragons" in err
    assert main(["sync", "request", "Nobody", "--database-url", url]) == 2


def test_the_next_session_runs_the_queued_sync_first_and_reports_it(sqlite_db: Database) -> None:
    from datetime import timedelta

    from connector.store.companies import create_company
    from connector.store.sync_runs import get_run
    from connector.sync.engine import SyncEngine
    from qbd_emulator.processor import FakeQuickBooks
    from tests.sync.sync_harness import T0, make_company, run_session

    app = create_app(make_settings(sqlite_db), database=sqlite_db)
    client = PageClient(app)
    company_id = create_company(sqlite_db, "Queued Co").id
    engine, fake = SyncEngine(sqlite_db), make_company()
    run_session(engine, FakeQuickBooks(company=fake), company_id, "t1" * 16, T0)
    queued = client.api("POST", f"/companies/{company_id}/syncs", json={"dataTypes": ["invoices"]})
    sync_id = queued.json()["id"]
    run_session(
        engine, FakeQuickBooks(company=fake), company_id, "t2" * 16, T0 + timedelta(minutes=5)
    )
    done = client.api("GET", f"/companies/{company_id}/syncs/{sync_id}").json()
    assert done["status"] == "succeeded" and done["dataTypes"][0] == "invoices"
    assert done["kind"] == "incremental" and len(done["types"]) == len(done["dataTypes"]) > 1
    with sqlite_db.begin() as conn:
        run = get_run(conn, sync_id)
    assert run is not None and run.ticket == "t2" * 16
    listed = client.api("GET", f"/companies/{company_id}/syncs").json()["data"]
    assert [r["status"] for r in listed] == ["succeeded", "succeeded"]

"""``qbd-emulator serve`` over real HTTP on loopback (issue 10, server mode): the command runs
as a subprocess on port 0; its companies answer qbXML exactly as ``qbd-emulator qbxml`` does,
and its Web Connector runs sync a live connector service (in this process) end to end."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.qbwc.qwc import connection_qwc
from connector.settings import Settings
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from qbd_emulator.cli import main
from qbd_emulator.company import save
from qbd_emulator.generate import generate
from tests.e2e.e2e_harness import live_service
from tests.sync.sync_harness import assert_store_equals_company, store_state

NOW = "2026-01-05T09:00:00-05:00"
CUSTOMERS = (
    '<?xml version="1.0" ?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerQueryRq requestID="1"><MaxReturned>3</MaxReturned></CustomerQueryRq>'
    "</QBXMLMsgsRq></QBXML>"
)


@pytest.fixture
def emulator() -> Iterator[httpx.Client]:
    command = [sys.executable, "-m", "qbd_emulator", "serve", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert "listening on http://127.0.0.1:" in line, line
            with httpx.Client(base_url=line.rsplit(" ", 1)[1].strip(), timeout=120) as client:
                yield client
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _connection(db: Database, settings: Settings, name: str) -> tuple[str, str, str]:
    with db.begin() as conn:
        row = create_company(conn, name)
        connection, password = create_connection(
            conn, row.id, "desktop_app", owner_id=settings.owner_id
        )
        return row.id, connection_qwc(settings, row, connection), password


def test_companies_answer_as_the_qbxml_command(
    emulator: httpx.Client,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert emulator.get("/health").json()["status"] == "ok"
    made = emulator.post("/companies", json={"seed": 3, "size": "tiny"})
    assert made.status_code == 201, made.text
    company_id = made.json()["id"]
    assert emulator.get(f"/companies/{company_id}").json()["counts"] == (
        generate(3, "tiny").counts()
    )

    answer = emulator.post(f"/companies/{company_id}/qbxml", params={"now": NOW}, content=CUSTOMERS)
    assert answer.status_code == 200 and "<CustomerRet>" in answer.text
    monkeypatch.setattr("sys.stdin", io.StringIO(CUSTOMERS))
    assert main(["qbxml", "--seed", "3", "--size", "tiny", "--now", NOW]) == 0
    assert answer.text == capsys.readouterr().out

    indented = {"now": NOW, "layout": "indented"}
    laid_out = emulator.post(f"/companies/{company_id}/qbxml", params=indented, content=CUSTOMERS)
    monkeypatch.setattr("sys.stdin", io.StringIO(CUSTOMERS))
    assert (
        main(["qbxml", "--seed", "3", "--size", "tiny", "--now", NOW, "--layout", "indented"]) == 0
    )
    assert laid_out.status_code == 200 and laid_out.text == capsys.readouterr().out
    assert laid_out.text.endswith("</QBXML>\n") and "\n    <CustomerQueryRs" in laid_out.text
    unknown = emulator.post(
        f"/companies/{company_id}/qbxml", params={"layout": "x"}, content=CUSTOMERS
    )
    assert unknown.status_code == 422 and "error" in unknown.json()

    refused = emulator.post(f"/companies/{company_id}/qbxml", content="<QBXML>")
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["hresult"] == "0x80040400"
    missing = emulator.get("/companies/co_999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad_size = emulator.post("/companies", json={"seed": 1, "size": "enormous"})
    assert bad_size.status_code == 422 and "enormous" in bad_size.json()["error"]["message"]

    saved = tmp_path / "company.qbe"
    save(generate(3, "tiny"), saved)
    loaded = emulator.post("/companies", json={"file": str(saved)})
    assert loaded.status_code == 201 and loaded.json()["file"] == str(saved)
    assert loaded.json()["counts"] == made.json()["counts"]
    junk = tmp_path / "junk.qbe"
    junk.write_bytes(b"not a company")
    unreadable = emulator.post("/companies", json={"file": str(junk)})
    assert unreadable.status_code == 422, unreadable.text
    assert unreadable.json()["error"]["code"] == "bad_company_file"

    changed = emulator.post(f"/companies/{company_id}/mutate", json={"seed": 2}).json()
    assert changed["added"]["customers"] == 1
    counts = emulator.get(f"/companies/{company_id}").json()["counts"]
    assert counts["customers"] == generate(3, "tiny").count("customers") + 1
    paths = emulator.get("/openapi.json").json()["paths"]
    assert {"/companies", "/companies/{company_id}/qbxml", "/webconnector/runs"} <= set(paths)
    assert emulator.post("/reset").json() == {"dropped": 2}
    assert emulator.get("/health").json()["companies"] == 0


def test_a_run_syncs_a_live_service(emulator: httpx.Client, sqlite_db: Database) -> None:
    company_id = emulator.post("/companies", json={"seed": 4, "size": "tiny"}).json()["id"]
    with live_service(sqlite_db) as settings:
        store_id, qwc, password = _connection(sqlite_db, settings, "Served Co")
        body = {"qwc": qwc, "password": password, "companyId": company_id, "record": True}
        body["layout"] = "indented"  # answers one element a line, as QuickBooks writes them
        run = emulator.post("/webconnector/runs", json=body)
        assert run.status_code == 200, run.text
        got = run.json()
        assert got["ok"] and got["summary"]["result"] == "done", got["summary"]
        assert_store_equals_company(sqlite_db, store_id, generate(4, "tiny"))
        assert got["cassette"]["format"] == "qbd-emulator/quickbooks-link"
        answers = [str(i.get("response", "")) for i in got["cassette"]["interactions"]]
        assert sum("\n  <QBXMLMsgsRs>" in a for a in answers) > 30  # every answer laid out
        assert emulator.get(f"/webconnector/runs/{got['id']}").json()["id"] == got["id"]

        other_id, other_qwc, other_password = _connection(sqlite_db, settings, "Other Co")
        body = {"qwc": other_qwc, "password": other_password, "companyId": company_id}
        bound = emulator.post("/webconnector/runs", json=body)
        assert bound.status_code == 409, bound.text
        assert bound.json()["error"]["message"].startswith("QBWC1026")
        assert all(not records for records in store_state(sqlite_db, other_id).values())
        neither = emulator.post("/webconnector/runs", json={"qwc": qwc, "password": "x"})
        assert neither.status_code == 422

"""``qbd-emulator webconnector`` end to end: the command against the live service (uvicorn +
``create_app``) with a generated or saved fake company, human and JSON output, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from connector.api.app import create_app
from connector.qbwc.qwc import connection_qwc
from connector.settings import Settings
from connector.store.companies import get_company
from connector.store.db import Database
from qbd_emulator.child_service import free_port
from qbd_emulator.cli import main
from qbd_emulator.company import load, save
from qbd_emulator.generate import generate
from tests.qbwc.client_server import serve
from tests.qbwc.scripted_work import ScriptedWork, make_connection


@dataclass
class Service:
    qwc: Path
    password: str
    work: ScriptedWork


@pytest.fixture
def service(sqlite_db: Database, tmp_path: Path) -> Iterator[Service]:
    port = free_port()
    settings = Settings(database_url="sqlite://", port=port)
    work = ScriptedWork(per_connection=3)
    app = create_app(settings, database=sqlite_db, work_source_factory=lambda _d, _s: work)
    # Generated passwords are URL-safe base64 and may start with '-' (1 in 64): this one
    # always does, so every command line here must pass it as --password=P.
    row, password = make_connection(sqlite_db, "Acme", password="-Dash-leading_password-1")
    qwc = tmp_path / "acme.qwc"
    qwc.write_text(connection_qwc(settings, get_company(sqlite_db, "Acme"), row))
    with serve(app, port):
        yield Service(qwc, password, work)


def test_generated_company_json(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["webconnector", "--qwc", str(service.qwc), f"--password={service.password}"]
    assert main([*args, "--seed", "3", "--size", "tiny", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["result"] == "done"
    assert summary["requests_processed"] == 3
    assert summary["calls"][-1] == "closeConnection"
    assert summary["min_run_seconds"] == 3600
    assert summary["next_run_seconds"] == 3600  # QWC Scheduler 60 min, authenticate [3]


def test_the_fake_can_answer_as_quickbooks_lays_answers_out(
    service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--layout indented``: the responses the service receives are one element a line,
    a line break at the end, across SOAP (``FakeQuickBooks.layout``)."""
    args = ["webconnector", "--qwc", str(service.qwc), f"--password={service.password}"]
    assert main([*args, "--seed", "3", "--layout", "indented", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "done"
    (script,) = service.work.scripts.values()
    assert len(script.responses) == 3
    for response in script.responses:
        assert response.endswith("</QBXML>\n") and "\n  <QBXMLMsgsRs>\n    <" in response


def test_saved_company_human_output(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    company = tmp_path / "company.qbe"
    save(generate(5, "tiny"), company)
    args = ["webconnector", "--qwc", str(service.qwc), f"--password={service.password}"]
    assert main([*args, "--company", str(company)]) == 0
    out = capsys.readouterr().out
    assert "result: done" in out
    assert "(sendRequestXML receiveResponseXML) x3 closeConnection" in out
    assert "next update (Auto Run): in 3600 s" in out
    assert load(company).data_ext == []  # without --save-company the file is left alone


def test_save_company_keeps_what_quickbooks_wrote(
    service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    company = tmp_path / "company.qbe"
    save(generate(5, "tiny"), company)
    args = ["webconnector", "--qwc", str(service.qwc), f"--password={service.password}"]
    assert main([*args, "--company", str(company), "--save-company"]) == 0
    (ext,) = load(company).data_ext  # the FileID QBWC registered through QuickBooks
    assert ext["DataExtName"] == "FileID" and ext["DataExtValue"] in service.qwc.read_text()
    capsys.readouterr()
    assert main([*args, "--save-company"]) == 2
    assert "--save-company" in capsys.readouterr().err


def test_failures_exit_1(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["webconnector", "--qwc", str(service.qwc), "--size", "tiny"]
    assert main([*args, "--password", "wrong"]) == 1
    assert "result: nvu" in capsys.readouterr().out
    assert main([*args, f"--password={service.password}", "--quickbooks-not-running"]) == 1
    out = capsys.readouterr().out
    assert "result: connection_error" in out and "0x80040408" in out


def test_unreadable_company_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qwc = tmp_path / "a.qwc"
    qwc.write_text(_minimal_qwc())
    junk = tmp_path / "junk.qbe"
    junk.write_bytes(b"not a company file")
    assert main(["webconnector", "--qwc", str(qwc), "--password", "p", "--company", str(junk)]) == 2
    assert "junk.qbe" in capsys.readouterr().err
    assert main(["webconnector", "--qwc", str(qwc), "--password", "p", "--size", "huge"]) == 2
    assert "--size huge" in capsys.readouterr().err


def _minimal_qwc() -> str:
    from connector.qbwc.qwc import render_qwc

    return render_qwc(
        app_name="x",
        app_url="http://localhost:1/qbwc",
        app_support="http://localhost:1/support",
        user_name="u",
        owner_id="{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}",
        file_id="{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}",
    )


def test_help_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qbd_emulator", "webconnector", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--qwc" in result.stdout and "--password" in result.stdout

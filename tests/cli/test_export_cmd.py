"""``qbd-connector export``: one JSON-lines file per data type, normalised or raw."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from connector.cli import main
from connector.store import records as store
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.records import IncomingRecord, decode_data
from tests.cli.terminal import run_on_terminal

NOW = datetime(2026, 3, 1, tzinfo=UTC)
PST = timezone(timedelta(hours=-8))


def _seed(url: str) -> str:
    db = Database.from_url(url)
    db.migrate()
    company = create_company(db, "Acme Export").id
    data = {
        "ListID": "80000001-1",
        "Name": "Ann",
        "Balance": Decimal("10.50"),
        "TimeModified": datetime(2026, 2, 1, 9, 0, tzinfo=PST),
    }
    items = [
        IncomingRecord(
            "customers",
            "80000001-1",
            "CustomerRet",
            data,
            {"id": "80000001-1", "name": "Ann", "balance": "10.50"},
        )
    ]
    gone = IncomingRecord(
        "customers", "80000002-1", "CustomerRet", {"ListID": "80000002-1"}, {"id": "80000002-1"}
    )
    with db.begin() as conn:
        store.upsert_records(conn, company, [*items, gone], NOW)
        store.mark_deleted(conn, company, "customers", ["80000002-1"], NOW)
    db.dispose()
    return company


def test_export_writes_normalised_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    _seed(url)
    code = main(
        ["export", "Acme Export", "--out", str(tmp_path / "out"), "--database-url", url, "--json"]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["records"] == {"customers": 1}  # the deleted one is left out
    lines = (tmp_path / "out" / "customers.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": "80000001-1", "name": "Ann", "balance": "10.50"}
    ]
    assert not (tmp_path / "out" / "invoices.jsonl").exists()


def test_export_raw_is_lossless_and_type_filter_works(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    company = _seed(url)
    assert (
        main(
            [
                "export",
                company,
                "--out",
                str(tmp_path / "raw"),
                "--type",
                "customers",
                "--raw",
                "--database-url",
                url,
            ]
        )
        == 0
    )
    (line,) = (tmp_path / "raw" / "customers.jsonl").read_text().splitlines()
    data = decode_data(line)
    assert data["Balance"] == Decimal("10.50")
    assert data["TimeModified"] == datetime(2026, 2, 1, 9, 0, tzinfo=PST)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["Nobody"], "Nobody", id="unknown-company"),
        pytest.param(
            ["Acme Export", "--type", "widgets"], "unknown data type widgets", id="unknown-type"
        ),
    ],
)
def test_export_refuses_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    _seed(url)
    assert main(["export", *args, "--out", str(tmp_path / "o"), "--database-url", url]) == 2
    assert message in capsys.readouterr().err


def _export(
    tmp_path: Path, *argv: str, stderr: int | None = None
) -> subprocess.CompletedProcess[str]:
    script = shutil.which("qbd-connector")
    assert script, "the qbd-connector console script is installed with the package"
    return subprocess.run(
        [script, "export", "Acme Export", "--out", str(tmp_path / "out"), *argv],
        env={**os.environ, "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if stderr is None else stderr,
        text=True,
        timeout=300,
        check=False,
    )


def test_include_deleted_adds_deleted_records_with_deleted_at(tmp_path: Path) -> None:
    _seed(f"sqlite:///{tmp_path / 'x.db'}")
    done = _export(tmp_path, "--include-deleted", "--type", "customers")
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "out" / "customers.jsonl").read_text().splitlines()
    by_id = {r["id"]: r for r in map(json.loads, lines)}
    assert by_id["80000001-1"]["deletedAt"] is None
    assert by_id["80000002-1"]["deletedAt"] == NOW.isoformat()


def test_csv_is_one_row_per_record_with_flattened_columns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    company = _seed(url)
    db = Database.from_url(url)
    normalised = {
        "id": "80000003-1", "name": "Bo, \"the\" builder", "active": True,
        "billAddress": {"city": "Lyon", "country": None}, "lines": [{"amount": "1.00"}],
    }  # fmt: skip
    with db.begin() as conn:
        record = IncomingRecord("customers", "80000003-1", "CustomerRet", {}, normalised)
        store.upsert_records(conn, company, [record], NOW)
    db.dispose()
    done = _export(tmp_path, "--format", "csv", "--include-deleted")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["3", "customers"]
    with (tmp_path / "out" / "customers.csv").open(newline="", encoding="utf-8") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"80000001-1", "80000002-1", "80000003-1"}
    bo = rows["80000003-1"]
    assert bo["name"] == 'Bo, "the" builder' and bo["active"] == "true"
    assert bo["billAddress.city"] == "Lyon" and bo["billAddress.country"] == ""
    assert json.loads(bo["lines"]) == [{"amount": "1.00"}]
    assert rows["80000001-1"]["balance"] == "10.50" and rows["80000001-1"]["billAddress.city"] == ""
    assert rows["80000002-1"]["deletedAt"] == NOW.isoformat()
    assert not (tmp_path / "out" / "customers.jsonl").exists()


def test_raw_csv_is_refused(tmp_path: Path) -> None:
    _seed(f"sqlite:///{tmp_path / 'x.db'}")
    done = _export(tmp_path, "--format", "csv", "--raw")
    assert done.returncode == 2 and "--raw" in done.stderr and not (tmp_path / "out").exists()


def test_progress_shows_on_a_terminal_and_not_when_piped(tmp_path: Path) -> None:
    _seed(f"sqlite:///{tmp_path / 'x.db'}")
    piped = _export(tmp_path)
    assert piped.returncode == 0 and piped.stderr == ""
    script = shutil.which("qbd-connector")
    assert script
    env = {**os.environ, "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done, seen = run_on_terminal(
        [script, "export", "Acme Export", "--out", str(tmp_path / "out")], env
    )
    assert "customers" in seen and "1/1" in seen, seen  # the bar, on the terminal only
    assert "customers" in done.stdout


def test_reports_are_written_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from connector.store import reports

    url = f"sqlite:///{tmp_path / 'x.db'}"
    company = _seed(url)
    body = {"reportType": "trial-balance", "basis": "accrual", "asOf": "2026-03-01"}
    db = Database.from_url(url)
    with db.begin() as conn:
        reports.save_report(
            conn,
            reports.StoredReport(
                company, "trial-balance", "accrual", "asOf 2026-03-01", None, None,
                datetime(2026, 3, 1).date(), body | {"summary": {"totalDebit": "1.00"}}, NOW,
            ),
        )  # fmt: skip
    db.dispose()
    out = tmp_path / "out"
    args = ["export", "Acme Export", "--out", str(out), "--database-url", url, "--json"]
    assert main(args) == 0 and not (out / "reports.jsonl").exists()
    capsys.readouterr()
    assert main([*args, "--reports"]) == 0
    assert json.loads(capsys.readouterr().out)["records"]["reports"] == 1
    (line,) = (out / "reports.jsonl").read_text().splitlines()
    assert json.loads(line)["summary"] == {"totalDebit": "1.00"}

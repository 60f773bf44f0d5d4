"""``qbd-connector export``: one JSON-lines file per data type, normalised or raw."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from connector.cli import main
from connector.store import records as store
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.records import IncomingRecord, decode_data

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

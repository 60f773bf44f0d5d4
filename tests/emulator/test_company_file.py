"""Company files load back identical; bad files are refused clearly; the CLI writes them."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from qbd_emulator.cli import main
from qbd_emulator.company import CompanyFile, storage
from qbd_emulator.errors import CompanyFileError
from qbd_emulator.generate import generate


@pytest.fixture(scope="module")
def small() -> CompanyFile:
    return generate(5, "small")


def test_save_then_load_is_identical(small: CompanyFile, tmp_path: Path) -> None:
    path = tmp_path / "acme.qbdc"
    storage.save(small, path)
    loaded = storage.load(path)
    assert loaded == small
    assert loaded.counts() == small.counts()
    assert loaded.deleted == small.deleted
    some = next(iter(small.records["invoices"]))
    assert loaded.records["invoices"][some].data == small.records["invoices"][some].data
    # the name index is rebuilt: the loaded file refuses duplicates the same way
    name = str(next(small.iter_records("customers")).data["FullName"])
    assert loaded.find_by_name("customers", name) is not None


def test_loaded_file_keeps_counting_ids(small: CompanyFile, tmp_path: Path) -> None:
    storage.save(small, tmp_path / "a.qbdc")
    loaded = storage.load(tmp_path / "a.qbdc")
    now = datetime(2024, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=-7)))
    existing = {i for table in small.records.values() for i in table}
    assert loaded.counters.list_id(now) not in existing
    assert loaded.counters.txn_id(now) not in existing


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Decimal("12.30"), id="decimal-keeps-exponent"),
        pytest.param(Decimal("-0.00"), id="negative-zero"),
        pytest.param(date(2024, 2, 29), id="date"),
        pytest.param(datetime(2024, 3, 10, 2, 30, tzinfo=timezone(timedelta(hours=-7))), id="dst"),
        pytest.param({"$d": "x", "y": 1}, id="dollar-key-with-siblings"),
        pytest.param([True, 0, 1, "1", None], id="scalars"),
    ],
)
def test_values_round_trip_exactly(value: object) -> None:
    back = storage.loads(storage.dumps({"v": value}))["v"]
    assert back == value and type(back) is type(value)
    if isinstance(value, Decimal):
        assert str(back) == str(value)
    if isinstance(value, datetime):
        assert back.utcoffset() == value.utcoffset()


def test_naive_datetime_cannot_be_saved() -> None:
    with pytest.raises(CompanyFileError, match="UTC offset"):
        storage.dumps({"TimeCreated": datetime(2024, 1, 1)})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b'{"format": "other"}\n', "not a qbd-emulator", id="foreign"),
        pytest.param(b'{"format": "qbd-emulator-company", "version": 99}\n', "version", id="newer"),
        pytest.param(b"{not json\n", "corrupt", id="corrupt"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.qbdc"
    path.write_bytes(gzip.compress(content))
    with pytest.raises(CompanyFileError, match=message):
        storage.load(path)


def test_not_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.qbdc"
    path.write_text("hello")
    with pytest.raises(CompanyFileError, match="cannot read"):
        storage.load(path)


def test_cli_generate_then_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tiny.qbdc"
    code = main(["company", "generate", "--seed", "3", "--size", "tiny", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "records:" in text and "invoices" in text
    assert storage.load(out) == generate(3, "tiny")
    assert main(["company", "show", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["accounts"] == 37 and summary["records"] > 80


def test_cli_refuses_a_bad_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["company", "generate", "--size", "huge", "--out", str(tmp_path / "x")])
    assert code == 2
    assert "unknown size 'huge'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()

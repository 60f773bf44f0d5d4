"""The fault scenario matrix (issue 10): every file of fixtures/scenarios against the connector,
each judged on what it documents (the session result, the code reported) and on what always
holds (the fault fired, no loop, nothing lost after the next clean sessions). One test per
scenario (marked slow: several sessions each), so that pytest-xdist spreads them; each saves
its row of the report under QBD_SCENARIO_REPORT (a folder), else the test's tmp folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qbd_emulator.cli import main
from qbd_emulator.scenario_matrix import run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"
FILES = sorted(SCENARIOS.glob("*.json"))


def test_the_report_command_saves_the_matrix_and_fails_a_missed_expectation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((SCENARIOS / "quickbooks-not-running.json").read_text())
    assert document["expect"] == {"result": "connection_error", "reported": "0x80040408"}
    document["expect"] = {"result": "done", "reported": "0x80040999"}
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "wrong.json").write_text(json.dumps(document))
    out = tmp_path / "report.json"
    assert main(["scenarios", "report", "--dir", str(folder), "--out", str(out)]) == 1
    assert "0/1 scenarios pass" in capsys.readouterr().out
    (row,) = json.loads(out.read_text())
    assert row["fired"] == ["quickbooks-not-running at begin_session #1"]
    assert "called connectionError" in row["did"] and "0x80040408" in row["did"]
    assert row["clean_updates"] == 1  # the next clean session synced the whole company
    assert row["problems"] == [
        "expected result done, got connection_error",
        "0x80040999 was not reported",
    ]


def test_there_is_a_scenario_for_each_fault_of_the_catalogue() -> None:
    assert len(FILES) == 20
    kinds = {f["kind"] for p in FILES for f in json.loads(p.read_text())["faults"]}
    assert kinds == {"hresult", "status", "delay", "drop", "drop_before", "garbage", "http_error"}


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_scenario_gets_its_documented_outcome(path: Path, tmp_path: Path) -> None:
    row = run_scenario(path)
    folder = Path(os.environ.get("QBD_SCENARIO_REPORT", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{path.stem}.json").write_text(json.dumps(row.to_dict(), indent=1) + "\n")
    assert row.outcome == "pass", row
    if json.loads(path.read_text())["faults"]:
        assert row.fired

"""The fault scenario matrix (issue 10): every file of fixtures/scenarios against the connector,
each judged on what it documents (the session result, the code reported) and on what always
holds (the fault fired, no loop, nothing lost after the next clean sessions)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qbd_emulator.cli import main
from qbd_emulator.scenario_matrix import run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"


def test_a_scenario_that_does_not_get_its_documented_outcome_fails(tmp_path: Path) -> None:
    document = json.loads((SCENARIOS / "quickbooks-not-running.json").read_text())
    assert document["expect"] == {"result": "connection_error", "reported": "0x80040408"}
    document["expect"] = {"result": "done", "reported": "0x80040999"}
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(document))
    row = run_scenario(wrong)
    assert row.fired == ["quickbooks-not-running at begin_session #1"]
    assert "called connectionError" in row.did and "0x80040408" in row.did
    assert row.clean_updates == 1  # the next clean session synced the whole company
    assert row.problems == [
        "expected result done, got connection_error",
        "0x80040999 was not reported",
    ]
    assert row.outcome.startswith("FAIL: ")


@pytest.mark.slow
def test_the_matrix_passes_and_its_report_is_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """About a minute: every scenario runs a fresh service and two or three sessions."""
    out = Path(os.environ.get("QBD_SCENARIO_REPORT", tmp_path / "scenario-report.json"))
    code = main(["scenarios", "report", "--dir", str(SCENARIOS), "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    rows = json.loads(out.read_text())
    assert len(rows) == len(list(SCENARIOS.glob("*.json"))) >= 13
    assert all(row["outcome"] == "pass" and row["fired"] for row in rows)
    assert f"{len(rows)}/{len(rows)} scenarios pass" in text

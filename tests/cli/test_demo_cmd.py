"""``qbd-connector demo``: a full sync on the first run, an incremental one on the second,
in one folder, as real subprocesses (the emulator is reached as a program)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from connector.cli import main


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

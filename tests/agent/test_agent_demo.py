"""``qbd-connector demo --agent``: the service and the agent with two fake companies; both
sync, the agent's UI URL is printed and answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.timeout(400)
def test_demo_agent_syncs_two_companies_and_prints_the_ui(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QBD_AGENT_HOME", "QBD_DATABASE_URL")}
    env["QBD_AGENT_CREDENTIALS"] = "file"
    done = subprocess.run(
        [sys.executable, "-m", "connector", "demo", "--agent", "--exit", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=360,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("agent UI:  http://127.0.0.1:") and "token=" in lines[0]
    report = json.loads(done.stdout[done.stdout.index("{") :])
    companies = {c["name"]: c for c in report["status"]["companies"]}
    assert set(companies) == {"Demo-A", "Demo-B"}
    for company in companies.values():
        assert company["lastRun"]["message"].startswith("Synced")
        assert company["everyMinutes"] == 1
    assert (tmp_path / "qbd-demo-agent" / "state" / "companies" / "Demo-A.json.gz").exists()
    assert not (tmp_path / "qbd-demo-agent" / "state" / "runtime.json").exists()  # stopped

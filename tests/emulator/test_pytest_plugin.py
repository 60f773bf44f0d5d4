"""The pytest plugin (issue 10): a temporary project that uses only the plugin's fixtures and
markers passes under pytest (a subprocess, as another team's CI would run it), and loading the
plugin costs no heavy import (it is loaded into every run of this environment, ours too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_TEST = """
import pytest


@pytest.mark.qbd_company(seed=7, size="tiny")
def test_full_sync(qbd_service, web_connector, fake_quickbooks, qbd_cassette):
    conn = qbd_service.connect("Acme")
    summary = web_connector(conn.qwc, conn.password, record=qbd_cassette)
    assert summary.result.value == "done"
    page = qbd_service.api("GET", f"/companies/{conn.company_id}/data/vendors").json()
    assert len(page["data"]) == fake_quickbooks.company.count("vendors") > 0
    assert qbd_cassette.exists() and web_connector.last.recorded
    other = qbd_service.connect("Acme again")  # a fresh connection: the recording replays
    assert web_connector(other.qwc, other.password, replay=qbd_cassette).result.value == "done"
    assert web_connector.last.ok and not web_connector.last.mismatches
    again = qbd_service.api("GET", f"/companies/{other.company_id}/data/vendors").json()
    assert again["data"] == page["data"]


def test_quickbooks_down(qbd_service, web_connector, qbd_scenario):
    conn = qbd_service.connect("Down Co")
    fault = {"name": "down", "link": "quickbooks", "call": "begin_session",
             "kind": "hresult", "hresult": "0x80040408"}
    scenario = qbd_scenario({"format": "qbd-emulator/scenario", "version": 1, "faults": [fault]})
    summary = web_connector(conn.qwc, conn.password, scenario=scenario)
    assert summary.result.value == "connection_error"
    assert web_connector.last.faults


@pytest.mark.real_quickbooks
def test_marker_is_registered(fake_quickbooks):
    assert fake_quickbooks.company.count("customers") > 0
"""


def test_a_project_using_only_the_plugin_passes(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider\n"
    )
    (tmp_path / "test_with_plugin.py").write_text(PROJECT_TEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "QBD_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error::pytest.PytestUnknownMarkWarning"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, qbd_emulator.pytest_plugin as p; "
        "print(sorted(m for m in ('connector', 'lxml', 'fastapi', 'httpx', 'qbd_emulator.update') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

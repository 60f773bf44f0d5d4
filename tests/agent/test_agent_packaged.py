"""The packaged executable (``ci/build-exe``, PyInstaller) in use: the service from it
(``serve``: its page workers are spawned copies of the frozen executable), a company and a
connection made with it, then ``agent add-company`` + one sync with the fake QuickBooks, the
agent being the executable too. ``QBD_TEST_EXE`` names an executable already built (CI builds
it once); else the test builds one (a few minutes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.store.db import Database
from qbd_emulator.child_service import free_port
from qbd_emulator.company import load
from tests.agent.agent_harness import wait_for
from tests.refpaths import REPO
from tests.sync.sync_harness import assert_store_equals_company


@pytest.fixture(scope="module")
def exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("QBD_TEST_EXE")
    if given:
        return Path(given)
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [str(REPO / "ci" / "build-exe"), str(dist)],
        env={**os.environ, "PYTHON": sys.executable, "WORKPATH": str(dist / "work")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dist / "qbd-connector" / "qbd-connector"


def run(exe: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
    return done


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QBD_DATABASE_URL": f"sqlite:///{tmp_path / 'service.db'}",
        "QBD_AGENT_HOME": str(tmp_path / "agent"),
        "QBD_AGENT_CREDENTIALS": "file",
    }


@pytest.fixture
def service(exe: Path, env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        import httpx

        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200
            except httpx.HTTPError:
                return proc.poll() is not None and pytest.fail("serve exited")  # type: ignore[no-any-return]

        wait_for("the packaged service", up, timeout=60)
        yield f"http://localhost:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_packaged_executable_adds_a_company_and_syncs_it(
    exe: Path, env: dict[str, str], service: str, tmp_path: Path
) -> None:
    company = json.loads(run(exe, env, "company", "create", "Acme", "--json").stdout)
    qwc = tmp_path / "acme.qwc"
    made = run(exe, env, "connection", "create", "Acme", "--method", "desktop_app",
               "--qwc-out", str(qwc), "--public-url", service, "--json")  # fmt: skip
    password = json.loads(made.stdout)["password"]
    added = run(exe, env, "agent", "add-company", "--qwc", str(qwc), f"--password={password}",
                "--name", "Acme", "--processor", "emulator", "--seed", "3", "--size", "tiny")  # fmt: skip
    assert "added Acme" in added.stdout
    run(exe, env, "agent", "start")
    try:

        def synced() -> dict[str, Any] | None:
            data = json.loads(run(exe, env, "agent", "status", "--json").stdout)
            last = data["companies"][0]["lastRun"]
            return data if last and last["outcome"] != "stopped" else None

        status = wait_for("one sync", synced, timeout=300)
        assert status["companies"][0]["lastRun"]["message"].startswith("Synced"), status
        assert status["companies"][0]["progress"] == 100
    finally:
        run(exe, env, "agent", "stop")
    saved = load(tmp_path / "agent" / "state" / "companies" / "Acme.json.gz")
    database = Database.from_url(env["QBD_DATABASE_URL"])
    try:
        assert_store_equals_company(database, company["id"], saved)
    finally:
        database.dispose()

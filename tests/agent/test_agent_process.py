"""The agent as a real background process (``agent start``), driven by its commands: two
companies on the fake QuickBooks, a clean stop (SIGTERM) and a ``kill -9`` in the middle of
a sync, and after each new start the sync resumes and the store equals each company.
(After a ``kill -9`` the service may answer ``busy`` for a while: the killed session looks
live to it for up to two minutes; the agent honours the postponement, so this test takes
that long.)"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.agent.control import Control
from connector.agent.errors import AgentUnreachable
from connector.agent.paths import AgentPaths
from qbd_emulator.company import load
from tests.agent.agent_harness import Service, cli, running_service, wait_for
from tests.sync.sync_harness import assert_store_equals_company


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    # small pages: a tiny company takes ~100 requests, so stops land in the middle of a sync
    with running_service(tmp_path, sync_page_size=4) as svc:
        yield svc


def status(home: Path) -> dict[str, Any]:
    """What ``agent status --json`` prints, asked in-process (a poll must be quick)."""
    try:
        data: dict[str, Any] = Control(paths_of(home)).status()
    except AgentUnreachable:  # stopping: its UI server is gone, its lock not yet
        return {"running": True, "pid": None, "companies": []}
    return data


def paths_of(home: Path) -> AgentPaths:
    return AgentPaths(home / "config", home / "state", home / "logs")


def company(home: Path, name: str) -> dict[str, Any]:
    found = [c for c in status(home)["companies"] if c["name"] == name]
    return found[0] if found else {"state": "unknown", "progress": 0, "lastRun": None}


def mid_sync(home: Path, name: str) -> bool:
    c = company(home, name)
    return c["state"] == "syncing" and 0 < c["progress"] < 100


def catch_mid_sync(home: Path, name: str) -> bool:
    """True once ``name`` is seen in the middle of a sync; a sync that already ended (a slow
    machine, a busy poller) is asked again with ``sync-now``, so one is always caught."""
    if mid_sync(home, name):
        return True
    c = company(home, name)
    if c["state"] != "syncing" and c["lastRun"] and not c["queued"]:
        Control(paths_of(home)).sync_now(name)
    return False


def synced_after(home: Path, name: str, after: str) -> bool:
    """A whole sync (not "Application Busy": the service may still count a killed session as
    live for a while, PROTOCOL.md 1.3; the agent then retries after the postponement)."""
    last = company(home, name)["lastRun"]
    return bool(last and last["at"] >= after and last["message"].startswith("Synced"))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_background_agent_survives_stop_and_kill_9_without_losing_a_record(
    service: Service, tmp_path: Path
) -> None:
    home = tmp_path / "agent"
    links = {name: service.link(name, every_minutes=60) for name in ("A", "B")}
    for seed, (name, link) in enumerate(links.items(), start=1):
        out = cli(home, "add-company", "--qwc", str(link.qwc), f"--password={link.password}",
                  "--name", name, "--processor", "emulator", "--seed", str(seed), "--size", "tiny")  # fmt: skip
        assert "no agent is running" in out.stdout

    started = cli(home, "start").stdout
    assert "agent started" in started
    first = status(home)
    assert first["running"] and first["pid"] and first["uiUrl"].startswith("http://127.0.0.1:")

    # SIGTERM in the middle of a sync: the session ends at a request boundary
    wait_for("A mid-sync", lambda: catch_mid_sync(home, "A"))
    os.kill(first["pid"], signal.SIGTERM)
    wait_for("the agent to stop", lambda: not status(home)["running"], timeout=60)
    stopped = json.loads((home / "state" / "state.json").read_text())["companies"]
    assert stopped["A"]["lastRun"]["outcome"] == "stopped"
    assert stopped["A"]["lastRun"]["message"].startswith("Stopped with the agent")

    # kill -9 in the middle of the sync it resumes
    cli(home, "start")
    wait_for("a sync in progress", lambda: catch_mid_sync(home, "A"))
    os.kill(status(home)["pid"], signal.SIGKILL)
    wait_for("the lock to drop", lambda: not status(home)["running"], timeout=20)

    cli(home, "start")
    restarted = json.loads(cli(home, "status", "--json").stdout)  # the command's own output
    assert restarted["running"] and restarted["uiUrl"].startswith("http://127.0.0.1:")
    assert set(restarted["companies"][0]) >= {"name", "state", "progress", "lastRun", "nextRun"}
    second = cli(home, "run", check=False)
    assert second.returncode == 1 and "already runs" in second.stderr
    since = min(c["lastRun"]["at"] for c in restarted["companies"] if c["lastRun"])
    for name in links:
        wait_for(f"{name} synced", lambda n=name: synced_after(home, n, since), timeout=300)
        saved = load(home / "state" / "companies" / f"{name}.json.gz")
        assert_store_equals_company(service.db, links[name].company_id, saved)

    assert "stopped the agent" in cli(home, "stop").stdout
    log = (home / "logs" / "agent.log").read_text()
    assert "sessions in progress end at their next request boundary" in log

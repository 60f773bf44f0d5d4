"""The agent in-process against a live service with two fake QuickBooks companies, its clock
stepped by the test: both sync on schedule, one on demand, a paused one is skipped, and the
store equals each company."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connector.agent.control import new_company
from connector.agent.credentials import EncryptedFileStore
from connector.agent.daemon import Agent
from connector.agent.paths import AgentPaths
from qbd_emulator.company import load
from tests.agent.agent_harness import Service, running_service
from tests.sync.sync_harness import assert_store_equals_company


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    with running_service(tmp_path) as svc:
        yield svc


@pytest.fixture
def paths(tmp_path: Path) -> AgentPaths:
    home = tmp_path / "agent"
    paths = AgentPaths(home / "config", home / "state", home / "logs")
    paths.create()
    return paths


def run_due(agent: Agent) -> list[str]:
    started = agent.start_due()
    agent.join_sessions(timeout=120)
    return sorted(started)


def add(agent: Agent, service: Service, name: str, seed: int) -> str:
    linked = service.link(name, every_minutes=1)
    company = new_company(
        agent.paths, linked.qwc.read_text(), name, "emulator", None, seed, "tiny", None
    )
    agent.add_company(company, linked.password)
    return linked.company_id


def test_two_companies_on_schedule_on_demand_and_paused(
    service: Service, paths: AgentPaths
) -> None:
    clock = Clock()
    agent = Agent(paths, EncryptedFileStore(paths), clock=clock)
    ids = {"A": add(agent, service, "A", 1), "B": add(agent, service, "B", 2)}

    assert run_due(agent) == ["A", "B"]  # just added: at once
    status = {c["name"]: c for c in agent.status()["companies"]}
    assert {n: status[n]["lastRun"]["outcome"] for n in ids} == {"A": "succeeded", "B": "succeeded"}
    assert status["A"]["progress"] == 100 and status["A"]["state"] == "idle"

    clock.advance(30)
    assert run_due(agent) == []  # the QWC's Scheduler says every minute
    clock.advance(31)
    assert run_due(agent) == ["A", "B"]  # on schedule

    agent.set_paused("B", True)
    before = agent.status()["companies"][1]["lastRun"]
    clock.advance(61)
    assert run_due(agent) == ["A"]  # B is paused: skipped
    assert agent.sync_now("B") == ["B: paused, skipped (resume it to sync)"]
    assert run_due(agent) == []
    b = agent.status()["companies"][1]
    assert (b["state"], b["lastRun"], b["nextRun"]) == ("paused", before, None)

    assert agent.sync_now("A") == ["A: sync started"]
    assert run_due(agent) == ["A"]  # on demand, before its schedule

    agent.set_paused("B", False)
    assert run_due(agent) == ["B"]  # overdue while paused: at once on resume
    for name, seed in (("A", 1), ("B", 2)):
        company = load(paths.companies_dir / f"{name}.json.gz")
        assert_store_equals_company(service.db, ids[name], company)
        assert seed


def test_a_failed_session_retries_with_backoff_and_says_what_to_do(
    service: Service, paths: AgentPaths
) -> None:
    clock = Clock()
    agent = Agent(paths, EncryptedFileStore(paths), clock=clock)
    linked = service.link("A", every_minutes=1)
    company = new_company(paths, linked.qwc.read_text(), "A", "emulator", None, 1, "tiny", None)
    agent.add_company(company, "wrong-password")
    assert run_due(agent) == ["A"]
    a = agent.status()["companies"][0]
    assert a["state"] == "error" and a["lastRun"]["outcome"] == "failed"
    assert "QBWC1040" in a["lastRun"]["message"]
    assert "password" in a["lastRun"]["advice"]
    assert a["nextRun"] == (clock.now + timedelta(seconds=30)).isoformat()
    clock.advance(30)
    assert run_due(agent) == ["A"]
    assert agent.status()["companies"][0]["failures"] == 2
    assert (
        agent.status()["companies"][0]["nextRun"] == (clock.now + timedelta(seconds=60)).isoformat()
    )

"""What the agent remembers about each company between runs, and what it shows.

Owns: ``CompanyState`` (last run, next run, consecutive failures), its JSON form in
``state.json`` (written atomically after every session: a ``kill -9`` loses at most the
session in progress, whose records the service keeps or re-asks for), ``LastRun`` and the
status view of ``agent status --json`` (DESIGN.md: ``{"pid", "uiUrl", "companies": [{"name",
"state", "progress", "lastRun": {"at", "outcome", "message"}, "nextRun"}]}``).
Must not: decide when to run (``schedule``) or run anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from connector.agent.advice import Outcome
from connector.agent.config import AgentConfig
from connector.agent.files import read_json, write_json

FORMAT = "qbd-connector/agent-state"


class CompanyStatus(Enum):
    IDLE = "idle"
    SYNCING = "syncing"
    PAUSED = "paused"
    ERROR = "error"


@dataclass(frozen=True)
class LastRun:
    at: datetime
    outcome: str
    """succeeded | failed | stopped"""
    message: str
    advice: str = ""
    hresult: str | None = None

    @classmethod
    def of(cls, at: datetime, outcome: Outcome) -> LastRun:
        return cls(at, outcome.kind.value, outcome.message, outcome.advice, outcome.hresult)

    def to_json(self) -> dict[str, Any]:
        """Its fields by name, the time in ISO 8601."""
        return {**asdict(self), "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LastRun:
        return cls(
            datetime.fromisoformat(data["at"]),
            str(data["outcome"]),
            str(data.get("message", "")),
            str(data.get("advice", "")),
            data.get("hresult"),
        )


@dataclass(frozen=True)
class CompanyState:
    next_run: datetime | None = None
    """``None``: as soon as possible (a company just added, or one never run)."""
    last_run: LastRun | None = None
    failures: int = 0
    """Consecutive failed sessions (the retry backoff grows with them)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "nextRun": self.next_run.isoformat() if self.next_run else None,
            "lastRun": self.last_run.to_json() if self.last_run else None,
            "failures": self.failures,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompanyState:
        nxt = data.get("nextRun")
        last = data.get("lastRun")
        return cls(
            datetime.fromisoformat(nxt) if nxt else None,
            LastRun.from_json(last) if last else None,
            int(data.get("failures", 0)),
        )


@dataclass(frozen=True)
class Live:
    """What only the running agent knows: a session in progress and its percentage."""

    syncing: frozenset[str] = frozenset()
    progress: dict[str, int] = field(default_factory=dict)
    queued: frozenset[str] = frozenset()


def load_states(path: Path) -> dict[str, CompanyState]:
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    out = {}
    for name, item in data.get("companies", {}).items():
        try:
            out[name] = CompanyState.from_json(item)
        except (KeyError, TypeError, ValueError):
            out[name] = CompanyState()  # unreadable entry: run it as new, lose nothing else
    return out


def save_states(path: Path, states: dict[str, CompanyState]) -> None:
    write_json(
        path,
        {"format": FORMAT, "companies": {name: s.to_json() for name, s in states.items()}},
    )


def company_status(paused: bool, syncing: bool, state: CompanyState) -> CompanyStatus:
    if syncing:
        return CompanyStatus.SYNCING
    if paused:
        return CompanyStatus.PAUSED
    if state.last_run is not None and state.last_run.outcome == "failed":
        return CompanyStatus.ERROR
    return CompanyStatus.IDLE


def status_json(
    config: AgentConfig,
    states: dict[str, CompanyState],
    live: Live,
    *,
    pid: int | None,
    ui_url: str | None,
    running: bool,
) -> dict[str, Any]:
    """``agent status --json`` (DESIGN.md), plus a few fields the UI shows."""
    companies = []
    for company in config.companies:
        state = states.get(company.name, CompanyState())
        syncing = company.name in live.syncing
        status = company_status(company.paused, syncing, state)
        last = state.last_run
        progress = live.progress.get(company.name)
        if progress is None:
            progress = 100 if last is not None and last.outcome == "succeeded" else 0
        companies.append(
            {
                "name": company.name,
                "state": status.value,
                "progress": progress,
                "lastRun": None
                if last is None
                else {
                    "at": last.at.isoformat(),
                    "outcome": last.outcome,
                    "message": last.message,
                    "advice": last.advice,
                },
                "nextRun": None
                if company.paused
                else (state.next_run.isoformat() if state.next_run else "now"),
                "everyMinutes": company.every_minutes,
                "processor": company.processor.value,
                "queued": company.name in live.queued,
                "failures": state.failures,
            }
        )
    return {"pid": pid, "uiUrl": ui_url, "running": running, "companies": companies}

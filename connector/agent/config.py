"""The agent's configuration: which companies it syncs, how, and on what schedule.

Owns: ``CompanyConfig`` / ``AgentConfig`` (frozen values), their JSON form in
``agent.json``, and the pure edits the commands and the UI make (add, remove, pause,
resume, schedule). Passwords are never here (``credentials``). Must not: run anything.

A company's default schedule is the QWC's Scheduler (``RunEveryNMinutes``, or
``RunEveryNSeconds`` rounded up to whole minutes: the agent's UI, like QBWC's, counts in
minutes, PROTOCOL.md 1.6); a QWC without a Scheduler gets ``DEFAULT_EVERY_MINUTES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

from connector.agent.errors import ConfigError, DuplicateCompany, UnknownCompany
from connector.agent.files import read_json, write_json
from connector.qbwc.qwc import Qwc, QwcError, parse_qwc

FORMAT = "qbd-connector/agent-config"
VERSION = 1
DEFAULT_EVERY_MINUTES = 60
MAX_EVERY_MINUTES = 7 * 24 * 60
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ProcessorKind(Enum):
    COM = "com"
    EMULATOR = "emulator"
    REPLAY = "replay"


@dataclass(frozen=True)
class CompanyConfig:
    name: str
    qwc_xml: str
    """The QWC file's text, as added (the agent keeps its own copy)."""
    processor: ProcessorKind = ProcessorKind.COM
    company_file: str = ""
    """The QuickBooks company file to open (``""``: the one open in QuickBooks), or for the
    emulator the saved fake company."""
    seed: int | None = None
    size: str | None = None
    cassette: str | None = None
    every_minutes: int = DEFAULT_EVERY_MINUTES
    paused: bool = False

    @property
    def qwc(self) -> Qwc:
        return parse_qwc(self.qwc_xml)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "qwc": self.qwc_xml,
            "processor": self.processor.value,
            "companyFile": self.company_file,
            "seed": self.seed,
            "size": self.size,
            "cassette": self.cassette,
            "everyMinutes": self.every_minutes,
            "paused": self.paused,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompanyConfig:
        return cls(
            name=str(data["name"]),
            qwc_xml=str(data["qwc"]),
            processor=ProcessorKind(data.get("processor", "com")),
            company_file=str(data.get("companyFile", "")),
            seed=data.get("seed"),
            size=data.get("size"),
            cassette=data.get("cassette"),
            every_minutes=int(data.get("everyMinutes", DEFAULT_EVERY_MINUTES)),
            paused=bool(data.get("paused", False)),
        )


@dataclass(frozen=True)
class AgentConfig:
    companies: tuple[CompanyConfig, ...] = ()
    update_url: str | None = None
    """The self-update repository (``None``: no self-update)."""

    def company(self, name: str) -> CompanyConfig:
        for company in self.companies:
            if company.name == name:
                return company
        raise UnknownCompany(name)

    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.companies)


# -- pure edits ---------------------------------------------------------------------------


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise ConfigError(
            f"company name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def default_name(qwc: Qwc) -> str:
    """A company name from the QWC (its display name or AppName, made safe)."""
    raw = qwc.app_display_name or qwc.app_name
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-._")[:64]
    return name or "company"


def check_every_minutes(minutes: int) -> int:
    if not 1 <= minutes <= MAX_EVERY_MINUTES:
        raise ConfigError(f"--every-minutes {minutes}: give 1 to {MAX_EVERY_MINUTES}")
    return minutes


def scheduler_minutes(qwc: Qwc) -> int:
    if qwc.run_every_minutes is not None:
        return max(1, qwc.run_every_minutes)
    if qwc.run_every_seconds is not None:
        return max(1, -(-qwc.run_every_seconds // 60))
    return DEFAULT_EVERY_MINUTES


def read_qwc_text(text: str) -> Qwc:
    try:
        return parse_qwc(text)
    except QwcError as exc:
        raise ConfigError(f"the QWC file is refused: {exc}") from None


def add_company(config: AgentConfig, company: CompanyConfig) -> AgentConfig:
    check_name(company.name)
    if company.name in config.names():
        raise DuplicateCompany(company.name)
    return replace(config, companies=(*config.companies, company))


def remove_company(config: AgentConfig, name: str) -> AgentConfig:
    config.company(name)
    return replace(config, companies=tuple(c for c in config.companies if c.name != name))


def edit_company(config: AgentConfig, name: str, **changes: Any) -> AgentConfig:
    edited = replace(config.company(name), **changes)
    return replace(
        config, companies=tuple(edited if c.name == name else c for c in config.companies)
    )


# -- the file -----------------------------------------------------------------------------


def load_config(path: Path) -> AgentConfig:
    data = read_json(path)
    if data is None:
        return AgentConfig()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{path} is not an agent configuration ({FORMAT})")
    if data.get("version") != VERSION:
        raise ConfigError(f"{path}: version {data.get('version')} is not {VERSION}")
    try:
        companies = tuple(CompanyConfig.from_json(c) for c in data.get("companies", []))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: a company entry is malformed ({exc})") from None
    return AgentConfig(companies, data.get("updateUrl"))


def save_config(path: Path, config: AgentConfig) -> None:
    write_json(
        path,
        {
            "format": FORMAT,
            "version": VERSION,
            "updateUrl": config.update_url,
            "companies": [c.to_json() for c in config.companies],
        },
    )

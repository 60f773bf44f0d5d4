"""The running agent: the scheduler loop, one thread per session, and the controls.

Owns: ``Agent``, the shell around the pure parts: it holds the configuration, the states and
what is live (sessions in progress, their percentages, queued ``sync-now`` requests) under
one lock; wakes every ``tick`` seconds (or at once when a control asks) and starts a session
thread for every due company whose QuickBooks is free (``quickbooks_key``: one QuickBooks per
PC for COM, one fake company file per emulator company, so never two sessions on one
QuickBooks at once); saves ``state.json`` after every session and ``agent.json`` after every
change; and stops cleanly: ``request_stop`` sets the event every session watches, so each
ends at its next request boundary with closeConnection, then the threads are joined.
Must not: serve HTTP (``localapi``), parse arguments (``connector.cli.agent_cmd``) or decide
schedules itself (``schedule``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from connector.agent import config as cfg
from connector.agent import schedule
from connector.agent.advice import Outcome, OutcomeKind
from connector.agent.config import AgentConfig, CompanyConfig, ProcessorKind
from connector.agent.credentials import CredentialStore
from connector.agent.errors import ConfigError
from connector.agent.logs import LOGGER
from connector.agent.paths import AgentPaths
from connector.agent.session import run_company_session
from connector.agent.state import CompanyState, Live, load_states, save_states, status_json

Clock = Callable[[], datetime]
SessionRunner = Callable[[CompanyConfig, str, threading.Event, Callable[[int], None]], Outcome]

log = logging.getLogger(LOGGER)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def quickbooks_key(company: CompanyConfig) -> str:
    """Sessions with the same key would share one QuickBooks: they never run together."""
    if company.processor is ProcessorKind.COM:
        return "com"  # one QuickBooks Desktop per PC, whatever the company file
    if company.processor is ProcessorKind.EMULATOR:
        return f"emulator:{company.company_file}"
    return f"replay:{company.name}"


class Agent:
    def __init__(
        self,
        paths: AgentPaths,
        credentials: CredentialStore,
        *,
        clock: Clock = utc_now,
        runner: SessionRunner = run_company_session,
        tick: float = 1.0,
    ) -> None:
        self.paths, self.credentials = paths, credentials
        self.clock, self.runner, self.tick = clock, runner, tick
        self.config = cfg.load_config(paths.config_file)
        self.states: dict[str, CompanyState] = load_states(paths.state_file)
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self.stop_event = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._progress: dict[str, int] = {}
        self._queued: set[str] = set()
        self.pid: int | None = None
        self.ui_url: str | None = None
        self.version: str | None = None
        """The release running (``None``: a development install)."""
        self.updater: Any = None
        """``update.Updater`` when an update repository is configured."""

    # -- the loop -----------------------------------------------------------------------

    def run_loop(self) -> None:
        log.info("agent started with %d companies", len(self.config.companies))
        while not self.stop_event.is_set():
            self.start_due()
            self._wake.wait(self.tick)
            self._wake.clear()
        self.join_sessions()

    def start_due(self) -> list[str]:
        started = []
        with self._lock:
            now = self.clock()
            busy = {quickbooks_key(self.config.company(n)) for n in self._threads}
            for company in self.config.companies:
                if company.name in self._threads:
                    continue
                state = self.states.get(company.name, CompanyState())
                if not schedule.is_due(company, state, now, company.name in self._queued):
                    continue
                key = quickbooks_key(company)
                if key in busy:
                    continue  # its QuickBooks is in use: right after that session
                busy.add(key)
                self._queued.discard(company.name)
                self._start(company)
                started.append(company.name)
        return started

    def _start(self, company: CompanyConfig) -> None:
        self._progress[company.name] = 0
        # Until the session ends, the saved state says "due now": an agent killed during the
        # session resumes it at its next start instead of waiting for the schedule.
        state = self.states.get(company.name, CompanyState())
        self.states[company.name] = replace(state, next_run=None)
        save_states(self.paths.state_file, self.states)
        thread = threading.Thread(
            target=self._session, args=(company,), name=f"session-{company.name}", daemon=True
        )
        self._threads[company.name] = thread
        thread.start()

    def _session(self, company: CompanyConfig) -> None:
        started = self.clock()
        log.info("%s: sync started", company.name)
        try:
            password = self.credentials.get(company.name)
            if password is None:
                outcome = Outcome(
                    OutcomeKind.FAILED,
                    "no password is stored for this company",
                    "add the company again with its password",
                )
            else:
                outcome = self.runner(
                    company, password, self.stop_event, self._on_progress(company)
                )
        except Exception as exc:  # a bug must not kill the agent: report it on the company
            log.exception("%s: session crashed", company.name)
            outcome = Outcome(OutcomeKind.FAILED, f"internal error: {exc}", "see the agent log")
        ended = self.clock()
        with self._lock:
            self._threads.pop(company.name, None)
            self._progress.pop(company.name, None)
            if company.name in self.config.names():
                current = self.config.company(company.name)
                state = self.states.get(company.name, CompanyState())
                self.states[company.name] = schedule.after_session(
                    current, state, outcome, started, ended
                )
                save_states(self.paths.state_file, self.states)
        level = logging.WARNING if outcome.failed else logging.INFO
        log.log(level, "%s: %s: %s %s", company.name, outcome.kind.value, outcome.message,
                f"(what to do: {outcome.advice})" if outcome.advice else "")  # fmt: skip
        self._wake.set()

    def _on_progress(self, company: CompanyConfig) -> Callable[[int], None]:
        def report(percent: int) -> None:
            with self._lock:
                self._progress[company.name] = percent

        return report

    def join_sessions(self, timeout: float = 300.0) -> None:
        for thread in list(self._threads.values()):
            thread.join(timeout)

    def request_stop(self) -> None:
        if not self.stop_event.is_set():
            log.info("stopping: sessions in progress end at their next request boundary")
        self.stop_event.set()
        self._wake.set()

    # -- controls (the local API calls these) --------------------------------------------

    def _save_config(self, config: AgentConfig) -> None:
        cfg.save_config(self.paths.config_file, config)
        self.config = config

    def add_company(self, company: CompanyConfig, password: str) -> None:
        with self._lock:
            new = cfg.add_company(self.config, company)
            self.credentials.set(company.name, password)
            self._save_config(new)
            self.states[company.name] = CompanyState()
            save_states(self.paths.state_file, self.states)
        log.info("%s: added (%s processor)", company.name, company.processor.value)
        self._wake.set()

    def remove_company(self, name: str) -> None:
        with self._lock:
            self._save_config(cfg.remove_company(self.config, name))
            self.states.pop(name, None)
            self._queued.discard(name)
            save_states(self.paths.state_file, self.states)
        self.credentials.delete(name)
        log.info("%s: removed", name)

    def set_paused(self, name: str, paused: bool) -> None:
        with self._lock:
            self._save_config(cfg.edit_company(self.config, name, paused=paused))
            if not paused:
                state = self.states.get(name, CompanyState())
                if state.next_run is not None and state.next_run < self.clock():
                    self.states[name] = replace(state, next_run=None)
        log.info("%s: %s", name, "paused" if paused else "resumed")
        self._wake.set()

    def set_schedule(self, name: str, every_minutes: int) -> None:
        cfg.check_every_minutes(every_minutes)
        with self._lock:
            self._save_config(cfg.edit_company(self.config, name, every_minutes=every_minutes))
        log.info("%s: every %d minutes", name, every_minutes)

    def sync_now(self, name: str | None = None) -> list[str]:
        """Queue a sync of ``name`` (or every company); what was done, one line each."""
        lines = []
        with self._lock:
            names = [name] if name is not None else list(self.config.names())
            for each in names:
                company = self.config.company(each)
                if company.paused:
                    lines.append(f"{each}: paused, skipped (resume it to sync)")
                    continue
                self._queued.add(each)
                running = each in self._threads
                lines.append(f"{each}: " + ("queued after the session in progress" if running
                                            else "sync started"))  # fmt: skip
        self._wake.set()
        return lines

    def status(self) -> dict[str, Any]:
        with self._lock:
            live = Live(frozenset(self._threads), dict(self._progress), frozenset(self._queued))
            data = status_json(
                self.config, self.states, live, pid=self.pid, ui_url=self.ui_url, running=True
            )
        data["version"] = self.version
        if self.updater is not None:
            data["update"] = {"ready": self.updater.ready, "problem": self.updater.last_problem}
        return data

    def company(self, name: str) -> CompanyConfig:
        with self._lock:
            try:
                return self.config.company(name)
            except ConfigError:
                raise

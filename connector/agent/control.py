"""What the ``agent`` commands do: talk to the running agent, or edit its files when none runs.

Owns: ``new_company`` (a ``CompanyConfig`` from the command's or the UI's input, checked),
``Control`` (one door for the commands: through the running agent's local API when it runs,
found by ``runtime.json`` and the held lock; else straight on ``agent.json``, saying so),
``start_detached`` and ``stop``. Must not: run sessions (``daemon``) or print (the command
renders what it gets).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from connector.agent import config as cfg
from connector.agent.config import CompanyConfig, ProcessorKind
from connector.agent.credentials import open_credential_store
from connector.agent.errors import AgentUnreachable, ConfigError, NotRunning
from connector.agent.files import read_json
from connector.agent.lock import is_locked
from connector.agent.paths import AgentPaths
from connector.agent.state import Live, load_states, status_json

OFFLINE_NOTE = "no agent is running: the configuration was changed; `agent start` runs it"


def new_company(
    paths: AgentPaths,
    qwc_text: str,
    name: str | None,
    processor: str,
    company_file: str | None,
    seed: int | None,
    size: str | None,
    cassette: str | None,
) -> CompanyConfig:
    qwc = cfg.read_qwc_text(qwc_text)
    try:
        kind = ProcessorKind(processor)
    except ValueError:
        raise ConfigError(f"--processor {processor!r}: use com, emulator or replay") from None
    chosen = cfg.check_name(name or cfg.default_name(qwc))
    file = company_file or ""
    if kind is ProcessorKind.EMULATOR:
        if not file and seed is None:
            raise ConfigError("the emulator processor needs --company-file or --seed/--size")
        if seed is not None and not file:
            file = str(paths.companies_dir / f"{chosen}.json.gz")
        if company_file and seed is None and not Path(company_file).exists():
            raise ConfigError(f"--company-file {company_file}: no such file")
    if kind is ProcessorKind.REPLAY:
        if not cassette or not Path(cassette).is_file():
            raise ConfigError("the replay processor needs --cassette FILE (an existing file)")
        cassette = str(Path(cassette).resolve())
    if file and kind is ProcessorKind.EMULATOR:
        file = str(Path(file).resolve())
    return CompanyConfig(
        name=chosen,
        qwc_xml=qwc_text,
        processor=kind,
        company_file=file,
        seed=seed,
        size=size if seed is not None else None,
        cassette=cassette,
        every_minutes=cfg.scheduler_minutes(qwc),
    )


def runtime(paths: AgentPaths) -> dict[str, Any] | None:
    """The running agent's pid, port, token and UI URL, or ``None`` when none runs."""
    if not is_locked(paths.lock_file):
        return None
    for _ in range(100):  # the lock is taken before runtime.json is written: a short race
        try:
            data = read_json(paths.runtime_file)
            holder = paths.lock_file.read_text(encoding="utf-8").strip()
        except (ConfigError, OSError):
            data, holder = None, ""
        if isinstance(data, dict) and str(data.get("pid")) == holder:
            return data  # written by the agent that holds the lock (not a killed one's)
        time.sleep(0.1)
    return None


class Control:
    def __init__(self, paths: AgentPaths) -> None:
        self.paths = paths
        self.info = runtime(paths)

    @property
    def running(self) -> bool:
        return self.info is not None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        import httpx

        assert self.info is not None
        url = f"http://127.0.0.1:{self.info['port']}{path}"
        headers = {"Authorization": f"Bearer {self.info['token']}"}
        try:
            reply = httpx.request(method, url, json=body, headers=headers, timeout=30)
        except httpx.HTTPError as exc:
            pid = self.info["pid"]
            raise AgentUnreachable(f"the agent (pid {pid}) did not answer: {exc}") from None
        data = reply.json()
        if reply.status_code >= 400:
            raise ConfigError(str(data.get("error", reply.text)))
        return data

    # -- the commands -------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        if self.running:
            data: dict[str, Any] = self.call("GET", "/api/status")
            return data
        config = cfg.load_config(self.paths.config_file)
        states = load_states(self.paths.state_file)
        return status_json(config, states, Live(), pid=None, ui_url=None, running=False)

    def add_company(self, company: CompanyConfig, password: str) -> str:
        if self.running:
            body = {
                "qwc": company.qwc_xml, "password": password, "name": company.name,
                "processor": company.processor.value, "companyFile": company.company_file,
                "seed": company.seed, "size": company.size, "cassette": company.cassette,
            }  # fmt: skip
            self.call("POST", "/api/companies", body)
            return f"added {company.name}; the agent syncs it now"
        config = cfg.add_company(cfg.load_config(self.paths.config_file), company)
        self.paths.create()
        open_credential_store(self.paths).set(company.name, password)
        cfg.save_config(self.paths.config_file, config)
        return f"added {company.name}; {OFFLINE_NOTE}"

    def remove(self, name: str) -> str:
        if self.running:
            self.call("DELETE", f"/api/companies/{name}")
            return f"removed {name}"
        config = cfg.remove_company(cfg.load_config(self.paths.config_file), name)
        cfg.save_config(self.paths.config_file, config)
        open_credential_store(self.paths).delete(name)
        return f"removed {name}; {OFFLINE_NOTE}"

    def set_paused(self, name: str, paused: bool) -> str:
        word = "paused" if paused else "resumed"
        if self.running:
            self.call("POST", f"/api/companies/{name}/{'pause' if paused else 'resume'}")
            return f"{name}: {word}"
        config = cfg.edit_company(cfg.load_config(self.paths.config_file), name, paused=paused)
        cfg.save_config(self.paths.config_file, config)
        return f"{name}: {word}; {OFFLINE_NOTE}"

    def schedule(self, name: str, every_minutes: int) -> str:
        cfg.check_every_minutes(every_minutes)
        if self.running:
            self.call("PUT", f"/api/companies/{name}/schedule", {"everyMinutes": every_minutes})
            return f"{name}: every {every_minutes} minutes"
        config = cfg.edit_company(
            cfg.load_config(self.paths.config_file), name, every_minutes=every_minutes
        )
        cfg.save_config(self.paths.config_file, config)
        return f"{name}: every {every_minutes} minutes; {OFFLINE_NOTE}"

    def sync_now(self, name: str | None) -> list[str]:
        if not self.running:
            raise NotRunning("no agent is running: start it with `qbd-connector agent start`")
        lines: list[str] = self.call("POST", "/api/sync", {"name": name})["lines"]
        return lines

    def stop(self, timeout: float = 330.0) -> str:
        if not self.running:
            raise NotRunning("no agent is running")
        assert self.info is not None
        self.call("POST", "/api/stop")
        deadline = time.monotonic() + timeout
        while is_locked(self.paths.lock_file):
            if time.monotonic() > deadline:
                raise AgentUnreachable(f"the agent (pid {self.info['pid']}) has not stopped yet")
            time.sleep(0.1)
        return f"stopped the agent (pid {self.info['pid']})"

    def ui_url(self) -> str:
        if not self.running:
            raise NotRunning("no agent is running: start it with `qbd-connector agent start`")
        assert self.info is not None
        return str(self.info["uiUrl"])


def agent_command() -> list[str]:
    """The command line that runs the agent in the foreground (packaged or from Python)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "agent", "run"]
    return [sys.executable, "-m", "connector", "agent", "run"]


def start_detached(paths: AgentPaths, timeout: float = 30.0) -> dict[str, Any]:
    if runtime(paths) is not None:
        from connector.agent.errors import AlreadyRunning

        raise AlreadyRunning(runtime(paths).get("pid"))  # type: ignore[union-attr]
    kwargs: dict[str, Any] = {}
    if os.name == "nt":  # pragma: no cover - Windows
        kwargs["creationflags"] = 0x00000008 | 0x00000200  # DETACHED_PROCESS | NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    proc = subprocess.Popen(
        agent_command(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **kwargs,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = runtime(paths)
        if info is not None and info.get("pid") == proc.pid:
            return info
        if proc.poll() is not None:
            raise AgentUnreachable(
                f"the agent exited at once (code {proc.returncode}); see {paths.log_file}"
            )
        time.sleep(0.1)
    raise AgentUnreachable(f"the agent did not come up in {timeout:.0f} s; see {paths.log_file}")

"""Where the agent keeps its files: the platform's per-user folders, or ``QBD_AGENT_HOME``.

Owns: the folder layout (configuration, state, logs) and the names of the files in it.
Must not: read or write those files (their owners do).

With ``QBD_AGENT_HOME`` (tests, the demo, a portable install) everything lives under that one
folder; otherwise platformdirs gives the per-user folders (``%LOCALAPPDATA%\\qbd-connector``
on Windows, ``~/.config``, ``~/.local/state`` on Linux).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP = "qbd-connector"
HOME_ENV = "QBD_AGENT_HOME"


@dataclass(frozen=True)
class AgentPaths:
    config_dir: Path
    state_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "agent.json"

    @property
    def token_file(self) -> Path:
        """The per-install token of the local UI and API."""
        return self.config_dir / "ui-token"

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.enc"

    @property
    def credentials_key(self) -> Path:
        return self.config_dir / "credentials.key"

    @property
    def companies_dir(self) -> Path:
        """Saved fake companies (the emulator processor) live here."""
        return self.state_dir / "companies"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def runtime_file(self) -> Path:
        """Written by the running agent: its pid, port and UI URL."""
        return self.state_dir / "runtime.json"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / "agent.lock"

    @property
    def updates_dir(self) -> Path:
        return self.state_dir / "updates"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "agent.log"

    def create(self) -> None:
        """Make the folders, readable only by the user (they hold secrets)."""
        for folder in (self.config_dir, self.state_dir, self.log_dir, self.companies_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                os.chmod(folder, 0o700)


def agent_paths(environ: Mapping[str, str] | None = None) -> AgentPaths:
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().resolve()
        return AgentPaths(root / "config", root / "state", root / "logs")
    import platformdirs

    return AgentPaths(
        Path(platformdirs.user_config_dir(APP, appauthor=False)),
        Path(platformdirs.user_state_dir(APP, appauthor=False)),
        Path(platformdirs.user_log_dir(APP, appauthor=False)),
    )

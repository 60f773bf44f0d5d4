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


class _In:
    """A file or folder of the layout: ``name`` in the folder held by the attribute ``folder``."""

    def __init__(self, folder: str, name: str) -> None:
        self.folder, self.name = folder, name

    def __get__(self, paths: object, owner: type | None = None) -> Path:
        folder: Path = getattr(paths, self.folder)
        return folder / self.name


@dataclass(frozen=True)
class AgentPaths:
    config_dir: Path
    state_dir: Path
    log_dir: Path

    config_file = _In("config_dir", "agent.json")
    token_file = _In("config_dir", "ui-token")
    """The per-install token of the local UI and API."""
    credentials_file = _In("config_dir", "credentials.enc")
    credentials_key = _In("config_dir", "credentials.key")
    companies_dir = _In("state_dir", "companies")
    """Saved fake companies (the emulator processor) live here."""
    state_file = _In("state_dir", "state.json")
    runtime_file = _In("state_dir", "runtime.json")
    """Written by the running agent: its pid, port and UI URL."""
    lock_file = _In("state_dir", "agent.lock")
    updates_dir = _In("state_dir", "updates")
    log_file = _In("log_dir", "agent.log")

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

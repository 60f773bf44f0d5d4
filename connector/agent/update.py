"""Self-update with tufup (TUF: signed, expiring, rollback-protected metadata).

Owns: which release runs (``Release``, read from ``release.json`` beside the executable, or
in ``QBD_AGENT_RELEASE_DIR`` for a launcher script), checking the update repository
(``Updater.check``: refresh root -> timestamp -> snapshot -> targets, pick a newer archive,
download it, verify its length and hashes against the signed targets metadata, unpack it
into ``updates/releases/<version>`` and record it in ``updates/current.json``), and handing
over at the next start (``next_release``: ``agent run`` execs the newest staged release
instead of itself). Nothing is asked of the user; nothing changes until a release verified
whole. Refused: metadata with a bad signature, expired metadata, a version lower than one
seen before (TUF's rollback protection), an archive whose hashes do not match. The agent
then keeps running the release it has and logs why.
The trusted root comes with the release (``root.json`` in it, written by ``ci/release``).
Must not: ask the user anything or replace files of the running release.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector.agent.files import read_json, write_json
from connector.agent.logs import LOGGER
from connector.agent.paths import AgentPaths

APP_NAME = "qbd-connector"
RELEASE_FILE = "release.json"
RELEASE_DIR_ENV = "QBD_AGENT_RELEASE_DIR"
CHECK_EVERY_SECONDS = 6 * 3600

log = logging.getLogger(LOGGER)


@dataclass(frozen=True)
class Release:
    version: str
    directory: Path
    update_url: str | None = None

    @property
    def executable(self) -> Path:
        name = "qbd-connector.exe" if os.name == "nt" else "qbd-connector"
        return self.directory / name

    @classmethod
    def read(cls, directory: Path) -> Release | None:
        try:
            data = json.loads((directory / RELEASE_FILE).read_text(encoding="utf-8"))
            return cls(str(data["version"]), directory, data.get("updateUrl"))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def running_release(environ: dict[str, str] | None = None) -> Release | None:
    """The release this process runs from, or ``None`` (a development install)."""
    env = os.environ if environ is None else environ
    folder = env.get(RELEASE_DIR_ENV)
    if folder:
        return Release.read(Path(folder))
    if getattr(sys, "frozen", False):
        return Release.read(Path(sys.executable).resolve().parent)
    return None


def _newer(a: str, b: str) -> bool:
    from packaging.version import Version

    return Version(a) > Version(b)


def staged_release(paths: AgentPaths) -> Release | None:
    data = read_json(paths.updates_dir / "current.json")
    if not isinstance(data, dict) or "directory" not in data:
        return None
    return Release.read(Path(data["directory"]))


def next_release(paths: AgentPaths, running: Release | None) -> Release | None:
    """The staged release to run instead of ``running`` (newer, and complete), or ``None``."""
    staged = staged_release(paths)
    if running is None or staged is None or not staged.executable.exists():
        return None
    return staged if _newer(staged.version, running.version) else None


class Updater:
    def __init__(self, paths: AgentPaths, running: Release, url: str) -> None:
        self.paths, self.running, self.url = paths, running, url.rstrip("/")
        self.ready: str | None = None
        """A newer release staged by this process (runs from the next start)."""
        self.last_problem: str | None = None

    def _client(self) -> Any:
        from tufup.client import Client

        base = self.paths.updates_dir
        metadata, targets = base / "metadata", base / "targets"
        for folder in (metadata, targets, base / "releases"):
            folder.mkdir(parents=True, exist_ok=True)
        if not (metadata / "root.json").exists():
            shutil.copy(self.running.directory / "root.json", metadata / "root.json")
        current = staged_release(self.paths)
        version = self.running.version
        if current is not None and _newer(current.version, version):
            version = current.version  # already staged: look beyond it
        return Client(
            app_name=APP_NAME,
            app_install_dir=base / "releases",
            current_version=version,
            metadata_dir=metadata,
            metadata_base_url=f"{self.url}/metadata/",
            target_dir=targets,
            target_base_url=f"{self.url}/targets/",
            extract_dir=Path(tempfile.mkdtemp(prefix="extract-", dir=base)),
            refresh_required=False,
        )

    def check(self) -> str | None:
        """Check once; the version staged, or ``None`` (nothing newer, or refused: see
        ``last_problem``). Never raises for what the repository serves."""
        from tuf.api.exceptions import DownloadError, RepositoryError

        self.last_problem = None
        try:
            client = self._client()
            # Refresh here, where every refusal raises (bad signature, expiry, rollback):
            # tufup's check_for_updates would log some and carry on. TUF allows one refresh
            # per Updater, so its own call is skipped.
            client.refresh()
            client.refresh = lambda: None
            found = client.check_for_updates()
            if found is None:
                return None
            version = str(found.version)
            client.download_and_apply_update(
                skip_confirmation=True, install=self._stage(version), progress_hook=None
            )
        except (RepositoryError, DownloadError, OSError, ValueError) as exc:
            self.last_problem = f"{type(exc).__name__}: {exc}"
            log.warning("update refused, keeping release %s: %s", self.running.version, exc)
            return None
        if staged_release(self.paths) is None or self.ready != version:
            return None
        log.info("update %s verified and ready: it runs from the next start", version)
        return version

    def _stage(self, version: str) -> Any:
        def install(src_dir: Path, dst_dir: Path, **_kwargs: Any) -> None:
            target = Path(dst_dir) / version
            work = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=dst_dir))
            shutil.copytree(src_dir, work, dirs_exist_ok=True, symlinks=True)
            if Release.read(work) is None:
                shutil.rmtree(work)
                raise ValueError(f"release {version} has no {RELEASE_FILE}")
            if target.exists():
                shutil.rmtree(target)
            work.rename(target)
            shutil.rmtree(src_dir, ignore_errors=True)
            write_json(self.paths.updates_dir / "current.json", {"directory": str(target)})
            self.ready = version

        return install

    def run_periodically(self, stop: threading.Event, first_after: float = 5.0) -> None:
        wait = first_after
        while not stop.wait(wait):
            self.check()
            wait = CHECK_EVERY_SECONDS

"""Agent test harness: a live service with companies and connections, QWC files on disk,
and the agent's folder (``QBD_AGENT_HOME``) with the encrypted-file password store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector.qbwc.qwc import connection_qwc
from connector.settings import Settings
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from tests.e2e.e2e_harness import live_service


@dataclass(frozen=True)
class Linked:
    name: str
    company_id: str
    qwc: Path
    password: str


@dataclass
class Service:
    db: Database
    settings: Settings
    folder: Path

    def link(self, name: str, every_minutes: int = 1) -> Linked:
        with self.db.begin() as conn:
            row = create_company(conn, name)
            connection, password = create_connection(
                conn, row.id, "desktop_app", owner_id=self.settings.owner_id,
                every_minutes=every_minutes,
            )  # fmt: skip
            text = connection_qwc(self.settings, row, connection)
        path = self.folder / f"{name}.qwc"
        path.write_text(text, encoding="utf-8")
        return Linked(name, row.id, path, password)


@contextmanager
def running_service(folder: Path, **overrides: Any) -> Iterator[Service]:
    db = Database.from_url(f"sqlite:///{folder / 'service.db'}")
    db.migrate()
    try:
        with live_service(db, **overrides) as settings:
            yield Service(db, settings, folder)
    finally:
        db.dispose()


def agent_env(home: Path) -> dict[str, str]:
    return {**os.environ, "QBD_AGENT_HOME": str(home), "QBD_AGENT_CREDENTIALS": "file"}


def cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "connector", "agent", *args],
        env=agent_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"agent {args[0]} exited {done.returncode}: {done.stderr}")
    return done


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")

"""``qbd-connector demo --agent``: the service and the desktop agent, two fake companies.

Owns: the orchestration a new user sees: the service on loopback (the same store as
``demo``: ``QBD_DATABASE_URL`` or ``qbd-connector.db`` here), two demo companies with a
connection each (scheduled every minute; made once, reused through ``qbd-demo-agent.json``),
their QWC files, and the agent (``QBD_AGENT_HOME`` or ``./qbd-demo-agent/``) started in the
background with both companies on the emulator's fake QuickBooks: it syncs both at once and
then on the schedule. Returns the agent's UI URL; ``stop`` ends the agent and the service.
Must not: import ``qbd_emulator`` (the agent reaches it through its processor entry point),
or print (``connector.cli.demo_cmd`` does).

``qbd-demo-agent.json`` keeps the connections' passwords in clear text for later runs: a
local demo file (mode 0600), as ``qbd-demo.json`` is for ``demo``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector.agent.control import Control, new_company, start_detached
from connector.agent.errors import AgentError
from connector.agent.paths import HOME_ENV, agent_paths
from connector.demo import DemoError, listen, serve_in_thread
from connector.private_files import write_private
from connector.settings import Settings
from connector.store.companies import create_company, get_company
from connector.store.connections import create_connection, get_connection
from connector.store.db import Database
from connector.store.errors import NotFound

STATE_FILE = "qbd-demo-agent.json"
COMPANIES = (("Demo-A", 1), ("Demo-B", 2))


@dataclass(frozen=True)
class AgentDemo:
    ui_url: str
    settings: Settings
    companies: tuple[str, ...]
    agent_home: Path


def _links(database: Database, settings: Settings, folder: Path) -> dict[str, dict[str, str]]:
    path = folder / STATE_FILE
    saved: dict[str, dict[str, str]] = {}
    if path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
    links = {}
    for name, _seed in COMPANIES:
        link = saved.get(name)
        try:
            if link is None:
                raise NotFound(name)
            with database.begin() as conn:
                company = get_company(conn, link["companyId"])
                connection = get_connection(conn, link["connectionId"])
        except (NotFound, KeyError):
            with database.begin() as conn:
                company = create_company(conn, f"{name} {time.strftime('%H%M%S')}")
                connection, password = create_connection(
                    conn, company.id, "desktop_app", owner_id=settings.owner_id, every_minutes=1
                )
            link = {"companyId": company.id, "connectionId": connection.id, "password": password}
        from connector.qbwc.qwc import connection_qwc

        qwc = folder / f"qbd-demo-agent-{name}.qwc"
        qwc.write_text(connection_qwc(settings, company, connection), encoding="utf-8")
        links[name] = {**link, "qwc": str(qwc)}
    kept = {n: {k: v for k, v in link.items() if k != "qwc"} for n, link in links.items()}
    write_private(path, json.dumps(kept, indent=2).encode("utf-8"))  # passwords: 0600 at once
    return links


def start(
    stack: ExitStack, folder: Path, database_url: str, size: str = "tiny", port: int = 0
) -> AgentDemo:
    """Start everything; ``stack`` closing stops the agent, then the service."""
    database = Database.from_url(database_url)
    stack.callback(database.dispose)
    database.migrate()
    sock = stack.enter_context(listen("127.0.0.1", port))
    settings = Settings(database_url=database_url, port=sock.getsockname()[1])
    stack.enter_context(serve_in_thread(settings, database, sock))
    links = _links(database, settings, folder)
    os.environ.setdefault(HOME_ENV, str(folder / "qbd-demo-agent"))
    paths = agent_paths()
    control = Control(paths)
    if control.running:
        control.stop()  # the service moved to a new port: the agent restarts with it
    known = {c["name"] for c in control.status()["companies"]}
    for name, seed in COMPANIES:
        text = Path(links[name]["qwc"]).read_text(encoding="utf-8")
        if name in known:
            control.remove(name)  # the QWC's AppURL names the new port
        company = new_company(paths, text, name, "emulator", None, seed, size, None)
        control.add_company(company, links[name]["password"])
    info = start_detached(paths)
    stack.callback(lambda: _stop(paths))
    return AgentDemo(
        str(info["uiUrl"]), settings, tuple(n for n, _ in COMPANIES), paths.config_dir.parent
    )


def _stop(paths: Any) -> None:
    with suppress(AgentError):
        Control(paths).stop()


def wait_synced(
    home: Path, names: tuple[str, ...], timeout: float = 600
) -> Iterator[dict[str, Any]]:
    """Status snapshots until every company has a finished run (or ``timeout``)."""
    paths = agent_paths()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Control(paths).status()
        yield status
        done = [c for c in status["companies"] if c["lastRun"] and c["state"] != "syncing"]
        if len(done) == len(names):
            return
        time.sleep(0.5)
    raise DemoError(f"the agent did not finish a first sync in {timeout:.0f} s")

"""``qbd-connector demo``: the whole product on the embedded default, in one folder.
About 320 lines: one orchestration, read top to bottom in the order it runs.

Owns: the orchestration: the store (SQLite ``qbd-connector.db`` in the folder unless
``QBD_DATABASE_URL`` says otherwise), the service on loopback (uvicorn in a thread), the demo
company, its connection and an API key (created once, reused by later runs through
``qbd-demo.json``), a fake company file beside the database (``qbd-demo-company.json.gz``),
and one Web Connector session run by the emulator's fake Web Connector as a separate
program (``python -m qbd_emulator webconnector``), while the sync's progress is read back
from the store. A second run in the same folder first changes the fake company
(``qbd_emulator mutate``) and syncs incrementally.
Must not: import ``qbd_emulator`` (DESIGN.md: the emulator is reached as a program), print
(``connector.cli.demo_cmd`` renders), or hold sync logic.

``qbd-demo.json`` keeps the demo connection's password and API key in clear text so a
second run can use them: it is a local demo file (mode 0600), not how a deployment keeps
secrets (the store keeps only argon2id hashes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connector.portal.operations import queue_sync
from connector.private_files import write_private
from connector.settings import Settings
from connector.store import records as record_store
from connector.store import sync_runs as runs
from connector.store.api_keys import create_api_key
from connector.store.companies import create_company, get_company
from connector.store.connections import create_connection, get_connection
from connector.store.db import Database
from connector.store.errors import NotFound
from connector.store.sync_runs import SyncRun

STATE_FILE = "qbd-demo.json"
COMPANY_FILE = "qbd-demo-company.json.gz"
QWC_FILE = "qbd-demo.qwc"
COMPANY_NAME = "Demo Company"


class DemoError(Exception):
    """The demo could not run; the message says why and what to do."""


@dataclass(frozen=True)
class DemoOptions:
    folder: Path
    database_url: str
    size: str = "small"
    seed: int = 1
    host: str = "127.0.0.1"
    port: int = 0
    """0: 8080 when free, else any free port."""


@dataclass(frozen=True)
class DemoLink:
    company_id: str
    connection_id: str
    password: str
    api_key: str
    size: str
    seed: int


@dataclass(frozen=True)
class DemoResult:
    link: DemoLink
    settings: Settings
    run: SyncRun
    records: dict[str, int]
    seconds: float
    incremental: bool
    session: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def fetched(self) -> int:
        return sum(t.fetched for t in self.run.types)

    @property
    def records_per_second(self) -> float:
        return self.fetched / self.seconds if self.seconds > 0 else 0.0

    def urls(self) -> dict[str, str]:
        """What the service serves, to explore: the REST API's base, its documentation, the
        demo company's synced customers and sync history, the portal and the SOAP endpoint."""
        base = self.settings.public_url
        company = f"{base}/api/v1/companies/{self.link.company_id}"
        urls = {
            "restApi": f"{base}/api/v1",
            "openApi": f"{base}/api/v1/openapi.json",
            "docs": f"{base}/api/v1/docs",
            "customers": f"{company}/data/customers",
            "syncs": f"{company}/syncs",
        }
        urls["portal"] = f"{base}/portal"
        urls["qbwc"] = f"{base}/qbwc"
        return urls


ProgressSink = Callable[[SyncRun, dict[str, runs.CursorRow]], None]


def free_port(host: str, preferred: int = 8080) -> int:
    import socket

    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            chosen: int = sock.getsockname()[1]
            return chosen
    raise DemoError(f"no free port on {host}")


@contextmanager
def serve_in_thread(settings: Settings, database: Database) -> Iterator[None]:
    """The whole app under uvicorn in a daemon thread until the block ends."""
    import uvicorn

    from connector.api.app import create_app

    app = create_app(settings, database=database)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="qbd-demo-service", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise DemoError(f"the service did not start on {settings.host}:{settings.port}")
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _emulator(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "qbd_emulator", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DemoError(f"`qbd-emulator {' '.join(args[:2])}` failed: {detail[0]}")
    return done


def prepare_company_file(folder: Path, link: DemoLink, fresh: bool) -> tuple[bool, str]:
    """Generate the fake company on the first run, change it on later ones.

    Returns (changed an existing file, a note for the user)."""
    path = folder / COMPANY_FILE
    if not path.exists() or fresh:
        _emulator(
            "company", "generate", "--seed", str(link.seed), "--size", link.size,
            "--out", str(path), "--json",
        )  # fmt: skip
        return False, f"generated a {link.size} fake company (seed {link.seed}) in {path.name}"
    changed = json.loads(
        _emulator("mutate", str(path), "--json", "--seed", str(time.time_ns() % 10**6)).stdout
    )
    what = ", ".join(f"{verb} {sum(t.values())}" for verb, t in changed.items())
    return True, f"changed the fake company in {path.name} ({what})"


def _load_state(folder: Path) -> dict[str, Any] | None:
    path = folder / STATE_FILE
    if not path.exists():
        return None
    try:
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return state
    except (OSError, ValueError) as exc:
        raise DemoError(f"{path} is unreadable ({exc}); delete it to start over") from None


def _save_state(folder: Path, link: DemoLink) -> None:
    """The password and API key in clear: 0600 from the first byte (issue 18 item 10)."""
    write_private(folder / STATE_FILE, json.dumps(link.__dict__, indent=2).encode("utf-8"))


def ensure_link(database: Database, settings: Settings, opts: DemoOptions) -> tuple[DemoLink, bool]:
    """The demo company, connection and API key: reused when still in the store."""
    state = _load_state(opts.folder)
    if state is not None:
        try:
            with database.begin() as conn:
                get_company(conn, state["company_id"])
                get_connection(conn, state["connection_id"])
            return DemoLink(**state), False
        except (NotFound, KeyError, TypeError):
            pass  # a different database, or an old state file: start over
    with database.begin() as conn:
        name = COMPANY_NAME
        try:
            get_company(conn, name)
            name = f"{COMPANY_NAME} {time.strftime('%Y%m%d-%H%M%S')}"
        except NotFound:
            pass
        company = create_company(conn, name)
        connection, password = create_connection(
            conn, company.id, "desktop_app", owner_id=settings.owner_id, every_minutes=60
        )
        _, api_key = create_api_key(conn, "demo")
    link = DemoLink(company.id, connection.id, password, api_key, opts.size, opts.seed)
    _save_state(opts.folder, link)
    return link, True


def write_qwc(database: Database, settings: Settings, link: DemoLink, folder: Path) -> Path:
    from connector.qbwc.qwc import connection_qwc

    with database.begin() as conn:
        company = get_company(conn, link.company_id)
        connection = get_connection(conn, link.connection_id)
    path = folder / QWC_FILE
    path.write_text(connection_qwc(settings, company, connection), encoding="utf-8")
    return path


def run_web_connector(
    qwc: Path, password: str, company_file: Path, watch: Callable[[], None]
) -> dict[str, Any]:
    """The fake Web Connector as a separate program; ``watch`` runs while it works."""
    command = [
        sys.executable, "-m", "qbd_emulator", "webconnector", "--qwc", str(qwc),
        "--password", password, "--company", str(company_file), "--json",
        "--noop-wait", "1", "--timeout", "600",
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        while proc.poll() is None:
            watch()
            time.sleep(0.25)
        out, err = proc.communicate()
    watch()
    try:
        summary: dict[str, Any] = json.loads(out)
    except ValueError:
        raise DemoError(f"the fake Web Connector failed: {(err or out).strip()[-500:]}") from None
    return summary


def latest_run(database: Database, company_id: str) -> SyncRun | None:
    with database.begin(write=False) as conn:
        found = runs.list_runs(conn, company_id, limit=1)
        return runs.get_run(conn, found[0].id) if found else None


class Demo:
    """The demo's resources: open with ``start()``, sync with ``sync()``, stop with ``close()``."""

    def __init__(self, opts: DemoOptions) -> None:
        self.opts = opts
        self.database = Database.from_url(opts.database_url)
        port = opts.port or free_port(opts.host)
        self.settings = Settings(database_url=opts.database_url, host=opts.host, port=port)
        self._serving: Any = None

    def start(self) -> None:
        self.database.migrate()
        self._serving = serve_in_thread(self.settings, self.database)
        self._serving.__enter__()

    def close(self) -> None:
        if self._serving is not None:
            self._serving.__exit__(None, None, None)
            self._serving = None
        self.database.dispose()

    def sync(self, progress: ProgressSink | None = None) -> DemoResult:
        link, created = ensure_link(self.database, self.settings, self.opts)
        notes = [] if created else ["reusing the demo company, connection and API key"]
        if not created and (link.size, link.seed) != (self.opts.size, self.opts.seed):
            notes.append(
                f"kept the existing fake company ({link.size}, seed {link.seed}); "
                f"delete {COMPANY_FILE} and {STATE_FILE} to start over with another"
            )
        changed, note = prepare_company_file(self.opts.folder, link, fresh=created)
        notes.append(note)
        qwc = write_qwc(self.database, self.settings, link, self.opts.folder)
        started = time.perf_counter()
        before = latest_run(self.database, link.company_id)
        if before is not None:  # synced already: ask for a sync now (the schedule is not due)
            queue_sync(self.database, link.company_id, None, datetime.now(UTC))

        def watch() -> None:
            run = latest_run(self.database, link.company_id)
            if progress is not None and run is not None and (before is None or run.id != before.id):
                with self.database.begin(write=False) as conn:
                    progress(run, runs.load_cursors(conn, link.company_id))

        session = run_web_connector(qwc, link.password, self.opts.folder / COMPANY_FILE, watch)
        seconds = time.perf_counter() - started
        run = latest_run(self.database, link.company_id)
        if run is None or (before is not None and run.id == before.id):
            raise DemoError(f"no sync ran: {session.get('result')}: {session.get('errors')}")
        with self.database.begin(write=False) as conn:
            counts = record_store.count_records(conn, link.company_id)
        return DemoResult(link, self.settings, run, counts, seconds, changed, session, tuple(notes))

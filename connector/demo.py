"""``qbd-connector demo``: the whole product on the embedded default, in one folder.
About 400 lines: one orchestration, read top to bottom in the order it runs, then why a sync did not run.

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
import socket
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
from connector.store.sync_requests import QUEUED
from connector.store.sync_runs import SyncRun

STATE_FILE = "qbd-demo.json"
SIZES = {"tiny": 100, "small": 2_000, "medium": 50_000, "large": 500_000}
"""The fake company's sizes by name: ``qbd_emulator.generate.SIZES`` (a test keeps the two
equal; this module reaches the emulator only as a program, so it cannot import them)."""
MIN_RECORDS = 110
"""About how many records the smallest company has whatever size is asked: the chart of
accounts and the other fixed lists, plus one transaction of each type."""
COMPANY_FILE = "qbd-demo-company.json.gz"
QWC_FILE = "qbd-demo.qwc"
COMPANY_NAME = "Demo Company"


class DemoError(Exception):
    """The demo could not run; the message says why and what to do."""


class NoSyncError(DemoError):
    """The Web Connector ran but the service had nothing for it (paused, outside the sync
    window, integration off, ...); the message says why and what to do."""


def check_size(size: str) -> str:
    """``size`` when it names a fake company size (a name of ``SIZES`` or a positive record
    count), else ``DemoError`` saying what would do: checked before anything is created."""
    if size in SIZES or (size.isdigit() and int(size) >= 1):
        return size
    raise DemoError(f"unknown size {size!r}: use {'|'.join(SIZES)} or a number of records")


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


def listen(host: str, port: int = 0, preferred: int = 8080) -> socket.socket:
    """A listening socket, bound once and handed to uvicorn as it is, so no other program can
    take the port between choosing it and serving on it (issue 11 item 1). ``port`` 0:
    ``preferred`` when free, else any free port; another port: that one, or ``DemoError``."""
    for candidate in (port,) if port else (preferred, 0):
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, candidate))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            if port:
                raise DemoError(
                    f"cannot listen on {host}:{port} ({exc.strerror}): choose another --port, "
                    "or leave it out for 8080 or any free port"
                ) from None
            continue
        return sock
    raise DemoError(f"no free port on {host}")


@contextmanager
def serve_in_thread(
    settings: Settings, database: Database, sock: socket.socket | None = None
) -> Iterator[None]:
    """The whole app under uvicorn in a daemon thread until the block ends, on ``sock`` (a
    listening socket, see ``listen``) or on ``settings.host``:``settings.port``. The app's
    shutdown runs when the block ends: its page workers stop before the process exits."""
    import uvicorn

    from connector.api.app import create_app

    app = create_app(settings, database=database)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    sockets = None if sock is None else [sock]
    thread = threading.Thread(
        target=server.run, args=(sockets,), name="qbd-demo-service", daemon=True
    )
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
        thread.join(timeout=30)
        if sock is not None:
            sock.close()


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
    start_over = f"delete it and {COMPANY_FILE} to start over"
    try:
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DemoError(f"{path} is unreadable ({exc}); {start_over}") from None
    if not isinstance(state, dict):
        raise DemoError(f"{path} is not a demo state file; {start_over}")
    try:
        check_size(str(state.get("size", "")))
    except DemoError as exc:
        raise DemoError(f"{path} holds a bad size ({exc}); {start_over}") from None
    return state


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
    """The demo's resources: open with ``start()``, sync with ``sync()``, stop with ``close()``.

    Nothing is created before ``start()``: the options are checked first (``check_size``),
    so a bad argument leaves the folder as it was (issue 11 item 2)."""

    def __init__(self, opts: DemoOptions) -> None:
        check_size(opts.size)
        _load_state(opts.folder)  # a bad state file: say so before touching anything
        self.opts = opts
        self._sock = listen(opts.host, opts.port)
        self.database = Database.from_url(opts.database_url)
        port = self._sock.getsockname()[1]
        self.settings = Settings(database_url=opts.database_url, host=opts.host, port=port)
        self._serving: Any = None

    def start(self) -> None:
        self.database.migrate()
        self._serving = serve_in_thread(self.settings, self.database, self._sock)
        self._serving.__enter__()

    def close(self) -> None:
        if self._serving is not None:
            self._serving.__exit__(None, None, None)
            self._serving = None
        self._sock.close()
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
        if run is None or (before is not None and run.id == before.id) or run.status == QUEUED:
            raise NoSyncError(why_no_sync(self.database, link, session, datetime.now(UTC)))
        with self.database.begin(write=False) as conn:
            counts = record_store.count_records(conn, link.company_id)
        return DemoResult(link, self.settings, run, counts, seconds, changed, session, tuple(notes))


def why_no_sync(database: Database, link: DemoLink, session: dict[str, Any], now: datetime) -> str:
    """Why the Web Connector's session ran no sync, and what to do (issue 11 item 3)."""
    from connector.portal.operations import held_reason_for
    from connector.portal.status import HELD_OFF

    with database.begin(write=False) as conn:
        row = get_connection(conn, link.connection_id)
    first = f"no sync ran (the service answered {session.get('result')!r})"
    if row.paused:
        return (
            f"{first}: the demo connection is paused; "
            f"resume it with `qbd-connector connection resume {row.username}`"
        )
    held = held_reason_for(database, row)
    if held == HELD_OFF:
        return (
            f"{first}: {held.rstrip('.')}; turn it on in the portal (/portal: Settings, "
            'Integrations) or with PUT /api/v1/settings/integration {"enabled": true}'
        )
    if held is not None:
        return f"{first}: {held.rstrip('.')}; delete {STATE_FILE} to make a new demo company"
    if row.sync_window is not None and not row.sync_window.contains(now):
        opens = row.sync_window.next_open(now).isoformat(timespec="minutes")
        return (
            f"{first}: outside the connection's sync window until {opens}; "
            f"remove the window with `qbd-connector connection schedule {row.username} "
            f"--every-minutes {row.schedule_every_minutes} --window none`"
        )
    said = session.get("close_message") or session.get("last_error") or ""
    errors = "; ".join(str(e) for e in session.get("errors") or ())
    detail = "; ".join(x for x in (said, errors) if x) or "no reason given"
    return f"{first}: {detail}"

"""Incremental sync of an unchanged company (issue 12): the whole Web Connector session.

A company is synced in full once (over HTTP, not timed); then Web Connector sessions with
nothing changed in QuickBooks run against the same store, alternately with the old
behaviour (``Policy(probe=False)``: each type's rewound window fetched whole, the deleted
sweeps over 90 days) and the new one (a probe of IDs and EditSequences, then only what is
new or changed). Each session is timed from authenticate to closeConnection: the
Host/Company/Preferences answer, every data type's request, the reports (skipped when the
books did not change the same day) and the close. The service is a child process (this
file with ``--serve``, one per mode, both started before the sessions) on loopback with SQLite, one page worker; the QBWC client and the fake
QuickBooks run here. Printed per mode: requests QuickBooks answered (with the HCP query),
records it answered whole, ID-only (probes) and deleted (sweeps), median session seconds and the fake's own share.

    python bench/incremental_bench.py                      # medium, 3 sessions a mode
    python bench/incremental_bench.py --size small --rounds 5

Measured 2026-12-07, medium (seed 1), 5 sessions a mode alternating, the box shared with
other sessions (load 4-6); requests include the HCP query:
    mode   requests   whole  probed   swept  session s   qb s
    old          32      35       0     250       0.85   0.17
    new          32       0      35       2       0.86   0.25
The same number of round trips either way, so the session time is the same: it is the 31
request/response pairs and authenticate, not the records (an earlier run at load 18-42:
0.72 old, 0.62 new). No record is fetched whole again; the sweeps get the deletions inside
their rewind only. The fake's own time grows a little: its IncludeRetElement answer keeps
the Ret's required elements (``qbd_emulator.handlers``, marked uncertain there).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx

from connector.qbwc.client import SessionResult, run_session
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbwc.qwc import Qwc, connection_qwc, parse_qwc
from connector.settings import Settings
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from connector.store.sync_requests import queue_sync
from qbd_emulator.child_service import free_port
from qbd_emulator.company import CompanyFile
from qbd_emulator.counting import CountingQuickBooks
from qbd_emulator.generate import generate
from qbd_emulator.webconnector import add_application

MODES = {"old": False, "new": True}
"""Mode name -> ``Policy.probe``."""


def serve(port: int, url: str, probe: bool) -> None:
    """The child: the connector's app with the sync policy of one mode, until SIGTERM."""
    import uvicorn

    from connector.api.app import create_app, default_work_source
    from connector.runtime import tune_process
    from connector.sync.plan import Policy

    settings = Settings(database_url=url, port=port)
    database = Database.from_url(url)
    policy = Policy(page_size=settings.sync_page_size, probe=probe)
    stops: list[Callable[[], None]] = []  # the page worker ends with the service
    factory = partial(default_work_source, policy=policy, on_shutdown=stops)
    app = create_app(settings, database=database, work_source_factory=factory)
    tune_process()
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        for stop in stops:
            stop()
        database.dispose()


def start(port: int, url: str, probe: bool, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "--serve", str(port), url, str(int(probe))]
    env = {**os.environ, "QBD_APPLY_WORKERS": "1"}
    proc = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    for _ in range(1500):  # up to 300 s: a loaded box starts it slowly
        if proc.poll() is not None:
            break
        with suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).is_success:
                return proc
        time.sleep(0.2)
    proc.kill()  # not left running after the bench gives up on it
    proc.wait()
    raise RuntimeError(f"the service did not start: {log.read_text()[-1000:]}")


@dataclass
class Figures:
    seconds: list[float] = field(default_factory=list)
    qb_seconds: list[float] = field(default_factory=list)
    requests: int = 0
    whole: int = 0
    probed: int = 0
    swept: int = 0

    def line(self, mode: str) -> str:
        return (
            f"{mode:<5} {self.requests:>9} {self.whole:>7} {self.probed:>7} {self.swept:>7} "
            f"{statistics.median(self.seconds):>10.2f} {statistics.median(self.qb_seconds):>6.2f}"
        )


HEADER = (
    f"{'mode':<5} {'requests':>9} {'whole':>7} {'probed':>7} {'swept':>7} {'session s':>10} "
    f"{'qb s':>6}"
)


@dataclass
class Bench:
    folder: Path
    url: str
    qwc: Qwc
    password: str
    company_id: str
    database: Database

    @contextmanager
    def service(self, probe: bool) -> Iterator[Qwc]:
        """The service of one mode while the block runs; the QWC pointing at it."""
        port = free_port()
        proc = start(port, self.url, probe, self.folder / "serve.log")
        try:
            yield replace(self.qwc, app_url=f"http://localhost:{port}/qbwc")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)

    def session(self, qwc: Qwc, qb: CountingQuickBooks, now: datetime) -> float:
        """One Web Connector session; its wall time, authenticate to closeConnection."""
        with self.database.begin() as conn:  # the schedule is not due: ask for a sync now
            queue_sync(conn, self.company_id, None, datetime.now(UTC))
        qb.clock = lambda: now
        qb.reset()
        with HttpxTransport(qwc.app_url, timeout=600) as transport:
            started = time.perf_counter()
            summary = run_session(
                qwc, self.password, SoapQbwcService(transport), qb, sleep=lambda _s: None
            )
            seconds = time.perf_counter() - started
        if summary.result is not SessionResult.DONE:
            raise RuntimeError(f"the session ended early: {summary}")
        return seconds


def setup(company: CompanyFile, folder: Path) -> Bench:
    url = f"sqlite:///{folder / 'bench.db'}"
    database = Database.from_url(url)
    database.migrate()
    settings = Settings(database_url=url, port=free_port())
    with database.begin() as conn:
        row = create_company(conn, "Incremental Co")
        connection, password = create_connection(
            conn, row.id, "desktop_app", owner_id=settings.owner_id
        )
        qwc = parse_qwc(connection_qwc(settings, row, connection))
    return Bench(folder, url, qwc, password, row.id, database)


def latest(company: CompanyFile) -> datetime:
    stamps = [r.data["TimeModified"] for rs in company.records.values() for r in rs.values()]
    return max(s for s in stamps if isinstance(s, datetime)) + timedelta(minutes=5)


def bench(size: str, seed: int, rounds: int) -> dict[str, Figures]:
    started = time.perf_counter()
    company = generate(seed, size)
    count = sum(company.counts().values())
    print(f"# {size}: {count} records, generated in {time.perf_counter() - started:.0f} s")
    figures = {mode: Figures() for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="incremental-bench-") as tmp:
        work = setup(company, Path(tmp))
        now = latest(company)
        qb = CountingQuickBooks(company, clock=lambda: now)
        add_application(work.qwc, qb)
        with work.service(True) as qwc:
            full = work.session(qwc, qb, now)
        print(f"# full sync: {sum(qb.whole.values())} records in {full:.1f} s (not compared)")
        with work.service(False) as old, work.service(True) as new:
            services = {"old": old, "new": new}
            for round_ in range(rounds):  # the modes alternate, so load changes hit both
                for mode, qwc in services.items():
                    row = figures[mode]
                    # the same day as the full sync: no reports asked again
                    minute = 1 + 2 * round_ + (mode == "new")
                    row.seconds.append(work.session(qwc, qb, now + timedelta(minutes=minute)))
                    row.qb_seconds.append(qb.seconds)
                    row.requests, row.whole = qb.requests, sum(qb.whole.values())
                    row.probed, row.swept = qb.probed, qb.swept
        work.database.dispose()
    return figures


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="medium", help="tiny|small|medium|large|N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="sessions per mode (median)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    figures = bench(args.size, args.seed, args.rounds)
    print(f"# load average at the start {load:.1f}, at the end {os.getloadavg()[0]:.1f}")
    print(HEADER)
    for mode, row in figures.items():
        print(row.line(mode))
    old, new = figures["old"], figures["new"]
    ratio = statistics.median(new.seconds) / statistics.median(old.seconds)
    print(f"# new/old session time {ratio:.2f}; records answered whole {old.whole} -> {new.whole}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

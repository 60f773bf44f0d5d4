"""End-to-end sync throughput: records/s over loopback HTTP, against the floor.

For each size and store backend:
- e2e: ``qbd-connector serve`` as a child process on loopback; the QBWC client (in this
  process) with the fake QuickBooks runs Web Connector sessions until the sync is done;
  records/s = records fetched / wall time; the service's peak resident memory (VmHWM).
- floor: the same qbXML responses (captured beforehand, not timed) parsed and bulk-inserted
  directly through the engine's apply path, one transaction per response: no SOAP, no HTTP,
  no fake QuickBooks.

    python bench/sync_bench.py                   # small, SQLite (+ PostgreSQL if reachable)
    python bench/sync_bench.py --size medium --size large --postgres URL
``qb s`` is the time the fake QuickBooks itself took inside e2e (it stands for the PC).
Targets (issue 5): >= 2,000 records/s for medium, >= 1/3 of the floor, service memory
under 300 MB for large that does not grow with company size.

Measured 2026-11-29 on the 2-core box, idle (load < 1.5), service with one page worker
(QBD_APPLY_WORKERS=1), pages of 250; peak = service + worker + resource tracker:
    size    backend     records  e2e s  qb s  e2e r/s  floor r/s  ratio  peak MB
    small   sqlite         2013    1.7   0.1     1202       3811   0.32      179
    small   sqlite         2013    2.3   0.2      861       2150   0.40      179
    small   postgresql     2013    2.9   0.2      702       1794   0.39      195
    medium  sqlite        50253   22.1   4.2     2270       2324   0.98      224
    medium  postgresql    50253   34.8   4.6     1445       2005   0.72      239
    large   sqlite       502503  227.4  48.1     2210       2394   0.92      263
(large: service 186 MB + worker 63 MB + tracker 13 MB; medium service 147 MB. Before this
session's work, medium sqlite was 750 r/s e2e against a 1,389 floor, 152 MB.) Small is
mostly fixed per-session costs (argon2 password check, 31 data types' first requests);
its floor is 0.5-0.9 s and varies run to run. Large on PostgreSQL was not run.

Issue 9 item 1 (one page path, one prologue, sync/behind.py), measured 2026-12-07 on the same
box shared by five sessions (load 6-13), so old and new ran at the same time, side by side
(e2e records/s, old -> new): medium sqlite 233 -> 238 and 268 -> 276 (the step alone),
190 -> 188 (main with issue 18 items 2 and 7 too); medium postgresql 246 -> 244; small
sqlite 96 -> 123, postgresql 66 -> 86. Peak memory 230-239 MB either way. Unchanged within
the noise of a loaded machine.

Issue 12: every run also prints the plain floor (``bench/plain_floor.py``: lxml, a dict per
``*Ret``, orjson, sqlite3 executemany, one transaction a page) over the same pages, and the
ratios floor/plain (the apply path; target >= 0.6) and e2e/plain (target >= 0.5). Measured
2026-12-07 on the same box, idle (load < 2), pages of 250, one page worker:
    size    backend     records  e2e s  qb s  e2e r/s  floor r/s  ratio  peak MB  plain r/s  floor/plain  e2e/plain
    small   sqlite         2013    1.0   0.1     2098       8609   0.24      201      12310         0.70       0.17
    small   postgresql     2013    1.5   0.1     1321       6395   0.21      218      12454         0.51       0.11
    medium  sqlite        50253   10.3   3.0     4858       9598   0.51      257      15325         0.63       0.32
    medium  postgresql    50253   15.1   3.0     3325       5297   0.63      269      10826         0.49       0.31
The apply path reaches 0.6 of the plain floor on SQLite, not on PostgreSQL; end to end is a
third of it. Since the reports (issue 17) a sync also asks for six reports at its end: they
count in e2e time, not in the floors (their pages are not kept).

Issue 12, 2026-12-07 later (this box measured slower that day: the plain floor gave 8,200-9,300
records/s where it gave 15,325 above, so compare the ratios). Medium, load < 1.5:
    size    backend     records  e2e s  qb s  e2e r/s  floor r/s  ratio  peak MB  plain r/s  floor/plain  e2e/plain
    medium  sqlite        50253   14.5   4.0     3456       5708   0.61      254       8175         0.70       0.42
    medium  postgresql    50253   16.8   3.9     2990       4828   0.62      270       8200         0.59       0.36
    medium  sqlite        50253   14.2   3.8     3539       5684   0.62      258       9290         0.61      0.38
    medium  postgresql    50253   17.4   4.0     2894       4243   0.68      271       6971         0.61      0.42
What moved: on PostgreSQL the known-ids SELECT went (it was planned as a scan of the data
type's rows without fresh statistics; the upsert now skips unchanged rows and returns what it
inserted) and the large texts are lz4 (migration 0015); pages applied behind are read before
their transaction; the fake QuickBooks shapes records by a dict copy; the SOAP front (soap_asgi).
CPU of one medium SQLite sync, load 11: client (fake QuickBooks + QBWC client) 10.0 s, service
7.7 s, page worker 8.7 s: e2e is CPU-bound on two cores, the fake and the client half of it.

Issue 12, 2026-12-07 (third session), idle (load < 2), after receiveResponseXML and
authenticate moved to the SOAP fast path and a report's rows were streamed (large: the aging
reports at the end of a sync had taken the service from ~155 to 373 MB, peak 450 MB):
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    medium  sqlite        50253     12.0    3.2      4185      6504   0.64       221      9471        0.69      0.44
    medium  postgresql    50253     14.6    3.5      3443      4949   0.70       236      7364        0.67      0.47
    large   sqlite       502503    119.1   33.9      4220      5473   0.77       281      7806        0.70      0.54
    large   postgresql   502503    149.1   33.4      3371      3909   0.86       296      6573        0.59      0.51
Medium's timeline (SQLite): its 217 pages take about 13 s, the fake QuickBooks busy 2.7 s of
them; the six reports at the end 1.25 s, the fake 1.04 s of it.

Issue 12, 2026-12-07 (fourth session), idle (load < 1.5), after a report's rows were written
as read (report_work.apply on the large aged receivables: +44 -> +8 MB), the SOAP front let
a body's chunks go once joined (+30 -> +20 MB while a 10.5 MB page is read), the fake
QuickBooks' ledger and reports were made cheaper and this process (the PC) freezes its
company out of the collector:
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    large   sqlite       502503    156.4   38.7      3213      4695   0.68       254      6621        0.71      0.49
    large   postgresql   502503    161.1   34.6      3120      3690   0.85       269      4867        0.76      0.64
    medium  sqlite        50253     16.2    3.8      3098      5272   0.59       222      7704        0.68      0.40
    medium  postgresql    50253     16.7    3.2      3015      4610   0.65       238      7927        0.58      0.38
    medium  sqlite        50253     13.4    3.0      3749      5539   0.68       222      8344        0.66      0.45
    medium  postgresql    50253     18.1    3.4      2774      4290   0.65       238      8566        0.50      0.32
(Large earlier the same day, before the collector and the fake's changes: 0.47 and 0.56
e2e/plain, 262 and 278 MB.) Two medium runs a minute apart differ by 20% in e2e seconds: on
this VM compare ratios over several runs. What large's peak still adds (254 against 222 MB)
is the service's (before the front's change: service 186 MB against medium's 147, page
worker 64 against 61): it holds the aged receivables' text whole (9 MB, and the 10.5 MB SOAP
body while reading it).

Issue 12, 2026-12-07 (fifth session), idle, after a call's checks became one statement, a
call's ending one UPDATE, a type's last page waited in the inbox too (215 of medium's 217
pages behind) and the service stopped waiting for the worker's page before storing the next
(AHEAD = 1: it had waited 2.2 s of a medium sync on SQLite, 2.7 s on PostgreSQL):
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    medium  sqlite        50253     11.1    3.1      4520      5520   0.82       216      8060        0.68      0.56
    medium  postgresql    50253     13.7    3.2      3668      5232   0.70       231      8905        0.59      0.41
    large   sqlite       502503    109.1   33.7      4607      4349   1.06       261      5816        0.75      0.79
    large   postgresql   502503    146.3   38.1      3435      3702   0.93       281      3739        0.99      0.92
(Medium at this session's start: 12.1 s, 0.46 on SQLite. The large runs' plain floors came
out low, 5,816 and 3,739 records/s against medium's 8,060-8,905, so their ratios flatter;
their e2e seconds against the fourth session's, 156.4 and 161.1, are the steadier comparison.)
Medium end to end on PostgreSQL stays under half the plain floor: the box's two cores are
nearly full (client 5.8 s, service 7.0 s, worker 9.4 s and PostgreSQL's processes about 3.6 s
of CPU in a 14.6 s sync), and each call still runs about four transactions.

Issue 12, 2026-12-07 (sixth session), idle, after a batch became one statement of arrays on
PostgreSQL (``INSERT ... SELECT FROM unnest(%b::text[], ...)`` instead of a pipeline of one
statement per row) and a page over 2 MiB (a type without iterators: large's ~2,500 employees in
one 2.7 MB page) stopped being held whole by the worker:
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    medium  sqlite        50253     10.8    2.8      4654      5175   0.90       216      8714        0.59      0.53
    medium  postgresql    50253     12.8    2.9      3940      5022   0.78       233      8933        0.56      0.44
    large   sqlite       502503    105.4   27.7      4769      5127   0.93       250      7768        0.66      0.61
    large   postgresql   502503    131.2   32.0      3830      4435   0.86       269      4314        1.03      0.89
    medium  sqlite        50253     11.3    2.9      4453      5314   0.84       216      7862        0.68      0.57
    medium  postgresql    50253     14.3    3.4      3524      4334   0.81       233      7233        0.60      0.49
(The two medium runs half an hour apart: the box slowed by a tenth in between, the plain
floor with it.) Side by side with the commit before, medium on PostgreSQL: 14.4 -> 13.0 s
e2e, the worker's CPU -0.8 s, PostgreSQL's -0.7 s; large on PostgreSQL against the fifth
session's run: 146.3 -> 131.2 s. Peak memory, medium -> large: 216 -> 250 MB (SQLite),
233 -> 269 MB (PostgreSQL); the worker is flat now (74 and 77 MB RSS, was 91 in large), the
service's steady RSS too (137-141 MB either size). What large still adds is the service's at
the end of the sync: the aged receivables report, 9 MB in one response (medium's is 0.9 MB),
held about three times over while its SOAP text is unescaped (the body, the parameter's bytes
and their copy), +27 MB. Tried and measured without a gain: reading a page from its tree
instead of start/end events (the same CPU once the worker's collector and malloc settings
apply), more pages ahead (AHEAD 2: -3%, AHEAD 6: -2%, within the noise), a larger SQLite WAL
checkpoint interval, handing the page's text to the worker instead of its reading it back
(-0.3 s on PostgreSQL, +0.3 s of the service's CPU on SQLite, which pickles it).

Issue 12, 2026-12-07 (seventh session), on a box slower than the day before (the same plain
floor at 4,219-7,384 records/s; a SOAP call's CPU drifting 0.77-1.23 ms within an hour), after
uvicorn got httptools and uvloop, a page's text was unescaped chunk by chunk as it arrives and
the response digest was hashed a slice at a time:
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    medium  sqlite        50253     20.9    5.3      2409      3111   0.77       217      4219        0.74      0.57
    medium  postgresql    50253     23.9    5.5      2098      2747   0.76       234      5796        0.47      0.36
(Before these, the same day: medium 0.46 and 0.36 e2e/plain, 0.51 and 0.36 an hour later.)
Large on SQLite, end to end only, the service's peak RSS (VmHWM) side by side: 173-176 MB
before, 160 MB after; with its worker and the resource tracker 251-254 -> 238 MB, so medium ->
large is 217 -> 238 MB (+21, was +34). The report's moment still adds +13 MB over the
service's steady 147 MB: the 9 MB report held as its raw chunks and its text, then as text.

Issue 12, 2026-12-08 (eighth session), no code on the sync path changed; three runs of the same
code, minutes apart, the box's speed drifting (the plain floor at 5,345-9,723 records/s):
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    medium  sqlite        50253     17.3    4.7      2901      3900   0.74       217      5345        0.73      0.54
    medium  postgresql    50253     18.7    4.1      2682      3471   0.77       234      7543        0.46      0.36
    medium  sqlite        50253     10.8    2.7      4655      5767   0.81       217      8975        0.64      0.52
    medium  postgresql    50253     13.2    2.8      3820      5191   0.74       235      9723        0.53      0.39
    medium  sqlite        50253     11.5    2.8      4365      5250   0.83       217      8468        0.62      0.52
    medium  postgresql    50253     14.7    3.4      3412      4965   0.69       234      8493        0.58      0.40
CPU of one medium PostgreSQL sync (/proc, five runs): client 4.6-5.2 s (the fake QuickBooks
2.9-3.2 of it), service 5.5-6.0 s, page worker 8.8-9.4 s, PostgreSQL about 4 s: two cores
full, so e2e/plain 0.5 asks for about a fifth less CPU in all, and no one part measured is
more than a few per cent of it (statements, commits, the SOAP text's unescaping, the
foreign key check per record). Large on SQLite with every response ending in a line break,
as QuickBooks' do: the service's peak is 160 MB with or without the copy that stripping
such a response made. The aged receivables' other moments are higher (tracemalloc on its 9.0 M
characters: reading, its raw chunks and text pieces 19.5 MB; joining, 18.0; storing its
JSON, the text and 11.5 MB more at ``ReportJson.text``).

Issue 12, 2026-12-08 (ninth session): a long answer no longer lives in the service's memory (a
page's raw bytes and text wait in temporary files past 1 MiB, ``soap_read`` and
``text_spool``; a report's rows are stored in pieces as they are made, ``report_row_chunks``).
One run, medium then large, the box idle:
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    medium  sqlite        50253     14.9    3.8      3363      3989   0.84       216      7268        0.55      0.46
    medium  postgresql    50253     17.5    4.1      2874      3109   0.92       233      5506        0.56      0.52
    large   sqlite       502503    170.4   51.9      2950      2484   1.19       225      3928        0.63      0.75
    large   postgresql   502503    223.6   56.3      2248      2259   0.99       245      4202        0.54      0.53
Medium to large: 216 -> 225 MB on SQLite (+9, was +20), 233 -> 245 on PostgreSQL (+12, was
+25). The service alone (VmHWM, SQLite): 142 -> 146-147 MB (was 142 -> 160); its highest
moment is now the largest data page (employees, 250 records), not the 9 MB aged receivables
(144 MB). The large plain floor stores 3,900-4,200 records/s against medium's 5,500-7,300
(a larger SQLite file), so large's ratios read higher. Medium again an hour later, the box
slower still (the plain floor at 3,594-4,332 records/s):
    size    backend     records    e2e s   qb s   e2e r/s floor r/s  ratio   peak MB plain r/s floor/plain e2e/plain
    medium  sqlite        50253     25.7    6.8      1958      2434   0.80       217      4048        0.60      0.48
    medium  postgresql    50253     25.1    6.1      2001      2266   0.88       234      3978        0.57      0.50
    medium  sqlite        50253     20.3    5.9      2480      3062   0.81       218      4332        0.71      0.57
    medium  postgresql    50253     25.8    5.9      1949      2632   0.74       234      3594        0.73      0.54
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from plain_floor import plain_floor

from connector.qbwc.client import SessionResult, run_session
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbwc.qwc import connection_qwc, parse_qwc
from connector.qbwc.server.work import SessionContext
from connector.qbxml.datatypes import BY_QUERY
from connector.qbxml.parse import iter_events
from connector.qbxml.values import ResponseStart
from connector.runtime import gc_tuned
from connector.settings import Settings
from connector.store import sync_runs as runs
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.upsert import apply_page
from qbd_emulator.child_service import free_port
from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import add_application

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HCP = (
    '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="continueOnError">'
    "<HostQueryRq/><CompanyQueryRq/><PreferencesQueryRq/></QBXMLMsgsRq></QBXML>"
)


@dataclass
class Result:
    size: str
    backend: str
    records: int
    e2e_seconds: float
    qb_seconds: float
    floor_seconds: float
    peak_mb: float
    plain_seconds: float
    """``plain_floor``: the same pages stored by twenty lines of plain code (issue 12)."""

    def line(self) -> str:
        e2e = self.records / self.e2e_seconds
        floor = self.records / self.floor_seconds
        plain = self.records / self.plain_seconds
        return (
            f"{self.size:<8} {self.backend:<10} {self.records:>8} {self.e2e_seconds:>8.1f} "
            f"{self.qb_seconds:>6.1f} {e2e:>9.0f} {floor:>9.0f} {e2e / floor:>6.2f} "
            f"{self.peak_mb:>9.0f} {plain:>9.0f} {floor / plain:>11.2f} {e2e / plain:>9.2f}"
        )


HEADER = (
    f"{'size':<8} {'backend':<10} {'records':>8} {'e2e s':>8} {'qb s':>6} {'e2e r/s':>9} "
    f"{'floor r/s':>9} {'ratio':>6} {'peak MB':>9} {'plain r/s':>9} {'floor/plain':>11} "
    f"{'e2e/plain':>9}"
)


class TimedQuickBooks(FakeQuickBooks):
    """The fake QuickBooks, timing its own work (it is part of e2e, not of the service)."""

    spent = 0.0

    def process_request(self, ticket: str, request: str) -> str:
        started = time.perf_counter()
        try:
            return super().process_request(ticket, request)
        finally:
            TimedQuickBooks.spent += time.perf_counter() - started


def latest(company: CompanyFile) -> datetime:
    stamps = [r.data["TimeModified"] for rs in company.records.values() for r in rs.values()]
    return max(s for s in stamps if isinstance(s, datetime)) + timedelta(hours=1)


@dataclass
class Store:
    backend: str
    url: str
    cleanup: list[str]


def fresh_store(backend: str, pg_url: str, folder: Path, tag: str) -> Store:
    if backend == "sqlite":
        return Store(backend, f"sqlite:///{folder / f'{tag}.db'}", [])
    schema = f"bench_{tag}_{os.getpid()}"
    admin = Database.from_url(pg_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
    admin.dispose()
    sep = "&" if "?" in pg_url else "?"
    return Store(backend, f"{pg_url}{sep}options=-csearch_path%3D{schema}", [schema])


def drop(store: Store, pg_url: str) -> None:
    if not store.cleanup:
        return
    admin = Database.from_url(pg_url)
    with admin.begin() as conn:
        for schema in store.cleanup:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


def serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QBD_DATABASE_URL": url}
    cmd = [
        sys.executable,
        "-m",
        "connector",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/qbwc", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"serve did not start: {log.read_text()[-1000:]}")


def _hwm_mb(pid: int) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    """Child processes started by any thread of ``pid`` (a worker pool starts them from
    whichever thread submits first)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def peak_mb(pid: int) -> float:
    """Peak resident memory of the service: its process plus its worker processes
    (the page applier; the multiprocessing resource tracker is counted too)."""
    return _hwm_mb(pid) + sum(_hwm_mb(child) for child in _children(pid))


def e2e(company: CompanyFile, url: str, folder: Path) -> tuple[int, float, float, float]:
    database = Database.from_url(url)
    database.migrate()
    port = free_port()
    settings = Settings(database_url=url, port=port)
    with database.begin() as conn:
        row = create_company(conn, "Bench Co")
        connection, password = create_connection(
            conn, row.id, "desktop_app", owner_id=settings.owner_id
        )
        qwc = parse_qwc(connection_qwc(settings, row, connection))
    now = latest(company)
    add_application(qwc, FakeQuickBooks(company, clock=lambda: now))
    proc = serve(url, port, folder / "serve.log")
    # This process stands for the PC (the Web Connector and QuickBooks): its company file
    # is loaded once and frozen out of the collector, as ``qbd-emulator webconnector`` and
    # the service's processes do (``connector.runtime``).
    try:
        with gc_tuned():
            started = time.perf_counter()
            TimedQuickBooks.spent = 0.0
            for _ in range(5):  # a session the service ends early is followed by another
                with HttpxTransport(qwc.app_url, timeout=600) as transport:
                    qb = TimedQuickBooks(company, clock=lambda: now)
                    summary = run_session(
                        qwc, password, SoapQbwcService(transport), qb, sleep=lambda _s: None
                    )
                if summary.result is SessionResult.DONE:
                    break
                print(f"# session ended early: {summary}", file=sys.stderr)
            seconds = time.perf_counter() - started
        memory = peak_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    with database.begin() as conn:
        run = runs.get_run(conn, runs.list_runs(conn, row.id, limit=1)[0].id)
    database.dispose()
    assert run is not None
    return sum(t.fetched for t in run.types), seconds, TimedQuickBooks.spent, memory


def capture(company: CompanyFile, folder: Path) -> Iterator[Path]:
    """The data pages of one full sync, via the engine on a scratch SQLite store (untimed);
    the report requests at its end are answered and applied but not kept."""
    scratch = Database.from_url(f"sqlite:///{folder / 'capture.db'}")
    scratch.migrate()
    company_id = create_company(scratch, "Capture").id
    now = latest(company)
    qb = FakeQuickBooks(company, clock=lambda: now)
    engine = SyncEngine(scratch)
    ctx = SessionContext("c", company_id, "capture", "16.0", "US", now)
    qb.open_connection("", "bench")
    ticket = qb.begin_session("")
    engine.begin(ctx, qb.process_request(ticket, HCP))
    n = 0
    while (request := engine.next_request(ctx)) is not None:
        response = qb.process_request(ticket, request)
        if "<ReportRet" not in response[:4096]:  # the floors store records, not reports
            path = folder / f"r{n:06d}.xml"
            path.write_text(response, encoding="utf-8")
            n += 1
            yield path
        if engine.apply_response(ctx, response).percent == 100:
            break
    scratch.dispose()


def floor(paths: list[Path], url: str) -> tuple[int, float]:
    """Apply the captured pages in this process, with the collector tuned as in the
    service's processes (``connector.runtime``), restored afterwards."""
    with gc_tuned():
        return _floor(paths, url)


def _floor(paths: list[Path], url: str) -> tuple[int, float]:
    database = Database.from_url(url)
    database.migrate()
    company_id = create_company(database, "Floor Co").id
    now = datetime.now().astimezone()
    records = 0
    started = time.perf_counter()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        start = next(e for e in iter_events(text) if isinstance(e, ResponseStart))
        dt = BY_QUERY[start.name.removesuffix("Rs")]
        with database.begin() as conn:
            applied = apply_page(
                conn, company_id, dt, start.request_id or "", iter_events(text, version="16.0"), now
            )
        records += applied.page.count if applied.page else 0
    seconds = time.perf_counter() - started
    database.dispose()
    return records, seconds


def bench(size: str, backends: list[str], pg_url: str, seed: int) -> list[Result]:
    t = time.perf_counter()
    company = generate(seed, size)
    print(
        f"# generated {size} ({sum(company.counts().values())} records) in {time.perf_counter() - t:.0f} s",
        file=sys.stderr,
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        folder = Path(tmp)
        paths = list(capture(company, folder))
        for backend in backends:
            store = fresh_store(backend, pg_url, folder, f"e2e_{size}")
            flo = fresh_store(backend, pg_url, folder, f"floor_{size}")
            try:
                # a company file keeps the FileID of the first connection authorised on it
                fresh_file = copy.deepcopy(company)
                records, seconds, qb_seconds, memory = e2e(fresh_file, store.url, folder)
                floor_records, floor_seconds = floor(paths, flo.url)
            finally:
                drop(store, pg_url)
                drop(flo, pg_url)
            assert floor_records == records, (floor_records, records)
            plain_records, plain_seconds = plain_floor(paths, folder)
            assert plain_records >= records, (plain_records, records)
            result = Result(
                size, backend, records, seconds, qb_seconds, floor_seconds, memory, plain_seconds
            )
            results.append(result)
            print(results[-1].line(), flush=True)
        shutil.rmtree(folder, ignore_errors=True)
    return results


def postgres_reachable(url: str) -> bool:
    try:
        database = Database.from_url(url)
        database.ping()
        database.dispose()
        return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", action="append", help="tiny|small|medium|large|N (repeatable; default small)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("QBD_TEST_POSTGRES_URL", DEFAULT_PG),
        help="PostgreSQL URL ('' to skip)",
    )
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite"]
    if not args.sqlite_only and args.postgres and postgres_reachable(args.postgres):
        backends.append("postgresql")
    print(HEADER)
    for size in args.size or ["small"]:
        bench(size, backends, args.postgres, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

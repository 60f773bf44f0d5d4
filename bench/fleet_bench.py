"""Fleet benchmark (issue 12): N Web Connectors at once against ``serve`` on PostgreSQL.

    python bench/fleet_bench.py                         # 500 clients, one service (~10 min)
    python bench/fleet_bench.py --clients 50            # a short run (~1-2 min)
    python bench/fleet_bench.py --clients 500 --services 2
    python bench/fleet_bench.py --clients 20 --services 2 --processes 2   # a smoke run

Creates a fresh database ``fleet_<pid>`` on the PostgreSQL server of ``--database-url`` (dropped
at the end), migrates it, provisions N tiny companies, each with a connection (through the
store, as the tests do), and starts ``--services`` real ``qbd-connector serve`` child processes
on loopback against it (clients split between them by their QWC's AppURL). A separate pool of
``--processes`` processes (``fleet_clients``) makes each client's tiny company (seed = its
number), then all N updates start together, one thread each: the QBWC client over HTTP, the fake
QuickBooks behind it. What is measured is the service; the pool shares the two cores with it.

Prints sessions completed / N, errors by kind (SOAP fault, HTTP status, client error, a session
that ended otherwise than done), SOAP calls/s, p50/p95/p99 per SOAP method (client side: the
call's whole round trip), wall time from the start line until the last update ended, each
service's peak RSS (its apply workers apart), PostgreSQL's peak connection count, then checks
the store: each company's records must equal the fake's. Exit status 1 unless every session
completed, no error was answered and every company matched.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
from fleet_clients import Client, Outcome, run_share
from sqlalchemy.engine import make_url

from connector.qbwc.qwc import connection_qwc
from connector.settings import DEFAULT_OWNER_ID, Settings
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from qbd_emulator.child_service import ChildService

DEFAULT_SERVER = os.environ.get(
    "QBD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
KEY = "fleet-bench-key"


def _server(server_url: str) -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(server_url)
    return psycopg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password, dbname=url.database or "postgres", autocommit=True,
    )  # fmt: skip


def _admin(server_url: str, sql: str) -> None:
    with _server(server_url) as conn:
        conn.execute(sql.encode())  # our own fixed statements


def _connections(server_url: str, database: str) -> int:
    """The server's connections to ``database`` now."""
    with _server(server_url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (database,))
        found = row.fetchone()
        return int(str(found[0])) if found else 0


def provision(url: str, services: list[ChildService], clients: int) -> list[Client]:
    """N tiny companies with a connection each; client i talks to service i % len(services)."""
    db = Database.from_url(url)
    try:
        db.migrate()
        made = []
        for i in range(clients):
            service = services[i % len(services)]
            settings = Settings(database_url=url, port=service.port, public_url=service.url)
            with db.begin() as conn:
                row = create_company(conn, f"Fleet {i}")
                link, password = create_connection(
                    conn, row.id, "desktop_app", owner_id=DEFAULT_OWNER_ID
                )
                made.append(Client(i, row.id, connection_qwc(settings, row, link), password))
        return made
    finally:
        db.dispose()


def peak_rss_kib(pid: int) -> tuple[int, int]:
    """VmHWM of ``pid`` and the sum of its descendants' (the apply workers), in KiB."""

    def hwm(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def children(p: int) -> list[int]:
        found = []  # each thread lists the children it started
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                found += [int(c) for c in task.read_text().split()]
        return found + [g for c in found for g in children(c)]

    return hwm(pid), sum(hwm(c) for c in children(pid))


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def watch_connections(
    server_url: str, database: str, stop: threading.Event, peak: list[int]
) -> None:
    while not stop.wait(0.5):
        with contextlib.suppress(psycopg.Error):
            peak[0] = max(peak[0], _connections(server_url, database))


def report(n: int, outcomes: list[Outcome], wall: float, rss: list[tuple[int, int]],
           peak_connections: int) -> bool:  # fmt: skip
    completed = sum(o.completed for o in outcomes)
    errors: Counter[str] = sum((o.errors for o in outcomes), Counter())
    examples = {k: v for o in outcomes for k, v in o.examples.items()}
    by_method: dict[str, list[float]] = {}
    for o in outcomes:
        for method, took in o.calls:
            by_method.setdefault(method, []).append(took)
    calls = sum(len(v) for v in by_method.values())
    print(f"sessions completed  {completed} / {n}")
    print(f"errors              {sum(errors.values())}" + ("" if errors else " (none)"))
    for kind, count in errors.most_common():
        print(f"  {kind:28s} {count:6d}   e.g. {examples.get(kind, '')[:150]}")
    print(f"wall time           {wall:.1f} s (start line to the last update's end)")
    print(
        f"SOAP calls          {calls}   {calls / wall:.1f} calls/s   {completed / wall:.2f} sessions/s"
    )
    print(f"  {'method':22s} {'n':>7s} {'p50 ms':>9s} {'p95 ms':>9s} {'p99 ms':>9s} {'max ms':>9s}")
    everything = sorted(t for v in by_method.values() for t in v)
    for method, values in [*sorted(by_method.items()), ("(all calls)", everything)]:
        ordered = sorted(values)
        if not ordered:
            continue
        figures = [percentile(ordered, f) * 1000 for f in (0.5, 0.95, 0.99)] + [ordered[-1] * 1000]
        print(f"  {method:22s} {len(ordered):7d} " + " ".join(f"{x:9.1f}" for x in figures))
    for i, (own, workers) in enumerate(rss):
        print(
            f"service {i} peak RSS  {own / 1024:.0f} MiB (its apply workers: {workers / 1024:.0f} MiB)"
        )
    print(f"PostgreSQL          peak {peak_connections} connections to the bench database")
    matching = sum(o.matching for o in outcomes)
    records = sum(o.records for o in outcomes)
    differences = [d for o in outcomes for d in o.differences]
    print(f"store check         {matching} / {n} companies equal the fake's ({records} records)")
    for line in differences[:10]:
        print(f"  {line}")
    return completed == n and not errors and matching == n


def run(args: argparse.Namespace) -> bool:
    name = f"fleet_{os.getpid()}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    _admin(args.database_url, f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="fleet-"))
    env = {"QBD_APPLY_WORKERS": str(args.apply_workers), "QBD_WEBHOOK_WORKERS": "0"}
    services = [
        ChildService(url, KEY, folder / f"serve-{i}.log", env=env) for i in range(args.services)
    ]
    try:
        started = time.monotonic()
        clients = provision(url, services, args.clients)
        print(f"provisioned {args.clients} companies in {time.monotonic() - started:.1f} s")
        for service in services:
            service.start()
        ctx = multiprocessing.get_context("spawn")
        processes = max(1, min(args.processes, args.clients))
        line, results = ctx.Barrier(processes + 1, timeout=args.timeout * 20), ctx.Queue()
        pool = [
            ctx.Process(target=run_share, args=(clients[i::processes], url, args.timeout, line, results), daemon=True)
            for i in range(processes)
        ]  # fmt: skip
        for proc in pool:
            proc.start()
        stop, peak = threading.Event(), [0]
        watcher = threading.Thread(
            target=watch_connections, args=(args.database_url, name, stop, peak)
        )
        line.wait()  # every company made and registered: the updates start now
        watcher.start()
        line.wait()  # every update ended
        stop.set()
        watcher.join()
        rss = [peak_rss_kib(s.proc.pid) if s.proc else (0, 0) for s in services]
        outcomes = [results.get(timeout=args.timeout * 5) for _ in pool]
        for proc in pool:
            proc.join()
        wall = max(o.finished for o in outcomes) - min(o.started for o in outcomes)
        print(f"\n{args.clients} Web Connectors, {args.services} service(s) on one PostgreSQL, "
              f"{processes} client processes, apply workers {args.apply_workers} per service")  # fmt: skip
        ok = report(args.clients, outcomes, wall, rss, peak[0])
        for service in services:
            tail = service.log.read_text(errors="replace")[-3000:]
            if not ok or "Traceback" in tail:
                print(f"\n--- {service.log} (end) ---\n{tail}")
        if ok:
            shutil.rmtree(folder, ignore_errors=True)
        return ok
    finally:
        for service in services:
            service.stop()
        _admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500, help="Web Connectors (default 500)")
    parser.add_argument("--services", type=int, choices=(1, 2), default=1)
    parser.add_argument("--database-url", default=DEFAULT_SERVER,
                        help="a PostgreSQL server URL; the bench creates and drops its own database")  # fmt: skip
    parser.add_argument("--processes", type=int, default=4, help="client pool processes")
    parser.add_argument("--apply-workers", type=int, default=1,
                        help="QBD_APPLY_WORKERS of each service (default 1, the service's default)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=120.0, help="HTTP timeout of a call (s)")
    args = parser.parse_args()
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()

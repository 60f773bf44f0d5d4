"""SOAP endpoint benchmark: calls/s and per-call latency (p50/p99) on loopback, each figure
beside a baseline measured in the same run.

The service is the whole app ``qbd-connector serve`` runs (``create_app``: FastAPI, the
metrics wrapper, a2wsgi, the soap guard, spyne, the session store) under uvicorn as ``serve``
starts it, alone in a child process; its WorkSource is a trivial in-memory one, so the figures
are the protocol layer's own cost. The clients are separate processes (one per client) that
send pre-built bytes over keep-alive ``http.client`` connections, so neither the clients' GIL
nor their parsing is what is measured. Scenarios:

- ``floor``: the same clients posting serverVersion to a constant ASGI app under the same
  uvicorn (the ceiling of the HTTP stack on this box); every other figure is given as a ratio
  of it (``x floor``);
- ``no-work``: serverVersion, clientVersion, sendRequestXML and closeConnection on sessions
  that authenticate answered ``none`` (phase DONE: each ticket call loads, steps and writes
  the session row, as in a real session);
- ``authenticate``: one call each, answering ``none``; its baseline is one argon2id verify of
  the same hash parameters measured in this process;
- ``100-records``: whole sessions (authenticate, sendRequestXML/receiveResponseXML with a
  100-record CustomerQueryRs of about 60 KB, closeConnection).

    python bench/soap_bench.py                        # short default run
    python bench/soap_bench.py --clients 4 16 --sessions 30
    python bench/soap_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

About 420 lines: four scenarios, their servers and their client processes read in one place.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connector.qbwc.client.envelopes import QbwcMethod, build_request
from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Progress, SessionContext
from qbd_emulator.child_service import free_port

REQUEST = (
    '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerQueryRq requestID="{n}" iterator="Continue"><MaxReturned>100</MaxReturned>'
    "</CustomerQueryRq></QBXMLMsgsRq></QBXML>"
)
HCP = (
    '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><HostQueryRs requestID="0" statusCode="0">'
    "<HostRet><SupportedQBXMLVersion>16.0</SupportedQBXMLVersion></HostRet></HostQueryRs>"
    '<CompanyQueryRs requestID="1" statusCode="0"><CompanyRet><CompanyName>Bench {n}'
    "</CompanyName></CompanyRet></CompanyQueryRs></QBXMLMsgsRs></QBXML>"
)
NO_WORK = ("serverVersion", "clientVersion", "sendRequestXML", "closeConnection")


class BenchWork:
    """In-memory WorkSource: ``rounds`` requests per session for connections named work-*."""

    def __init__(self, rounds: int, work_connections: set[str]) -> None:
        self.rounds = rounds
        self.work_connections = work_connections
        self.done: dict[str, int] = defaultdict(int)

    def has_work(self, connection_id: str, now: datetime) -> bool:
        return connection_id in self.work_connections

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        self.done[ctx.ticket] = 0

    def next_request(self, ctx: SessionContext) -> str | None:
        n = self.done[ctx.ticket]
        return REQUEST.format(n=n) if n < self.rounds else None

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        self.done[ctx.ticket] += 1
        return Progress(self.done[ctx.ticket] * 100 // self.rounds)

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        return Progress(0, error=message)

    def end(self, ctx: SessionContext, reason: str) -> str:
        return f"{self.done.pop(ctx.ticket, 0)} responses stored ({reason})"


def customer_page(records: int = 100) -> str:
    rets = "".join(
        f"<CustomerRet><ListID>8000{i:04d}-1700000000</ListID>"
        "<TimeCreated>2024-03-01T10:00:00-05:00</TimeCreated>"
        "<TimeModified>2024-03-02T11:30:00-05:00</TimeModified>"
        f"<EditSequence>17000{i:05d}</EditSequence><Name>Customer {i}</Name>"
        f"<FullName>Customer {i}</FullName><IsActive>true</IsActive><Sublevel>0</Sublevel>"
        f"<CompanyName>Company {i} LLC</CompanyName><BillAddress><Addr1>{i} Main Street</Addr1>"
        "<City>Springfield</City><State>IL</State><PostalCode>62701</PostalCode></BillAddress>"
        f"<Phone>555-01{i % 100:02d}</Phone><Email>c{i}@example.com</Email>"
        f"<Balance>{i * 10}.00</Balance><TotalBalance>{i * 10}.00</TotalBalance>"
        "<JobStatus>None</JobStatus></CustomerRet>"
        for i in range(records)
    )
    return (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="0" '
        'statusCode="0" statusSeverity="Info" statusMessage="Status OK" '
        f'iteratorRemainingCount="0" iteratorID="{{bench}}">{rets}</CustomerQueryRs>'
        "</QBXMLMsgsRs></QBXML>"
    )


# ------------------------------------------------------------------------------ servers
async def constant_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The floor: reads the body, answers serverVersion's reply as a constant."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><soap11env:Envelope xmlns:soap11env="http://'
        b'schemas.xmlsoap.org/soap/envelope/" xmlns:tns="http://developer.intuit.com/"><soap11'
        b"env:Body><tns:serverVersionResponse><tns:serverVersionResult>1.0</tns:serverVersion"
        b"Result></tns:serverVersionResponse></soap11env:Body></soap11env:Envelope>"
    )
    headers = [(b"content-type", b"text/xml; charset=utf-8"), (b"content-length", b"%d" % len(body))]  # fmt: skip
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve(port: int, database_url: str, rounds: int, work: set[str], floor: bool) -> None:
    """The service as ``qbd-connector serve`` runs it (or the constant app), on ``port``."""
    import uvicorn

    if floor:
        uvicorn.run(constant_app, host="127.0.0.1", port=port, log_level="error")
        return
    from connector.api.app import create_app
    from connector.runtime import tune_process
    from connector.settings import Settings
    from connector.store.db import Database

    database = Database.from_url(database_url)
    settings = Settings.from_env({}, database_url=database_url)
    app = create_app(
        settings, database=database, work_source_factory=lambda _d, _s: BenchWork(rounds, work)
    )
    tune_process()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")


Login = tuple[str, str, str, str]
"""(kind, connection id, username, password)"""


def prepare(database_url: str, count: int, tickets: int) -> tuple[list[Login], list[list[str]]]:
    """``count`` idle and ``count`` work connections, and ``tickets`` sessions per idle
    connection as authenticate leaves them when it answers ``none`` (their tickets)."""
    from connector.qbwc.server.authenticate import AuthFacts, decide_authenticate
    from connector.secrets import ticket_hash
    from connector.settings import DEFAULT_OWNER_ID
    from connector.store import qbwc_sessions
    from connector.store.companies import create_company
    from connector.store.connections import create_connection
    from connector.store.db import Database

    database = Database.from_url(database_url)
    database.migrate()
    logins: list[Login] = []
    stamp = int(time.time() * 1000)
    for kind in ("idle", "work"):
        for n in range(count):
            company = create_company(database, f"bench-{kind}-{stamp}-{n}")
            row, password = create_connection(
                database, company.id, "enterprise_cloud", owner_id=DEFAULT_OWNER_ID
            )
            logins.append((kind, row.id, row.username, password))
    now = datetime.now(UTC)
    per_client: list[list[str]] = []
    with database.begin() as conn:
        for _, connection_id, username, _ in logins[:count]:
            mine = [f"bench-{username}-{n}-{stamp}" for n in range(tickets)]
            for ticket in mine:
                facts = AuthFacts(ticket, ticket_hash(ticket), True, connection_id, has_work=False)
                session = decide_authenticate(facts, [], now).session
                assert session is not None
                qbwc_sessions.insert_session(conn, session)
            per_client.append(mine)
    database.dispose()
    return logins, per_client


# ------------------------------------------------------------------------------ clients
Call = tuple[str, bytes]
Job = tuple[str, Any]
"""("calls", [Call]) | ("authenticate", (Login, count)) | ("work", (Login, sessions))"""
Timings = dict[str, list[float]]


def body(operation: str, **params: str) -> bytes:
    """The bytes the Web Connector sends (``connector.qbwc.client.envelopes``)."""
    return build_request(QbwcMethod(operation), tuple(params.items()))


def post(conn: http.client.HTTPConnection, operation: str, payload: bytes) -> str:
    headers = {"Content-Type": "text/xml; charset=utf-8",
               "SOAPAction": f'"http://developer.intuit.com/{operation}"'}  # fmt: skip
    conn.request("POST", "/qbwc", payload, headers)
    response = conn.getresponse()
    text = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"{operation}: HTTP {response.status} {text[:300]}")
    return text


def no_work_calls(tickets: list[str]) -> list[Call]:
    calls: list[Call] = []
    for ticket in tickets:
        calls += [
            ("serverVersion", body("serverVersion", strVersion="2.3.0.215")),
            ("clientVersion", body("clientVersion", strVersion="2.3.0.215")),
            ("sendRequestXML", body("sendRequestXML", ticket=ticket, strHCPResponse="",
                                    strCompanyFileName=r"C:\bench.qbw", qbXMLCountry="US",
                                    qbXMLMajorVers="16", qbXMLMinorVers="0")),
            ("closeConnection", body("closeConnection", ticket=ticket)),
        ]  # fmt: skip
    return calls


def work_session(conn: http.client.HTTPConnection, login: Login, t: Timings, page: str) -> None:
    def timed(operation: str, **params: str) -> str:
        payload = body(operation, **params)
        start = time.perf_counter()
        text = post(conn, operation, payload)
        t[operation].append(time.perf_counter() - start)
        return text

    reply = timed("authenticate", strUserName=login[2], strPassword=login[3])
    ticket, percent, first = reply.split("<tns:string>", 1)[1].split("<", 1)[0], "0", True
    while percent != "100":
        timed("sendRequestXML", ticket=ticket, strHCPResponse=HCP.format(n=login[2]) if first
              else "", strCompanyFileName=rf"C:\{login[2]}.qbw", qbXMLCountry="US",
              qbXMLMajorVers="16", qbXMLMinorVers="0")  # fmt: skip
        first = False
        text = timed("receiveResponseXML", ticket=ticket, response=page, hresult="", message="")
        percent = text.split("receiveResponseXMLResult>", 1)[1].split("<", 1)[0]
        if percent.startswith("-"):
            raise RuntimeError(f"session failed: {text[:300]}")
    timed("closeConnection", ticket=ticket)


def client(port: int, job: Job, start: Any, out: Any) -> None:
    """One Web Connector: its calls prepared before ``start`` is set, then sent one by one."""
    kind, arg = job
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    timings: Timings = defaultdict(list)
    calls: list[Call] = []
    if kind == "calls":
        calls = arg
    elif kind == "authenticate":
        login, count = arg
        calls = [("authenticate", body("authenticate", strUserName=login[2],
                                       strPassword=login[3]))] * count  # fmt: skip
    start.wait()
    began = time.perf_counter()
    if kind == "work":
        login, sessions = arg
        page = customer_page()
        for _ in range(sessions):
            work_session(conn, login, timings, page)
    for operation, payload in calls:
        at = time.perf_counter()
        text = post(conn, operation, payload)
        timings[operation].append(time.perf_counter() - at)
        if operation == "authenticate" and "none" not in text:
            raise RuntimeError(f"authenticate: {text[:300]}")
    out.put((began, time.perf_counter(), dict(timings)))
    conn.close()


@dataclass(frozen=True)
class Target:
    port: int
    pid: int
    """The server process: its CPU time is read from /proc (all its threads)."""

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    timings: Timings
    elapsed: float
    server_cpu: float
    """Seconds of CPU the server spent (user + system): unlike wall time, barely moved by
    whatever else the machine runs."""


def run_clients(target: Target, jobs: list[Job]) -> Run:
    """Every job in its own process, started together; merged timings, wall time, the
    server's CPU time."""
    port = target.port
    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    procs = [context.Process(target=client, args=(port, job, start, out)) for job in jobs]
    for proc in procs:
        proc.start()
    time.sleep(0.3)  # every client has built its bodies and waits
    cpu = target.cpu_seconds()
    start.set()
    results = [out.get(timeout=600) for _ in procs]
    cpu = target.cpu_seconds() - cpu
    for proc in procs:
        proc.join()
    merged: Timings = defaultdict(list)
    for _, _, timings in results:
        for op, values in timings.items():
            merged[op].extend(values)
    elapsed = max(r[1] for r in results) - min(r[0] for r in results)
    return Run(merged, elapsed, cpu)


# ------------------------------------------------------------------------------ report
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(label: str, run: Run, floor: Run | None = None) -> None:
    """One line for the scenario (calls/s, p50, p99, the server's CPU per call, and their
    ratios to ``floor``), then one per method."""
    every = [v for values in run.timings.values() for v in values]
    rate, cpu = len(every) / run.elapsed, run.server_cpu / len(every) * 1000
    ratio = ""
    if floor is not None:
        calls = sum(len(values) for values in floor.timings.values())
        ratio = f"  {rate / (calls / floor.elapsed):4.2f} x floor's calls/s, "
        if floor.server_cpu > 0:
            ratio += f"{cpu / (floor.server_cpu / calls * 1000):4.1f} x its CPU/call"
        else:  # the CPU is read in clock ticks (10 ms): a short floor run may show none
            ratio += "its CPU/call under one clock tick (use --sessions)"
    print(
        f"{label:<26} {len(every):>5} calls {rate:>7.1f} calls/s  p50 "
        f"{percentile(every, 0.5) * 1000:>6.1f} ms  p99 {percentile(every, 0.99) * 1000:>6.1f} ms"
        f"  server CPU {cpu:5.2f} ms/call{ratio}"
    )
    for op in sorted(run.timings) if len(run.timings) > 1 else ():
        values = run.timings[op]
        print(
            f"    {op:<22} {len(values):>5}       p50 {statistics.median(values) * 1000:>6.1f} ms"
            f"  p99 {percentile(values, 0.99) * 1000:>6.1f} ms"
        )


def argon2_verify_ms(repeat: int = 15) -> float:
    """The median CPU time of one argon2id verify with the service's parameters (CPU, not
    wall time: the machine may be busy with other things)."""
    from connector import secrets

    stored = secrets.hash_secret("bench-password")
    times = []
    for _ in range(repeat):
        started = time.thread_time()
        secrets.verify_secret(stored, "bench-password")
        times.append(time.thread_time() - started)
    return statistics.median(times) * 1000


def wait_until_up(port: int) -> None:
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/qbwc")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("service did not start")


def with_server(args: tuple[Any, ...], body_of_run: Callable[[Target], None]) -> None:
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(port, *args))
    server.start()
    try:
        wait_until_up(port)
        assert server.pid is not None
        body_of_run(Target(port, server.pid))
    finally:
        server.terminate()
        server.join(timeout=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--sessions", type=int, default=30, help="no-work sessions per client")
    parser.add_argument("--auth", type=int, default=30, help="authenticates per client")
    parser.add_argument("--auth-clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--work-sessions", type=int, default=3, help="100-record sessions per client")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5, help="100-record pages per session")
    args = parser.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    url_db = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    most = max(*args.clients, *args.auth_clients)
    logins, tickets = prepare(url_db, most, args.sessions * len(args.clients))
    idle, work = logins[:most], logins[most:]
    floors: dict[int, Run] = {}
    print(f"database: {url_db.split('@')[-1]}; load before: {os.getloadavg()[0]:.2f}; "
          f"100-record page: {len(customer_page())} bytes")  # fmt: skip

    def floor_run(target: Target) -> None:
        for clients in args.clients:
            calls = no_work_calls(["-"] * args.sessions)
            floor_calls = [("serverVersion", payload) for _, payload in calls]
            floors[clients] = run_clients(target, [("calls", floor_calls)] * clients)
            report(f"floor, {clients} client(s)", floors[clients])

    def service_run(target: Target) -> None:
        for n, clients in enumerate(args.clients):
            mine = [tickets[i][n * args.sessions :][: args.sessions] for i in range(clients)]
            jobs: list[Job] = [("calls", no_work_calls(ticket_list)) for ticket_list in mine]
            report(f"no-work, {clients} client(s)", run_clients(target, jobs), floors[clients])
        argon2 = argon2_verify_ms()
        print(f"argon2id verify alone (this process): {argon2:.1f} ms of CPU")
        for clients in args.auth_clients:
            jobs = [("authenticate", (idle[i], args.auth)) for i in range(clients)]
            run = run_clients(target, jobs)
            p50 = statistics.median(run.timings["authenticate"]) * 1000
            report(f"authenticate, {clients} client(s)", run)
            cpu = run.server_cpu * 1000 / (clients * args.auth)
            print(f"    / argon2id verify: p50 {p50 / argon2:.2f}, server CPU {cpu / argon2:.2f}")
        for clients in args.clients if args.work_sessions > 0 else ():
            jobs = [("work", (work[i], args.work_sessions)) for i in range(clients)]
            report(f"100-records, {clients} client(s)", run_clients(target, jobs))

    try:
        with_server((url_db, args.rounds, set(), True), floor_run)
        with_server((url_db, args.rounds, {w[1] for w in work}, False), service_run)
    finally:
        tmp.cleanup()
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

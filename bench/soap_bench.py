"""SOAP endpoint benchmark: calls/s and per-call latency (p50/p99) on loopback.

Two scenarios, each with one and with several concurrent Web Connector clients:
- ``no-work``: serverVersion, clientVersion, authenticate (answers ``none``), closeConnection;
- ``100-records``: a full session whose every receiveResponseXML carries a 100-record
  CustomerQueryRs (about 60 KB of qbXML, escaped inside the SOAP body).
The service (uvicorn + a2wsgi + spyne + the session store) runs in a child process on
127.0.0.1 so client threads do not share its GIL; the WorkSource is a trivial in-memory one,
so the figures are the protocol layer's own cost (authenticate includes one argon2id hash).

    python bench/soap_bench.py                        # short default run (< 1 minute)
    python bench/soap_bench.py --sessions 50 --rounds 20 --clients 1 4 16
    python bench/soap_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connector.qbwc.client.envelopes import QbwcMethod, build_request
from connector.qbwc.server.work import Progress, SessionContext

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

    def apply_response(self, ctx: SessionContext, response: str) -> Progress:
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


# ------------------------------------------------------------------------------ server
def serve(port: int, database_url: str, rounds: int, work_connections: set[str]) -> None:
    import uvicorn
    from a2wsgi import WSGIMiddleware

    from connector.qbwc.server.soap import create_wsgi_app
    from connector.settings import Settings
    from connector.store.db import Database

    database = Database.from_url(database_url)
    settings = Settings.from_env({}, database_url=database_url)
    app = create_wsgi_app(database, settings, BenchWork(rounds, work_connections))
    uvicorn.run(WSGIMiddleware(app, workers=16), host="127.0.0.1", port=port, log_level="error")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(database_url: str, count: int) -> tuple[list[tuple[str, str, str]], set[str]]:
    """``count`` no-work and ``count`` work connections: (kind, username, password) each."""
    from connector.settings import DEFAULT_OWNER_ID
    from connector.store.companies import create_company
    from connector.store.connections import create_connection
    from connector.store.db import Database

    database = Database.from_url(database_url)
    database.migrate()
    logins: list[tuple[str, str, str]] = []
    work_ids: set[str] = set()
    stamp = int(time.time() * 1000)
    for kind in ("idle", "work"):
        for n in range(count):
            company = create_company(database, f"bench-{kind}-{stamp}-{n}")
            row, password = create_connection(
                database, company.id, "enterprise_cloud", owner_id=DEFAULT_OWNER_ID
            )
            logins.append((kind, row.username, password))
            if kind == "work":
                work_ids.add(row.id)
    database.dispose()
    return logins, work_ids


# ------------------------------------------------------------------------------ client
Timings = dict[str, list[float]]


def timed(client: httpx.Client, url: str, timings: Timings, operation: str, **params: str) -> str:
    # The same bytes the Web Connector sends (connector.qbwc.client.envelopes), params in call order.
    body = build_request(QbwcMethod(operation), tuple(params.items()))
    start = time.perf_counter()
    response = client.post(url, content=body, headers={"Content-Type": "text/xml"})
    timings[operation].append(time.perf_counter() - start)
    if response.status_code != 200:
        raise RuntimeError(f"{operation}: HTTP {response.status_code} {response.text[:200]}")
    return response.text


def ticket_of(text: str) -> str:
    return text.split("<tns:string>", 1)[1].split("<", 1)[0]


def no_work_session(
    client: httpx.Client, url: str, login: tuple[str, str, str], t: Timings
) -> None:
    timed(client, url, t, "serverVersion")
    timed(client, url, t, "clientVersion", strVersion="2.3.0.215")
    reply = timed(client, url, t, "authenticate", strUserName=login[1], strPassword=login[2])
    assert "none" in reply, reply[:300]
    timed(client, url, t, "closeConnection", ticket=ticket_of(reply))


def work_session(
    client: httpx.Client, url: str, login: tuple[str, str, str], t: Timings, page: str
) -> None:
    reply = timed(client, url, t, "authenticate", strUserName=login[1], strPassword=login[2])
    ticket, percent, first = ticket_of(reply), "0", True
    while percent != "100":
        timed(
            client, url, t, "sendRequestXML", ticket=ticket,
            strHCPResponse=HCP.format(n=login[1]) if first else "",
            strCompanyFileName=rf"C:\{login[1]}.qbw", qbXMLCountry="US",
            qbXMLMajorVers="16", qbXMLMinorVers="0",
        )  # fmt: skip
        first = False
        text = timed(
            client,
            url,
            t,
            "receiveResponseXML",
            ticket=ticket,
            response=page,
            hresult="",
            message="",
        )
        percent = text.split("receiveResponseXMLResult>", 1)[1].split("<", 1)[0]
        if percent.startswith("-"):
            raise RuntimeError(f"session failed: {text[:300]}")
    timed(client, url, t, "closeConnection", ticket=ticket)


def run_scenario(
    url: str, kind: str, logins: list[tuple[str, str, str]], clients: int, sessions: int
) -> tuple[Timings, float]:
    """``clients`` threads, each running ``sessions`` sessions on its own connection."""
    page = customer_page()
    mine = [login for login in logins if login[0] == kind][:clients]
    per_client: list[Timings] = [defaultdict(list) for _ in mine]

    def client_loop(index: int) -> None:
        with httpx.Client(timeout=120) as client:
            for _ in range(sessions):
                if kind == "idle":
                    no_work_session(client, url, mine[index], per_client[index])
                else:
                    work_session(client, url, mine[index], per_client[index], page)

    start = time.perf_counter()
    with ThreadPoolExecutor(len(mine)) as pool:
        list(pool.map(client_loop, range(len(mine))))
    elapsed = time.perf_counter() - start
    merged: Timings = defaultdict(list)
    for timings in per_client:
        for op, values in timings.items():
            merged[op].extend(values)
    return merged, elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(label: str, timings: Timings, elapsed: float) -> None:
    every = [v for values in timings.values() for v in values]
    print(
        f"{label:<28} {len(every):>6} calls {len(every) / elapsed:>8.1f} calls/s  "
        f"p50 {percentile(every, 0.5) * 1000:>7.1f} ms  p99 {percentile(every, 0.99) * 1000:>7.1f} ms"
    )
    for op in sorted(timings):
        values = timings[op]
        print(
            f"    {op:<24} {len(values):>6}       p50 {statistics.median(values) * 1000:>7.1f} ms"
            f"  p99 {percentile(values, 0.99) * 1000:>7.1f} ms"
        )


def wait_until_up(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("service did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--sessions", type=int, default=5, help="sessions per client")
    parser.add_argument("--rounds", type=int, default=5, help="100-record pages per session")
    args = parser.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    url_db = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    logins, work_ids = prepare(url_db, max(args.clients))
    port = free_port()
    server = multiprocessing.Process(
        target=serve, args=(port, url_db, args.rounds, work_ids), daemon=True
    )
    server.start()
    url = f"http://127.0.0.1:{port}/qbwc"
    try:
        wait_until_up(url)
        print(f"database: {url_db.split('@')[-1]}; 100-record page: {len(customer_page())} bytes")
        for kind, label in (("idle", "no-work"), ("work", "100-records")):
            for clients in args.clients:
                timings, elapsed = run_scenario(url, kind, logins, clients, args.sessions)
                report(f"{label}, {clients} client(s)", timings, elapsed)
    finally:
        server.terminate()
        server.join(timeout=10)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

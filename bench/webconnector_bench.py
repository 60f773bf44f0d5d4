"""Fake Web Connector benchmark: whole QBWC sessions seen from the client, HTTP vs HTTPS.

    python bench/webconnector_bench.py                       # short run (~20 s)
    python bench/webconnector_bench.py --sessions 20 --requests 50

Serves ``create_app`` (REST + the spyne SOAP endpoint) under uvicorn on loopback with a
SQLite store and a minimal WorkSource that hands out ``--requests`` CustomerQuery requests
per session, and runs sessions with the QBWC client and the fake QuickBooks (a small
generated company). Prints, for plain HTTP on localhost and for HTTPS with a self-signed
certificate (made with the openssl command): sessions/s, SOAP calls/s, and the client-side
latency of one SOAP call (p50, p99) per method group. One process: the client and the
service share the GIL, so the figures are a floor, not a capacity.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import uvicorn

from connector.api.app import create_app
from connector.qbwc.client import ClientConfig, SessionResult, run_session
from connector.qbwc.client.envelopes import HttpReply, QbwcMethod
from connector.qbwc.client.transport import HttpxTransport, SoapQbwcService
from connector.qbwc.qwc import connection_qwc, parse_qwc
from connector.qbwc.server.text_spool import Response
from connector.qbwc.server.work import Progress, SessionContext
from connector.settings import DEFAULT_OWNER_ID, Settings
from connector.store.companies import create_company, get_company
from connector.store.connections import create_connection
from connector.store.db import Database
from qbd_emulator.child_service import free_port
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import add_application

REQUEST = (
    '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerQueryRq requestID="{n}"><MaxReturned>100</MaxReturned></CustomerQueryRq>'
    "</QBXMLMsgsRq></QBXML>"
)


class Work:
    """``requests`` CustomerQuery requests per session; progress by count."""

    def __init__(self, requests: int) -> None:
        self.requests = requests
        self.sent: dict[str, int] = defaultdict(int)

    def has_work(self, connection_id: str, now: datetime) -> bool:
        return True

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        self.sent[ctx.ticket] = 0

    def next_request(self, ctx: SessionContext) -> str | None:
        n = self.sent[ctx.ticket]
        return REQUEST.format(n=n) if n < self.requests else None

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        self.sent[ctx.ticket] += 1
        return Progress(min(100, self.sent[ctx.ticket] * 100 // max(1, self.requests)))

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        return Progress(0, error=f"{hresult}: {message}")

    def end(self, ctx: SessionContext, reason: str) -> str:
        return f"{self.sent.pop(ctx.ticket, 0)} requests"


class Timed:
    """A SoapTransport that records the latency of every call."""

    def __init__(self, inner: HttpxTransport, times: dict[str, list[float]]) -> None:
        self.inner, self.times = inner, times

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        start = time.perf_counter()
        reply = self.inner.post(method, envelope)
        self.times[method.value].append(time.perf_counter() - start)
        return reply


def certificate(folder: Path) -> tuple[str, str] | None:
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def run(folder: Path, requests: int, sessions: int, tls: tuple[str, str] | None) -> None:
    port = free_port()
    ssl = {"ssl_certfile": tls[0], "ssl_keyfile": tls[1]} if tls else {}
    db = Database.from_url(f"sqlite:///{folder / ('tls' if tls else 'plain')}.db")
    db.migrate()
    settings = Settings(database_url="sqlite://", port=port, **ssl)  # type: ignore[arg-type]
    work = Work(requests)
    app = create_app(settings, database=db, work_source_factory=lambda _d, _s: work)
    row, password = create_connection(
        db, create_company(db, "Bench").id, "rightworks", owner_id=DEFAULT_OWNER_ID
    )
    qwc = parse_qwc(connection_qwc(settings, get_company(db, "Bench"), row))
    company = generate(1, 40)
    add_application(qwc, FakeQuickBooks(company))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", **ssl)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    times: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    try:
        for _ in range(sessions):
            with HttpxTransport(qwc.app_url, verify=tls[0] if tls else True) as http:
                summary = run_session(
                    qwc, password, SoapQbwcService(Timed(http, times)), FakeQuickBooks(company),
                    config=ClientConfig(noop_wait_seconds=0),
                )  # fmt: skip
            assert summary.result is SessionResult.DONE, (summary.result, summary.errors)
    finally:
        elapsed = time.perf_counter() - started
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()
    calls = sum(len(v) for v in times.values())
    label = "HTTPS (self-signed CA)" if tls else "HTTP localhost"
    print(f"\n{label}: {sessions} sessions x {requests} requests in {elapsed:.2f} s")
    print(f"  sessions/s {sessions / elapsed:8.2f}   SOAP calls/s {calls / elapsed:8.1f}")
    for method, values in sorted(times.items()):
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(
            f"  {method:20s} n={len(values):5d}  p50 {statistics.median(values) * 1000:7.2f} ms"
            f"  p99 {p99 * 1000:7.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="requests per session")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run(folder, args.requests, args.sessions, None)
        tls = certificate(folder)
        if tls is None:
            print("\nHTTPS: skipped (no openssl command)")
        else:
            run(folder, args.requests, args.sessions, tls)


if __name__ == "__main__":
    main()

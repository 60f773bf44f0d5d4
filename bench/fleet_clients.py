"""The Web Connectors of ``fleet_bench``: one process of the client pool (not a benchmark itself).

Owns: what one pool process does with its share of the fleet: make each client's tiny company
(``generate(seed, "tiny")``) and register its QWC's FileID in it as QBWC does when the QWC is
added, wait at the start line with the other processes, run every client's update in a thread
of its own (the QBWC client over HTTP, the fake QuickBooks behind it), time and classify every
SOAP call, then compare the store with each company it synced. Sends back ``Outcome``.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from connector.qbwc.client import ClientConfig, SessionResult
from connector.qbwc.client.envelopes import HttpReply, QbwcMethod, SoapCallError
from connector.qbwc.client.transport import SoapTransport
from connector.qbwc.qwc import parse_qwc
from connector.store.db import Database
from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.scenario_matrix import store_differences
from qbd_emulator.webconnector import add_application, run_webconnector


@dataclass(frozen=True)
class Client:
    seed: int
    company_id: str
    qwc: str
    """The QWC file's text (its AppURL names the service this client talks to)."""
    password: str


@dataclass
class Outcome:
    """What one pool process measured and found."""

    calls: list[tuple[str, float]] = field(default_factory=list)
    """(web method, seconds) of every SOAP call that got an answer."""
    errors: Counter[str] = field(default_factory=Counter)
    """Errors by kind: ``SOAP fault``, ``HTTP <status>``, ``client: ...``, ``session: ...``."""
    examples: dict[str, str] = field(default_factory=dict)
    """One detail per error kind."""
    completed: int = 0
    """Sessions that ended DONE (receiveResponseXML reached 100)."""
    started: float = 0.0
    finished: float = 0.0
    """``time.monotonic()`` (one clock for every process on the machine)."""
    matching: int = 0
    """Companies whose records in the store equal the fake QuickBooks' records."""
    records: int = 0
    differences: list[str] = field(default_factory=list)

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, detail[:300])


class Timed:
    """A SoapTransport that times every call of one session and sorts its failures by kind.
    The session's first sendRequestXML (it carries the HCP response: the sync run begins) is
    timed apart from the others."""

    def __init__(self, inner: SoapTransport, outcome: Outcome, lock: threading.Lock) -> None:
        self.inner, self.outcome, self.lock = inner, outcome, lock
        self.first = True

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        start = time.monotonic()
        try:
            reply = self.inner.post(method, envelope)
        except SoapCallError as exc:
            with self.lock:
                self.outcome.error(f"client: {exc.kind.value}", f"{method.value}: {exc.detail}")
            raise
        took = time.monotonic() - start
        name = method.value
        if method is QbwcMethod.SEND_REQUEST_XML and self.first:
            name, self.first = f"{name} (1st)", False
        with self.lock:
            self.outcome.calls.append((name, took))
            if b":Fault>" in reply.body or b"<Fault>" in reply.body:
                self.outcome.error("SOAP fault", f"{method.value}: {reply.body[:300]!r}")
            elif reply.status != 200:
                self.outcome.error(f"HTTP {reply.status}", f"{method.value}: {reply.body[:300]!r}")
        return reply


def _prepare(client: Client) -> tuple[Client, Any, CompanyFile]:
    company = generate(client.seed, "tiny")
    qwc = parse_qwc(client.qwc)
    add_application(qwc, FakeQuickBooks(company))  # as QBWC does when the QWC is added
    return client, qwc, company


def _update(client: Any, company: CompanyFile, password: str, out: Outcome, timeout: float,
            lock: threading.Lock) -> None:  # fmt: skip
    try:
        summary = run_webconnector(
            client, password, FakeQuickBooks(company), timeout=timeout,
            config=ClientConfig(noop_wait_seconds=1.0),
            wrap_transport=lambda inner: Timed(inner, out, lock),
        )  # fmt: skip
    except Exception as exc:  # a bug in the client: counted, never hidden
        where = traceback.extract_tb(exc.__traceback__)[-1]
        with lock:
            out.error(f"client: {type(exc).__name__}", f"{exc} ({where.filename}:{where.lineno})")
        return
    with lock:
        if summary.result is SessionResult.DONE:
            out.completed += 1
        else:
            said = "; ".join((summary.last_error, *summary.errors[:2]))
            out.error(f"session: {summary.result.value}", said)


def _verify(
    database_url: str, prepared: list[tuple[Client, Any, CompanyFile]], out: Outcome
) -> None:
    db = Database.from_url(database_url)
    try:
        for client, _qwc, company in prepared:
            lost = store_differences(db, client.company_id, company)
            out.records += sum(len(records) for records in company.records.values())
            if lost:
                out.differences.append(f"seed {client.seed}: {'; '.join(lost[:3])}")
            else:
                out.matching += 1
    finally:
        db.dispose()


def run_share(clients: list[Client], database_url: str, timeout: float, line: Any,
              results: Any) -> None:  # fmt: skip
    """One pool process: prepare, wait for every process at ``line`` (a Barrier), run all
    updates at once, wait there again until every process is done (the service's figures are
    read then), verify the store and put ``Outcome`` on ``results`` (a Queue)."""
    prepared = [_prepare(client) for client in clients]
    out, lock = Outcome(), threading.Lock()
    line.wait()
    out.started = time.monotonic()
    threads = [
        threading.Thread(target=_update, args=(qwc, company, c.password, out, timeout, lock))
        for c, qwc, company in prepared
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.finished = time.monotonic()
    line.wait()
    _verify(database_url, prepared, out)
    results.put(out)

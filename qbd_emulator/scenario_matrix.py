"""The fault scenario matrix: every scenario file against the connector, and what came of it.

Owns: running each scenario (the connector's app on loopback over a fresh SQLite store, shared
by the matrix; per scenario a company and connection of its own and a generated company file;
one update with the scenario's faults, a bookkeeper's changes (``mutate``) stamped by
QuickBooks' clock, which ``"quickbooks": {"clockOffsetSeconds": N}`` skews, then clean updates
with a manual sync queued until the store holds the company) and judging it
against what the file documents (``expect``: the first update's ``result``, the code the
connector ``reported``) and what always holds: the fault fired, the session ended (no request
or NoOp loop), and nothing is lost (the store equals the company afterwards). ``render`` prints
the matrix. ``qbd-emulator scenarios report`` and the test matrix both run it.
Must not: print (the command does) or touch the store except through ``connector.store``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connector.qbwc.client import ClientConfig, SessionResult, SessionSummary
from connector.qbwc.client.envelopes import FailureKind, HttpReply, QbwcMethod, SoapCallError
from connector.qbwc.client.transport import SoapTransport
from connector.qbwc.qwc import connection_qwc, parse_qwc
from connector.qbxml.values import RecordData
from connector.settings import Settings
from connector.store import records, sync_runs
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from connector.store.sync_requests import queue_sync
from connector.sync.plan import QUERY_TYPES

from .company import CompanyFile
from .faults import Scenario, load_scenario
from .generate import generate
from .live_app import serve_app
from .mutate import LEAD, mutate
from .processor import Clock, system_clock
from .update import OK_RESULTS, UpdateResult, run_update

__all__ = ["Row", "render", "run_matrix", "run_scenario"]

CLEAN_UPDATES = 3
"""Clean updates allowed to bring the store back to the company after the faulty one."""
_LOOPS = {SessionResult.NOOP_LIMIT, SessionResult.REQUEST_LIMIT}
FAST = ClientConfig(noop_wait_seconds=0, max_noops=3, max_requests=2000)
PAGE_SIZE = 5
"""Iterator pages of 5 records: a tiny company's larger lists (customers, items) take a Start
and Continue requests, so iterator faults have something to hit."""


@dataclass
class Row:
    scenario: str
    fired: list[str]
    result: str
    """The faulty update's session result."""
    did: str
    """What the connector did, as the Web Connector saw it and as its store recorded it."""
    clean_updates: int
    outcome: str
    """``pass`` or ``FAIL: why``."""
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_matrix(paths: list[Path], *, seed: int = 1, size: str = "tiny") -> list[Row]:
    """Every scenario, each on a company and connection of its own in one store and service."""
    with tempfile.TemporaryDirectory(prefix="qbd-scenarios-") as folder:
        db = Database.from_url(f"sqlite:///{Path(folder) / 'store.db'}")
        try:
            db.migrate()
            with serve_app(db, apply_workers=0, sync_page_size=PAGE_SIZE) as settings:
                return [_run(db, settings, path, seed=seed, size=size) for path in sorted(paths)]
        finally:
            db.dispose()


def run_scenario(path: Path, *, seed: int = 1, size: str = "tiny") -> Row:
    return run_matrix([path], seed=seed, size=size)[0]


def _run(db: Database, settings: Settings, path: Path, *, seed: int, size: str) -> Row:
    document = json.loads(path.read_text(encoding="utf-8"))
    expect: dict[str, Any] = document.get("expect", {})
    scenario = Scenario(load_scenario(path), seed)
    offset = timedelta(seconds=float(document.get("quickbooks", {}).get("clockOffsetSeconds", 0)))

    def clock() -> datetime:  # QuickBooks stamps with the PC's clock, however wrong it is
        return system_clock() + offset

    work = _Work(generate(seed, size), seed, clock)
    kill = document.get("service", {}).get("killAfter")
    if kill is not None:
        return _run_killed(path.stem, expect, work, scenario, kill)
    found = _exercise(db, settings, work, scenario, path.stem)
    return _judge(path.stem, len(scenario.faults), expect, *found)


def _run_killed(
    name: str, expect: dict[str, Any], work: _Work, scenario: Scenario, kill: dict[str, Any]
) -> Row:
    """``"service": {"killAfter": {"call": M, "nth": N}}``: ``qbd-connector serve`` runs as a
    child process, SIGKILLed right after it answered the Nth call M (the answer is lost with
    it) and started again on the same port and store."""
    from .child_service import ChildService

    with tempfile.TemporaryDirectory(prefix="qbd-killed-") as folder:
        url = f"sqlite:///{Path(folder) / 'store.db'}"
        child = ChildService(url, "qbd-scenario-key", Path(folder) / "serve.log")
        child.start()
        db = Database.from_url(url)
        try:
            killer = _Killer(child, str(kill["call"]), int(kill.get("nth", 1)))
            settings = Settings(database_url=url, port=child.port)
            found = _exercise(db, settings, work, scenario, name, killer.wrap)
            found[0].faults.extend(killer.fired)
            return _judge(name, len(scenario.faults) + 1, expect, *found)
        finally:
            db.dispose()
            child.stop()


@dataclass
class _Killer:
    child: Any
    call: str
    nth: int
    fired: list[str] = field(default_factory=list)
    seen: int = 0

    def wrap(self, inner: SoapTransport) -> SoapTransport:
        killer = self

        class Killing:
            def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
                reply = inner.post(method, envelope)
                if method.value == killer.call:
                    killer.seen += 1
                    if killer.seen == killer.nth:
                        killer.child.kill()
                        killer.fired.append(f"service killed after {method.value} #{killer.nth}")
                        killer.child.start()
                        raise SoapCallError(method, FailureKind.TRANSPORT, "connection reset")
                return reply

        return Killing()


@dataclass
class _Work:
    company: CompanyFile
    seed: int
    clock: Clock


def _exercise(
    db: Database,
    settings: Settings,
    work: _Work,
    scenario: Scenario,
    name: str,
    wrap: Callable[[SoapTransport], SoapTransport] | None = None,
) -> tuple[UpdateResult, list[UpdateResult], str, list[str]]:
    """The faulty update; a bookkeeper's changes stamped by QuickBooks' clock; clean updates
    with a manual sync queued until the store holds the company (or CLEAN_UPDATES ran)."""
    company = work.company
    with db.begin() as conn:
        row = create_company(conn, f"Scenario {name}")
        made, password = create_connection(conn, row.id, "desktop_app", owner_id=settings.owner_id)
    qwc = parse_qwc(connection_qwc(settings, row, made))
    options: dict[str, Any] = {"company": company, "config": FAST, "timeout": 30}
    faulty = run_update(
        qwc, password, scenario=scenario, clock=work.clock, wrap_transport=wrap, **options
    )
    recorded = _recorded(db, row.id)
    mutate(company, work.seed, work.clock().replace(microsecond=0) - LEAD)
    clean: list[UpdateResult] = []
    lost = store_differences(db, row.id, company)
    while lost and len(clean) < CLEAN_UPDATES:
        with db.begin() as conn:  # the schedule is not due: ask for a sync now
            queue_sync(conn, row.id, None, datetime.now(UTC))
        clean.append(run_update(qwc, password, clock=work.clock, **options))
        lost = store_differences(db, row.id, company)
    return faulty, clean, recorded, lost


def _judge(
    name: str,
    faults: int,
    expect: dict[str, Any],
    faulty: UpdateResult,
    clean: list[UpdateResult],
    recorded: str,
    lost: list[str],
) -> Row:
    summary = faulty.summary
    did = _did(summary, recorded)
    problems = []
    if faults and not faulty.faults:
        problems.append("the fault never fired")
    if summary.result in _LOOPS:
        problems.append(f"the session looped ({summary.result.value})")
    want = expect.get("result")
    if want is not None and summary.result.value != want:
        problems.append(f"expected result {want}, got {summary.result.value}")
    code = expect.get("reported")
    if code is not None and str(code).lower() not in did.lower():
        problems.append(f"{code} was not reported")
    if any(update.summary.result not in OK_RESULTS for update in clean):
        problems.append("a clean update failed: " + _results(clean))
    if lost:
        problems.append("lost after the clean updates: " + "; ".join(lost[:3]))
    outcome = "pass" if not problems else "FAIL: " + "; ".join(problems)
    return Row(name, faulty.faults, summary.result.value, did, len(clean), outcome, problems)


def _results(updates: list[UpdateResult]) -> str:
    return ", ".join(u.summary.result.value for u in updates)


def _did(summary: SessionSummary, recorded: str) -> str:
    calls = [c for c in ("connectionError", "getLastError") if c in summary.calls]
    parts = [f"session {summary.result.value}", f"{summary.requests_processed} requests"]
    if calls:
        parts.append("called " + ", ".join(calls))
    if summary.last_error:
        parts.append(f"getLastError: {summary.last_error}")
    parts.extend(f"client: {error}" for error in summary.errors[:2])
    if recorded:
        parts.append(f"store: {recorded}")
    return "; ".join(parts)


def _recorded(db: Database, company_id: str) -> str:
    """The latest sync run as the connector recorded it: status and errors."""
    with db.begin() as conn:
        latest = sync_runs.list_runs(conn, company_id, limit=1)
        run = sync_runs.get_run(conn, latest[0].id) if latest else None
    if run is None:
        return "no sync run"
    errors = "; ".join(
        f"{error.hresult or error.status_code}: {error.message}" for error in run.errors[:2]
    )
    return f"run {run.status}" + (f" ({errors})" if errors else "")


def as_synced(data: RecordData) -> RecordData:
    """A record as the sync's queries get it: they ask for no OwnerID, so QuickBooks
    answers without the record's DataExtRet (custom fields)."""
    return {k: v for k, v in data.items() if k != "DataExtRet"}


def store_differences(db: Database, company_id: str, company: CompanyFile) -> list[str]:
    """What the store lacks or holds differently from the company, per data type."""
    found: list[str] = []
    with db.begin() as conn:
        for dt in QUERY_TYPES:
            got = {r.qb_id: r.data for r in records.iter_records(conn, company_id, dt.key)}
            want = {
                str(r.data.get(dt.id_field)): as_synced(r.data)
                for r in company.iter_records(dt.key)
            }
            missing = sorted(set(want) - set(got))
            extra = sorted(set(got) - set(want))
            changed = sorted(k for k in set(want) & set(got) if got[k] != want[k])
            for what, ids in (("missing", missing), ("extra", extra), ("differ", changed)):
                if ids:
                    found.append(f"{dt.key}: {len(ids)} {what}")
    return found


def render(rows: list[Row]) -> str:
    """The matrix as text: scenario, faults fired, what the connector did, outcome."""
    lines = []
    for row in rows:
        lines.append(f"{row.scenario}: {row.outcome}")
        lines.append(f"  fired: {', '.join(row.fired) or 'nothing'}")
        lines.append(f"  connector: {row.did}")
        lines.append(f"  clean updates after: {row.clean_updates}")
    passed = sum(row.outcome == "pass" for row in rows)
    lines.append(f"{passed}/{len(rows)} scenarios pass")
    return "\n".join(lines)

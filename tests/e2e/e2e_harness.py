"""End-to-end harness: the real service on loopback, the fake Web Connector, the fake QuickBooks.

``live_service`` runs ``create_app`` under uvicorn in a thread on a free port
(``qbd_emulator.live_app.serve_app``); ``Link`` is a
company + connection + QWC with its password; ``sync`` runs Web Connector sessions (the QBWC
client over HTTP, with ``FakeQuickBooks`` behind it) until the service reports the sync done.
``mutate`` changes a company file the way a bookkeeper would (adds, edits, deletions of list
and transaction records).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connector.qbwc.client import SessionSummary
from connector.qbwc.qwc import Qwc, connection_qwc, parse_qwc
from connector.settings import Settings
from connector.store import sync_runs as runs
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from connector.sync.plan import QUERY_TYPES
from qbd_emulator.company import CompanyFile
from qbd_emulator.live_app import serve_app
from qbd_emulator.mutate import mutate as emulator_mutate
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import add_application, run_webconnector

live_service = serve_app
"""The whole app on http://localhost:PORT until the block ends (``overrides``: settings)."""


@dataclass(frozen=True)
class Link:
    company_id: str
    qwc: Qwc
    password: str


def link_company(database: Database, settings: Settings, name: str, company: CompanyFile) -> Link:
    with database.begin() as conn:
        row = create_company(conn, name)
        connection, password = create_connection(
            conn, row.id, "desktop_app", owner_id=settings.owner_id
        )
        qwc = parse_qwc(connection_qwc(settings, row, connection))
    add_application(qwc, FakeQuickBooks(company=company))  # as QBWC does when a QWC is added
    return Link(row.id, qwc, password)


def latest_now(company: CompanyFile) -> datetime:
    stamps = [
        r.data["TimeModified"]
        for records in company.records.values()
        for r in records.values()
        if isinstance(r.data.get("TimeModified"), datetime)
    ]
    stamps += [d.time_deleted for d in company.deleted]
    return max(stamps)  # type: ignore[type-var]


def session(link: Link, company: CompanyFile, now: datetime) -> SessionSummary:
    qb = FakeQuickBooks(company=company, clock=lambda: now)
    return run_webconnector(link.qwc, link.password, qb, timeout=120, sleep=lambda _s: None)


def last_run(database: Database, company_id: str) -> runs.SyncRun:
    with database.begin() as conn:
        run = runs.list_runs(conn, company_id, limit=1)[0]
        full = runs.get_run(conn, run.id)
    assert full is not None
    return full


def snapshot(company: CompanyFile) -> dict[str, dict[str, Any]]:
    return {
        dt.key: {
            r.data[dt.id_field]: r.data.get("EditSequence") for r in company.iter_records(dt.key)
        }
        for dt in QUERY_TYPES
    }


def expected_changes(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
) -> dict[str, tuple[int, int]]:
    """(created, updated) per data type between two snapshots."""
    out = {}
    for key in after:
        created = sum(1 for i in after[key] if i not in before[key])
        updated = sum(
            1 for i, es in after[key].items() if i in before[key] and before[key][i] != es
        )
        out[key] = (created, updated)
    return out


def mutate(company: CompanyFile, seed: int, now: datetime) -> datetime:
    """Adds, edits and deletions of lists and txns an hour after ``now``; the new 'now'."""
    done = emulator_mutate(company, seed, now + timedelta(hours=1))
    assert done.until is not None
    return done.until + timedelta(minutes=5)


def clone(company: CompanyFile) -> CompanyFile:
    return copy.deepcopy(company)

"""What the portal shows of companies: their connections' statuses, last syncs, counts.

Owns: gathering, for the companies list and a company's page, each connection's method and
status, the company's latest runs, its record counts per data type, its links and its
consents. Must not: know HTTP or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connector.portal import links as link_rules
from connector.portal.status import ConnectionStatus, connection_status
from connector.store import activity as activity_store
from connector.store import companies as company_store
from connector.store import connections as connection_store
from connector.store import consents as consent_store
from connector.store import links as link_store
from connector.store import sync_runs as run_store
from connector.store.companies import CompanyRow
from connector.store.connections import ConnectionRow
from connector.store.consents import ConsentRow
from connector.store.db import Database
from connector.store.links import LinkRow
from connector.store.records import count_records
from connector.store.sync_runs import SyncRun
from connector.sync.history import totals


@dataclass(frozen=True)
class ConnectionView:
    row: ConnectionRow
    status: ConnectionStatus
    links: tuple[tuple[LinkRow, bool], ...] = ()
    """Each link with whether it was used."""


@dataclass(frozen=True)
class CompanyView:
    company: CompanyRow
    connections: tuple[ConnectionView, ...]
    last_sync: SyncRun | None
    queued: SyncRun | None
    record_count: int
    errors: int


@dataclass(frozen=True)
class CompanyDetail:
    view: CompanyView
    runs: tuple[SyncRun, ...]
    counts: dict[str, int]
    consents: tuple[ConsentRow, ...]


def _company_view(
    db: Database, company: CompanyRow, now: datetime, *, with_links: bool
) -> tuple[CompanyView, list[SyncRun], dict[str, int]]:
    with db.begin(write=False) as conn:
        rows = connection_store.list_connections(conn, company.id)
        activity = activity_store.activity_of(conn, [r.id for r in rows])
        runs = run_store.list_runs(conn, company.id, limit=20)
        detailed = [run_store.get_run(conn, r.id) or r for r in runs[:10]]
        counts = count_records(conn, company.id)
        links = {r.id: link_store.list_links(conn, r.id) for r in rows} if with_links else {}
    started = [r for r in detailed if r.status != "queued"]
    queued = next((r for r in detailed if r.status == "queued"), None)
    latest = started[0] if started else None
    views = tuple(
        ConnectionView(
            row,
            connection_status(
                paused=row.paused, activity=activity.get(row.id), latest=latest, now=now
            ),
            tuple(
                (link, link_rules.is_used(link, activity.get(row.id)))
                for link in links.get(row.id, [])
            ),
        )
        for row in rows
    )
    errors = totals(latest)["errors"] if latest is not None else 0
    view = CompanyView(company, views, latest, queued, sum(counts.values()), errors)
    return view, detailed, counts


def list_company_views(db: Database, now: datetime, *, limit: int = 200) -> list[CompanyView]:
    companies = company_store.list_companies(db, limit=limit)
    return [_company_view(db, c, now, with_links=False)[0] for c in companies]


def company_detail(db: Database, company_id: str, now: datetime) -> CompanyDetail:
    company = company_store.get_company(db, company_id)
    view, runs, counts = _company_view(db, company, now, with_links=True)
    consents = tuple(consent_store.list_consents(db, company.id))
    return CompanyDetail(view, tuple(runs), counts, consents)
